package dev.keyward.vault.crypto;

import dev.keyward.vault.api.IntegrityException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM with a random 96-bit nonce per message, from the JDK. Output: nonce || ciphertext
 * || 128-bit tag. Random nonces keep the message count per key far below the 2^32 limit in
 * practice because data keys rotate by term.
 */
public final class AesGcm implements Aead, AutoCloseable {
    public static final int KEY_BYTES = 32;
    public static final int NONCE_BYTES = 12;
    public static final int TAG_BITS = 128;

    private final DestroyableKey key;

    /** Takes ownership of the key: closing this destroys it. */
    public AesGcm(DestroyableKey key) {
        Objects.requireNonNull(key, "key");
        if (key.length() != KEY_BYTES) {
            throw new IllegalArgumentException("AES-256-GCM needs a 32-byte key, not " + key.length() + " bytes");
        }
        this.key = key;
    }

    @Override
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
        byte[] nonce = Random.bytes(NONCE_BYTES);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            if (associatedData != null) {
                c.updateAAD(associatedData);
            }
            ByteBuffer out = ByteBuffer.allocate(NONCE_BYTES + c.getOutputSize(plaintext.length));
            out.put(nonce);
            c.doFinal(ByteBuffer.wrap(plaintext), out);
            return out.array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    @Override
    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) {
        if (ciphertext.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IntegrityException();
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, ciphertext, 0, NONCE_BYTES));
            if (associatedData != null) {
                c.updateAAD(associatedData);
            }
            return c.doFinal(ciphertext, NONCE_BYTES, ciphertext.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new IntegrityException();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed", e);
        }
    }

    @Override
    public void close() {
        key.destroy();
    }

    @Override
    public String toString() {
        return "AesGcm[key hidden]";
    }
}
