package dev.keyward.vault.api;

/** Init, unseal, seal and key rotation. */
public interface LifecycleService {

    /** Seal state and versions; needs no credential. */
    VaultStatus status();

    /** Creates the seal, root key, keyring and first admin. The vault is sealed afterwards. */
    InitResult init(InitRequest request);

    /**
     * Presents one unseal credential. A passphrase or PIN unseals at once; a share adds to the
     * unseal progress. Wrong credentials are counted and answered with a growing backoff.
     */
    VaultStatus unseal(UnsealCredential credential, String sourceAddress);

    /** Forgets submitted shares. */
    VaultStatus resetUnseal(String sourceAddress);

    /** Seals now: every key held in memory is dropped and zeroed. */
    void seal(Caller caller);

    /** Starts a new data-key term used for new writes; older terms still decrypt. Returns the new term. */
    int rotateDataKey(Caller caller);
}
