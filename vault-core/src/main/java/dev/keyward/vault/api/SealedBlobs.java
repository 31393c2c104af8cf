package dev.keyward.vault.api;

import java.util.Optional;

/**
 * Small named records that the vault keeps barrier-sealed in its storage for its own transports
 * (for example the local CA's private key). Readable and writable only while the vault is
 * unsealed; the name is stored as a keyed hash, the value as barrier ciphertext.
 */
public interface SealedBlobs {

    /** The blob stored under {@code name}, if any. Throws {@link VaultSealedException} while sealed. */
    Optional<byte[]> get(String name);

    /** Stores (durably) or replaces the blob under {@code name}. */
    void put(String name, byte[] value);
}
