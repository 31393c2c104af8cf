package dev.keyward.vault.api;

/** permission denied */
public class AccessDeniedException extends KeywardException {
    private static final long serialVersionUID = 1L;

    public AccessDeniedException() {
        super("permission denied");
    }

    public AccessDeniedException(String message) {
        super(message);
    }

    public AccessDeniedException(String message, Throwable cause) {
        super(message, cause);
    }
}
