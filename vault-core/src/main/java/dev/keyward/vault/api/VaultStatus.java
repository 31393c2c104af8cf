package dev.keyward.vault.api;

/**
 * What anyone may know about the vault without a credential.
 *
 * @param initialized  whether {@code init} has run
 * @param sealed       whether the vault is sealed
 * @param sealType     the seal provider ("passphrase", ...) or null before init
 * @param sealedReason why it is sealed (e.g. "HSM unavailable"), or null
 * @param threshold    unseal parts needed (1 unless Shamir)
 * @param shares       unseal parts in all (1 unless Shamir)
 * @param progress     unseal parts submitted so far
 * @param keyTerm      the active data-key term while unsealed, else 0
 * @param storageType  the storage backend ("h2")
 * @param version      Keyward's version
 * @param weakKdf      whether the vault was created with parameters below the minimum
 */
public record VaultStatus(boolean initialized, boolean sealed, String sealType, String sealedReason, int threshold,
                          int shares, int progress, int keyTerm, String storageType, String version,
                          boolean weakKdf) {
}
