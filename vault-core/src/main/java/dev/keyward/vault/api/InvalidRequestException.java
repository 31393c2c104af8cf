package dev.keyward.vault.api;

/** The request is invalid. */
public class InvalidRequestException extends KeywardException {
    private static final long serialVersionUID = 1L;

    public InvalidRequestException() {
        super("The request is invalid.");
    }

    public InvalidRequestException(String message) {
        super(message);
    }

    public InvalidRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
