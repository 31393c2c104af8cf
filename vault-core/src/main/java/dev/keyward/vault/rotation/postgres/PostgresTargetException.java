package dev.keyward.vault.rotation.postgres;

import dev.keyward.vault.rotation.RotationStepException;

/**
 * A PostgreSQL target refused or could not do a rotation step. The message names the server,
 * the role and the class of failure ({@link #failure()}), never a password, and never the
 * driver's own text (which may quote the statement).
 */
public class PostgresTargetException extends RotationStepException {
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

    PostgresTargetException(Failure failure, String message, String sqlState) {
        super(message);
        this.failure = failure;
        this.sqlState = sqlState;
    }

    /**
     * The exception for a failure: one subclass per class of failure, so that the audit log's
     * {@code error_class} (the exception's simple name) says what went wrong.
     */
    public static PostgresTargetException of(Failure failure, String message, String sqlState) {
        return switch (failure) {
            case LOGIN_REFUSED -> new PostgresLoginRefusedException(message, sqlState);
            case ROTATION_CREDENTIAL_REFUSED -> new PostgresRotationCredentialRefusedException(message, sqlState);
            case PERMISSION_DENIED -> new PostgresPermissionDeniedException(message, sqlState);
            case NOT_FOUND -> new PostgresRoleOrDatabaseMissingException(message, sqlState);
            case UNREACHABLE -> new PostgresUnreachableException(message, sqlState);
            case TIMEOUT -> new PostgresTimeoutException(message, sqlState);
            case BAD_CREDENTIAL_SECRET -> new PostgresCredentialSecretException(message, sqlState);
            case TARGET_ERROR -> new PostgresTargetException(failure, message, sqlState);
        };
    }

    /** The role's own login was refused. */
    public static final class PostgresLoginRefusedException extends PostgresTargetException {
        private static final long serialVersionUID = 1L;

        PostgresLoginRefusedException(String message, String sqlState) {
            super(Failure.LOGIN_REFUSED, message, sqlState);
        }
    }

    /** The rotation credential's login was refused. */
    public static final class PostgresRotationCredentialRefusedException extends PostgresTargetException {
        private static final long serialVersionUID = 1L;

        PostgresRotationCredentialRefusedException(String message, String sqlState) {
            super(Failure.ROTATION_CREDENTIAL_REFUSED, message, sqlState);
        }
    }

    /** The rotation credential may not change the role's password. */
    public static final class PostgresPermissionDeniedException extends PostgresTargetException {
        private static final long serialVersionUID = 1L;

        PostgresPermissionDeniedException(String message, String sqlState) {
            super(Failure.PERMISSION_DENIED, message, sqlState);
        }
    }

    /** The role or the database does not exist. */
    public static final class PostgresRoleOrDatabaseMissingException extends PostgresTargetException {
        private static final long serialVersionUID = 1L;

        PostgresRoleOrDatabaseMissingException(String message, String sqlState) {
            super(Failure.NOT_FOUND, message, sqlState);
        }
    }

    /** Nothing answered, or the connection broke. */
    public static final class PostgresUnreachableException extends PostgresTargetException {
        private static final long serialVersionUID = 1L;

        PostgresUnreachableException(String message, String sqlState) {
            super(Failure.UNREACHABLE, message, sqlState);
        }
    }

    /** The server did not answer in time. */
    public static final class PostgresTimeoutException extends PostgresTargetException {
        private static final long serialVersionUID = 1L;

        PostgresTimeoutException(String message, String sqlState) {
            super(Failure.TIMEOUT, message, sqlState);
        }
    }

    /** The rotation credential secret or the rotated secret's fields are not usable. */
    public static final class PostgresCredentialSecretException extends PostgresTargetException {
        private static final long serialVersionUID = 1L;

        PostgresCredentialSecretException(String message, String sqlState) {
            super(Failure.BAD_CREDENTIAL_SECRET, message, sqlState);
        }
    }

    public Failure failure() {
        return failure;
    }

    /** The server's SQLSTATE, or null when the failure happened before the server answered. */
    public String sqlState() {
        return sqlState;
    }
}
