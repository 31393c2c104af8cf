package dev.keyward.vault.api;

/**
 * The vault service a client attached to (over loopback HTTPS) cannot be reached, or is not the
 * vault whose CA the client pinned. Nothing was changed by the call that failed this way unless
 * the connection broke after the request was sent; the message says which.
 */
public class ServiceUnavailableException extends KeywardException {
    private static final long serialVersionUID = 1L;

    public ServiceUnavailableException(String message) {
        super(message);
    }

    public ServiceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
