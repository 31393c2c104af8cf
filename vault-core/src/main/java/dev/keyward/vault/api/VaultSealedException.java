package dev.keyward.vault.api;

/** The vault is sealed: it answers no data call until it is unsealed. */
public class VaultSealedException extends KeywardException {
    private static final long serialVersionUID = 1L;
    /** Why it sealed (e.g. "HSM unavailable"), or null when it was simply sealed. */
    private final String reason;

    public VaultSealedException() {
        super("The vault is sealed: it answers no data call until it is unsealed.");
        this.reason = null;
    }

    /** Sealed for {@code reason} (e.g. "HSM unavailable"), said in the message and kept for transports. */
    public static VaultSealedException because(String reason) {
        return new VaultSealedException("The vault is sealed: " + reason + ".", reason);
    }

    private VaultSealedException(String message, String reason) {
        super(message);
        this.reason = reason;
    }

    /** Why the vault sealed, or null. */
    public String reason() {
        return reason;
    }

    public VaultSealedException(String message) {
        super(message);
        this.reason = null;
    }

    public VaultSealedException(String message, Throwable cause) {
        super(message, cause);
        this.reason = null;
    }
}
