package dev.keyward.vault.rotation.postgres;

import dev.keyward.vault.rotation.postgres.PostgresTargetException.Failure;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.postgresql.Driver;
import org.postgresql.PGConnection;

/**
 * Connections to one PostgreSQL server for the rotator: every connection has a connect, login
 * and socket timeout; every statement a query timeout. Errors become {@link PostgresTargetException}
 * by SQLSTATE, with a message of our own (the driver's text is never passed on).
 */
final class PostgresTarget {
    /** Whose login a connection uses; decides how a refused login is named. */
    enum As {
        ROLE, ROTATION_CREDENTIAL
    }

    private static final Driver DRIVER = new Driver();

    private final PostgresParams params;
    private final int statementSeconds;

    PostgresTarget(PostgresParams params, Duration stepTimeout) {
        this.params = params;
        long s = stepTimeout == null ? 30 : Math.max(1, stepTimeout.toSeconds());
        this.statementSeconds = (int) Math.min(s, 300);
    }

    /** Logs in as {@code role}; the caller closes the connection. */
    Connection connect(As as, String role, String password) {
        Properties p = new Properties();
        p.setProperty("user", role);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", Integer.toString(params.connectTimeoutSeconds()));
        p.setProperty("loginTimeout", Integer.toString(params.connectTimeoutSeconds() + 1));
        p.setProperty("socketTimeout", Integer.toString(statementSeconds + 5));
        p.setProperty("sslmode", params.sslMode());
        p.setProperty("ApplicationName", "keyward-rotation");
        p.setProperty("gssEncMode", "disable");
        try {
            Connection c = DRIVER.connect(params.jdbcUrl(), p);
            if (c == null) {
                throw PostgresTargetException.of(Failure.TARGET_ERROR, "The PostgreSQL driver did not accept the URL for "
                        + params.where() + ".", null);
            }
            c.unwrap(PGConnection.class).setQueryTimeout(statementSeconds);
            return c;
        } catch (SQLException e) {
            throw classify(e, as, role, "log in");
        }
    }

    /** Logs in as {@code role} and runs {@code SELECT 1}: nothing is changed. */
    void loginTest(As as, String role, String password) {
        try (Connection c = connect(as, role, password); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1")) {
            rs.next();
        } catch (SQLException e) {
            throw classify(e, as, role, "run a query");
        }
    }

    /**
     * Sets {@code role}'s password over a connection of the rotation credential. The driver hashes
     * the password to a SCRAM-SHA-256 verifier on this side and quotes the role name, so the
     * plain password never reaches the server, its logs or pg_stat_activity.
     */
    void setPassword(Connection admin, String role, char[] password) {
        try {
            admin.unwrap(PGConnection.class).alterUserPassword(role, password, "scram-sha-256");
        } catch (SQLException e) {
            throw classify(e, As.ROTATION_CREDENTIAL, role, "change the password of");
        }
    }

    /** The rotation credential's own role and whether it may manage roles (read-only). */
    void checkRotationCredential(Connection admin, String credentialRole) {
        try (Statement st = admin.createStatement();
             ResultSet rs = st.executeQuery("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")) {
            if (!rs.next() || !rs.getBoolean(1)) {
                throw PostgresTargetException.of(Failure.PERMISSION_DENIED, "PostgreSQL " + params.where()
                        + ": the rotation credential's role \"" + credentialRole
                        + "\" has neither SUPERUSER nor CREATEROLE, so it cannot change passwords.", null);
            }
        } catch (SQLException e) {
            throw classify(e, As.ROTATION_CREDENTIAL, credentialRole, "read the roles of");
        }
    }

    PostgresTargetException classify(SQLException e, As as, String role, String what) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String where = "PostgreSQL " + params.where() + ": ";
        String who = as == As.ROTATION_CREDENTIAL ? "the rotation credential (role \"" + role + "\")"
                : "role \"" + role + "\"";
        String code = state.isEmpty() ? "" : " (SQLSTATE " + state + ")";
        if (state.equals("28P01") || state.equals("28000")) {
            Failure f = as == As.ROTATION_CREDENTIAL ? Failure.ROTATION_CREDENTIAL_REFUSED : Failure.LOGIN_REFUSED;
            return PostgresTargetException.of(f, where + "login refused for " + who
                    + ": wrong password, login not permitted or no pg_hba.conf entry" + code + ".", state);
        }
        if (state.equals("42501")) {
            return PostgresTargetException.of(Failure.PERMISSION_DENIED, where + who + " is not permitted to " + what
                    + (as == As.ROTATION_CREDENTIAL ? " the role" : "") + code + ".", state);
        }
        if (state.equals("42704") || state.equals("3D000")) {
            String thing = state.equals("3D000") ? "database \"" + params.database() + "\"" : "the role";
            return PostgresTargetException.of(Failure.NOT_FOUND, where + thing + " does not exist" + code + ".", state);
        }
        if (state.equals("57014") || hasCause(e, SocketTimeoutException.class)) {
            return PostgresTargetException.of(Failure.TIMEOUT, where + "no answer in time while trying to " + what + " "
                    + who + code + ".", state);
        }
        if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                || state.equals("53300")) {
            return PostgresTargetException.of(Failure.UNREACHABLE, where + "the server is unreachable or closed the"
                    + " connection" + code + ".", state);
        }
        return PostgresTargetException.of(Failure.TARGET_ERROR, where + "could not " + what + " " + who + code + ".",
                state);
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
