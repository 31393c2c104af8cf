package dev.keyward.vault.api;

/** The vault's storage failed. */
public class StorageException extends KeywardException {
    private static final long serialVersionUID = 1L;

    public StorageException() {
        super("The vault's storage failed.");
    }

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
