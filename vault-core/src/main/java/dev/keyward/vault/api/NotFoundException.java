package dev.keyward.vault.api;

/** Not found. */
public class NotFoundException extends KeywardException {
    private static final long serialVersionUID = 1L;

    public NotFoundException() {
        super("Not found.");
    }

    public NotFoundException(String message) {
        super(message);
    }

    public NotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
