package dev.keyward.vault.crypto;

import dev.keyward.vault.api.IntegrityException;

/**
 * Authenticated encryption with associated data. Implementations hold their key; callers never
 * see it. {@link #decrypt} fails with {@link IntegrityException} on any tampering, never returns
 * wrong plaintext.
 */
public interface Aead {
    byte[] encrypt(byte[] plaintext, byte[] associatedData);

    byte[] decrypt(byte[] ciphertext, byte[] associatedData);
}
