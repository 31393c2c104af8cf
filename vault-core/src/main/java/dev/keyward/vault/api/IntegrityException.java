package dev.keyward.vault.api;

/** A stored record failed its integrity check: it was altered, moved or corrupted. */
public class IntegrityException extends KeywardException {
    private static final long serialVersionUID = 1L;

    public IntegrityException() {
        super("A stored record failed its integrity check: it was altered, moved or corrupted.");
    }

    public IntegrityException(String message) {
        super(message);
    }

    public IntegrityException(String message, Throwable cause) {
        super(message, cause);
    }
}
