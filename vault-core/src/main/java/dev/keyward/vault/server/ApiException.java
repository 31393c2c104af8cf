package dev.keyward.vault.server;

import dev.keyward.vault.api.KeywardException;

/** A failure that the HTTP boundary answers with a specific status code and message. */
public final class ApiException extends KeywardException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
