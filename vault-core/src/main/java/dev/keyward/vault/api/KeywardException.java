package dev.keyward.vault.api;

/**
 * Base of every failure that Keyward reports to a caller. Messages are plain sentences meant
 * for users: they never contain a secret value, a token or a stack trace.
 */
public abstract class KeywardException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected KeywardException(String message) {
        super(message);
    }

    protected KeywardException(String message, Throwable cause) {
        super(message, cause);
    }
}
