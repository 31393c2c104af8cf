package dev.keyward.vault.api;

/** The audit entry could not be written durably, so the operation was refused. */
public class AuditFailureException extends KeywardException {
    private static final long serialVersionUID = 1L;

    public AuditFailureException() {
        super("The audit entry could not be written durably, so the operation was refused.");
    }

    public AuditFailureException(String message) {
        super(message);
    }

    public AuditFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
