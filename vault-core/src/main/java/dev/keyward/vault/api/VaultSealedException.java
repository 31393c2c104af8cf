package dev.keyward.vault.api;

/** The vault is sealed: it answers no data call until it is unsealed. */
public class VaultSealedException extends KeywardException {
    private static final long serialVersionUID = 1L;

    public VaultSealedException() {
        super("The vault is sealed: it answers no data call until it is unsealed.");
    }

    public VaultSealedException(String message) {
        super(message);
    }

    public VaultSealedException(String message, Throwable cause) {
        super(message, cause);
    }
}
