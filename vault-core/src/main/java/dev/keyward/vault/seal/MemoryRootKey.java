package dev.keyward.vault.seal;

import dev.keyward.vault.crypto.AesGcm;
import dev.keyward.vault.crypto.DestroyableKey;

/** A root key held in memory (passphrase and Shamir seals); closing zeroes it. */
public final class MemoryRootKey implements RootKey {
    private final DestroyableKey key;
    private final AesGcm aead;

    public MemoryRootKey(DestroyableKey key) {
        this.key = key;
        this.aead = new AesGcm(key);
    }

    @Override
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
        return aead.encrypt(plaintext, associatedData);
    }

    @Override
    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) {
        return aead.decrypt(ciphertext, associatedData);
    }

    /** The key itself, for re-wrapping it under another seal; callers must not keep it. */
    public DestroyableKey key() {
        return key;
    }

    @Override
    public void close() {
        key.destroy();
    }

    @Override
    public String toString() {
        return "MemoryRootKey[hidden]";
    }
}
