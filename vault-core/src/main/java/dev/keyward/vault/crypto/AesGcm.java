package dev.keyward.vault.crypto;

import dev.keyward.vault.api.IntegrityException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM with a random 96-bit nonce per message, from the JDK. Output: nonce || ciphertext
 * || 128-bit tag. Random nonces keep the message count per key far below the 2^32 limit in
 * practice because data keys rotate by term.
 *
 * <p>Initialised {@link Cipher} objects are kept for reuse (a few, one per concurrent caller):
 * finding the provider and expanding the key is most of the cost of sealing a small record.
 * {@link #close} re-keys each kept cipher with a throwaway key, so the provider's copy of this key
 * is zeroed, and then destroys the key.
 */
public final class AesGcm implements Aead, AutoCloseable {
    public static final int KEY_BYTES = 32;
    public static final int NONCE_BYTES = 12;
    public static final int TAG_BITS = 128;
    private static final int KEPT_CIPHERS = 16;

    private final DestroyableKey key;
    private final ConcurrentLinkedQueue<Cipher> kept = new ConcurrentLinkedQueue<>(); // lock-free: many threads
    private final AtomicInteger keptCount = new AtomicInteger();
    private volatile boolean closed;

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
        Cipher c = borrow();
        try {
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            if (associatedData != null) {
                c.updateAAD(associatedData);
            }
            ByteBuffer out = ByteBuffer.allocate(NONCE_BYTES + c.getOutputSize(plaintext.length));
            out.put(nonce);
            c.doFinal(ByteBuffer.wrap(plaintext), out);
            giveBack(c);
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
        Cipher c = borrow();
        try {
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, ciphertext, 0, NONCE_BYTES));
            if (associatedData != null) {
                c.updateAAD(associatedData);
            }
            byte[] plain = c.doFinal(ciphertext, NONCE_BYTES, ciphertext.length - NONCE_BYTES);
            giveBack(c);
            return plain;
        } catch (AEADBadTagException e) {
            throw new IntegrityException();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed", e);
        }
    }

    private Cipher borrow() {
        if (closed) {
            throw new IllegalStateException("this key has been destroyed");
        }
        Cipher c = kept.poll();
        if (c != null) {
            keptCount.decrementAndGet();
            return c;
        }
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** Keeps a cipher that finished cleanly; one that threw is dropped. */
    private void giveBack(Cipher c) {
        if (closed) {
            return;
        }
        if (keptCount.incrementAndGet() > KEPT_CIPHERS) {
            keptCount.decrementAndGet(); // enough kept: this one is dropped
            return;
        }
        kept.offer(c);
        if (closed) {
            wipeKept(); // closed meanwhile: do not leave it holding the key
        }
    }

    private void wipeKept() {
        DestroyableKey throwaway = DestroyableKey.generate(KEY_BYTES, "AES");
        try {
            for (Cipher c = kept.poll(); c != null; c = kept.poll()) {
                keptCount.decrementAndGet();
                try {
                    c.init(Cipher.ENCRYPT_MODE, throwaway, new GCMParameterSpec(TAG_BITS, Random.bytes(NONCE_BYTES)));
                } catch (GeneralSecurityException e) {
                    // dropped either way; nothing else refers to it
                }
            }
        } finally {
            throwaway.destroy();
        }
    }

    @Override
    public void close() {
        closed = true;
        wipeKept();
        key.destroy();
    }

    @Override
    public String toString() {
        return "AesGcm[key hidden]";
    }
}
