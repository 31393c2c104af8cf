package dev.keyward.vault.rotation.postgres;

import dev.keyward.vault.api.KeywardException;

/**
 * A PostgreSQL target refused or could not do a rotation step. The message names the server,
 * the role and the class of failure ({@link #failure()}), never a password, and never the
 * driver's own text (which may quote the statement).
 */
public class PostgresTargetException extends KeywardException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, as the audit log and alerts name it. */
    public enum Failure {
        /** The role's own login was refused (wrong password, login not permitted, no pg_hba entry). */
        LOGIN_REFUSED("login-refused"),
        /** The rotation credential's login was refused: it is wrong, revoked or not permitted. */
        ROTATION_CREDENTIAL_REFUSED("rotation-credential-refused"),
        /** The rotation credential logged in but may not change the role's password. */
        PERMISSION_DENIED("permission-denied"),
        /** The role or the database does not exist on the server. */
        NOT_FOUND("not-found"),
        /** Nothing answered at the host and port, or the connection broke. */
        UNREACHABLE("server-unreachable"),
        /** The server did not answer in time. */
        TIMEOUT("timeout"),
        /** The rotation credential secret or the secret's fields are not usable. */
        BAD_CREDENTIAL_SECRET("bad-credential-secret"),
        /** Any other error the server reported (its SQLSTATE is in the message). */
        TARGET_ERROR("target-error");

        private final String label;

        Failure(String label) {
            this.label = label;
        }

        /** The short name audit entries and alerts carry, e.g. {@code login-refused}. */
        public String label() {
            return label;
        }
    }

    private final Failure failure;
    private final String sqlState;

    public PostgresTargetException(Failure failure, String message, String sqlState) {
        super(message);
        this.failure = failure;
        this.sqlState = sqlState;
    }

    public Failure failure() {
        return failure;
    }

    /** The server's SQLSTATE, or null when the failure happened before the server answered. */
    public String sqlState() {
        return sqlState;
    }
}
