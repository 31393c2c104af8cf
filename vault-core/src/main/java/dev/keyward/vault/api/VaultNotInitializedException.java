package dev.keyward.vault.api;

/** The vault has not been initialised. */
public class VaultNotInitializedException extends KeywardException {
    private static final long serialVersionUID = 1L;

    public VaultNotInitializedException() {
        super("The vault has not been initialised.");
    }

    public VaultNotInitializedException(String message) {
        super(message);
    }

    public VaultNotInitializedException(String message, Throwable cause) {
        super(message, cause);
    }
}
