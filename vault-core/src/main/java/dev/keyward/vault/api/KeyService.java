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
     * the new key is generated on the token). Shares of a Shamir seal are returned once.
     */
    InitResult rotateRootKey(Caller caller, SealSpec sameTypeSeal);

    /** A new passphrase (and new root key) for a passphrase seal. The array is not kept. */
    void changePassphrase(Caller caller, char[] newPassphrase, Argon2Parameters kdf);

    /** New Shamir shares with a new count and threshold; the old shares stop working. */
    InitResult rekeyShares(Caller caller, int shares, int threshold);

    /** Moves the vault to another seal (passphrase, HSM, Shamir); returns new shares, if any, once. */
    InitResult migrateSeal(Caller caller, SealSpec newSeal);
}
