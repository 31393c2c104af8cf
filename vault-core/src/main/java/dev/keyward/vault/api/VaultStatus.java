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
 * @param storageFailure why the vault's storage currently refuses writes (e.g. the disk is full), in
 *                     plain words, or null while it works; it clears by itself once writes succeed
 */
public record VaultStatus(boolean initialized, boolean sealed, String sealType, String sealedReason, int threshold,
                          int shares, int progress, int keyTerm, String storageType, String version,
                          boolean weakKdf, String storageFailure) {
}
