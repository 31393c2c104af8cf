package dev.keyward.vault.api;

/** The vault is already initialised. */
public class VaultAlreadyInitializedException extends KeywardException {
    private static final long serialVersionUID = 1L;

    public VaultAlreadyInitializedException() {
        super("The vault is already initialised.");
    }

    public VaultAlreadyInitializedException(String message) {
        super(message);
    }

    public VaultAlreadyInitializedException(String message, Throwable cause) {
        super(message, cause);
    }
}
