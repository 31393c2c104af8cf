package dev.keyward.vault.api;

/** The vault directory is in use by another Keyward process. */
public class VaultInUseException extends KeywardException {
    private static final long serialVersionUID = 1L;

    public VaultInUseException() {
        super("The vault directory is in use by another Keyward process.");
    }

    public VaultInUseException(String message) {
        super(message);
    }

    public VaultInUseException(String message, Throwable cause) {
        super(message, cause);
    }
}
