package dev.keyward.vault.api;

/** The HSM (PKCS#11 library or token) does not answer: the vault is, or stays, sealed. */
public class HsmUnavailableException extends VaultSealedException {
    private static final long serialVersionUID = 1L;

    public HsmUnavailableException(String detail) {
        super("The vault is sealed: HSM unavailable (" + detail + ").");
        this.detail = detail;
    }

    private final String detail;

    @Override
    public String reason() {
        return "HSM unavailable (" + detail + ")";
    }
}
