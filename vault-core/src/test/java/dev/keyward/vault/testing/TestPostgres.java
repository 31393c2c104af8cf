package dev.keyward.vault.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The real PostgreSQL server the rotation tests rotate roles in: {@code .ci/postgres.sh} starts it
 * on loopback; env KEYWARD_TEST_PG_URL, KEYWARD_TEST_PG_USER, KEYWARD_TEST_PG_PASSWORD override the
 * defaults. When it cannot be reached the test is skipped, unless env CI is set: then it fails.
 *
 * <p>Roles and databases made through this fixture have unique names and are dropped by
 * {@link #close()} (their sessions are terminated first).
 */
public final class TestPostgres implements AutoCloseable {
    public static final String URL = env("KEYWARD_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
    public static final String USER = env("KEYWARD_TEST_PG_USER", "keyward_test");
    public static final String PASSWORD = env("KEYWARD_TEST_PG_PASSWORD", "keyward_test");

    private final Connection admin;
    private final String host;
    private final int port;
    private final String database;
    private final List<String> roles = new ArrayList<>();
    private final List<String> databases = new ArrayList<>();

    private TestPostgres(Connection admin) {
        this.admin = admin;
        URI u = URI.create(URL.substring("jdbc:".length()));
        this.host = u.getHost();
        this.port = u.getPort() < 0 ? 5432 : u.getPort();
        String path = u.getPath() == null ? "" : u.getPath();
        this.database = path.length() > 1 ? path.substring(1) : "postgres";
    }

    /** Connects as the test superuser, or skips the test (fails it under CI) when the server is not there. */
    public static TestPostgres connect() {
        try {
            return new TestPostgres(open(URL, USER, PASSWORD));
        } catch (SQLException e) {
            String why = "PostgreSQL for the tests is not reachable at " + URL + " as " + USER + " (" + e.getSQLState()
                    + "); .ci/postgres.sh starts it";
            if (System.getenv("CI") != null) {
                fail(why);
            }
            assumeTrue(false, why);
            throw new IllegalStateException(why);
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String database() {
        return database;
    }

    /** A unique name: {@code kwt_<prefix>_<random>}, lower case. */
    public static String uniqueName(String prefix) {
        return ("kwt_" + prefix + "_" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36))
                .toLowerCase(Locale.ROOT);
    }

    /** Creates a login role with this password and extra options (e.g. {@code CREATEROLE}); returns its name. */
    public String createRole(String prefix, String password, String options) {
        return createRoleNamed(uniqueName(prefix), password, options);
    }

    /** Creates a login role with exactly this name (quoted, so any case and punctuation); returns it. */
    public String createRoleNamed(String name, String password, String options) {
        exec("CREATE ROLE " + ident(name) + " LOGIN " + (options == null ? "" : options) + " PASSWORD "
                + literal(password));
        roles.add(name);
        return name;
    }

    /**
     * A role that may change the passwords of {@code targets} without being a superuser: CREATEROLE
     * and ADMIN OPTION on each target (what PostgreSQL 16 requires; 15 needs only CREATEROLE).
     */
    public String createRotationRole(String password, String... targets) {
        String name = createRole("rotator", password, "CREATEROLE");
        for (String t : targets) {
            exec("GRANT " + ident(t) + " TO " + ident(name) + " WITH ADMIN OPTION");
        }
        return name;
    }

    /** Creates a database owned by the test superuser; returns its name. */
    public String createDatabase(String prefix) {
        String name = uniqueName(prefix);
        exec("CREATE DATABASE " + name);
        databases.add(name);
        return name;
    }

    /** Runs one statement as the test superuser (test-made names only, never outside input). */
    public void exec(String sql) {
        try (Statement st = admin.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test SQL failed (" + e.getSQLState() + "): " + e.getMessage(), e);
        }
    }

    /** Logs in as a role; the caller closes the connection. */
    public Connection login(String role, String password) throws SQLException {
        return open(URL, role, password);
    }

    /** Logs in as a role and runs SELECT 1; null when that worked, else the SQLSTATE of the refusal. */
    public String loginError(String role, String password) {
        try (Connection c = login(role, password); Statement st = c.createStatement()) {
            st.executeQuery("SELECT 1").close();
            return null;
        } catch (SQLException e) {
            return e.getSQLState() == null ? "?" : e.getSQLState();
        }
    }

    public boolean canLogin(String role, String password) {
        return loginError(role, password) == null;
    }

    /** Ends every session of a role on the server (what a restarting server does to them). */
    public void terminateSessions(String role) {
        try (PreparedStatement ps = admin.prepareStatement(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?")) {
            ps.setString(1, role);
            ps.executeQuery().close();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The rotator parameters that point at this server. */
    public Map<String, String> params(Map<String, String> more) {
        Map<String, String> p = new HashMap<>(Map.of("host", host, "port", Integer.toString(port),
                "database", database));
        p.putAll(more);
        return p;
    }

    @Override
    public void close() {
        for (String r : roles) {
            terminateSessions(r);
        }
        for (String d : databases) {
            quietly("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " + literal(d));
            quietly("DROP DATABASE IF EXISTS " + d);
        }
        for (String r : roles) {
            quietly("DROP OWNED BY " + ident(r));
            quietly("DROP ROLE IF EXISTS " + ident(r));
        }
        try {
            admin.close();
        } catch (SQLException e) {
            // closing after the drops; nothing left to do
        }
    }

    private void quietly(String sql) {
        try (Statement st = admin.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            System.err.println("TestPostgres cleanup: " + e.getSQLState() + " " + e.getMessage());
        }
    }

    /** A quoted identifier (test-made names). */
    public static String ident(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private static Connection open(String url, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "5");
        p.setProperty("socketTimeout", "30");
        p.setProperty("gssEncMode", "disable");
        return DriverManager.getConnection(url, p);
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }
}
