package dev.keyward.vault.api;

/**
 * The key lifecycle, through the guarded door and audited: data-key rotation and background
 * rewrap, root-key rotation, passphrase change, Shamir rekey, and migration between seals.
 * Changing the seal or the root key re-encrypts the keyring only; records are never touched.
 */
public interface KeyService {

    /** Starts a new data-key term for new writes; older terms still decrypt. Returns the new term. */
    int rotateDataKey(Caller caller);

    /**
     * Starts (or restarts) rewrapping every stored record to the active term, in the background,
     * while reads and writes go on. Progress is stored: after a crash it resumes at the next unseal.
     */
    RewrapStatus startRewrap(Caller caller);

    /** Progress of the current or last rewrap. */
    RewrapStatus rewrapStatus(Caller caller);

    /**
     * A new root key under a seal of the current type (for an HSM seal, give a new key label:
     * the new key is generated on the token). Shares of a Shamir seal are returned once. Asks the
     * approval gate for {@link GatedOperation#ROOT_KEY_ROTATION} (as do the passphrase change and
     * the rekey); {@link #migrateSeal} asks it for {@link GatedOperation#SEAL_MIGRATION}.
     */
    InitResult rotateRootKey(Caller caller, SealSpec sameTypeSeal);

    /**
     * A new root key under the vault's current seal, built from what seal.json names: a passphrase
     * seal re-encrypts it under {@code credential} (the passphrase, current or new); an HSM seal
     * generates a new AES key on the same token ({@code newKeyLabel}, or the current label with a
     * counter: keyward-root-2, -3...), logging in with {@code credential} (the PIN); a Shamir seal
     * splits it into new shares of the same count and threshold (returned once; credential unused).
     * Gated like {@link #rotateRootKey}. The array is not kept.
     */
    InitResult rotateRootKeyInPlace(Caller caller, char[] credential, String newKeyLabel);

    /** A new passphrase (and new root key) for a passphrase seal. The array is not kept. */
    void changePassphrase(Caller caller, char[] newPassphrase, Argon2Parameters kdf);

    /** New Shamir shares with a new count and threshold; the old shares stop working. */
    InitResult rekeyShares(Caller caller, int shares, int threshold);

    /** Moves the vault to another seal (passphrase, HSM, Shamir); returns new shares, if any, once. */
    InitResult migrateSeal(Caller caller, SealSpec newSeal);
}
