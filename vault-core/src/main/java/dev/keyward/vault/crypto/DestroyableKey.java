package dev.keyward.vault.crypto;

import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * A symmetric key whose bytes can be zeroed. {@link #getEncoded()} hands out copies, as the JCE
 * expects; {@link #destroy()} zeroes the original. Zeroing is best effort on the JVM: a JCE
 * provider may keep an expanded copy while a cipher object lives.
 */
public final class DestroyableKey implements SecretKey, AutoCloseable {
    private static final long serialVersionUID = 1L;

    private final String algorithm;
    private final transient byte[] key;
    private transient volatile boolean destroyed;

    private DestroyableKey(byte[] key, String algorithm) {
        this.key = key;
        this.algorithm = algorithm;
    }

    /** Takes a copy of the bytes; the caller should wipe its own array. */
    public static DestroyableKey copyOf(byte[] key, String algorithm) {
        return new DestroyableKey(key.clone(), algorithm);
    }

    /** A fresh random key of {@code bytes} length. */
    public static DestroyableKey generate(int bytes, String algorithm) {
        return new DestroyableKey(Random.bytes(bytes), algorithm);
    }

    @Override
    public String getAlgorithm() {
        return algorithm;
    }

    @Override
    public String getFormat() {
        return "RAW";
    }

    @Override
    public byte[] getEncoded() {
        if (destroyed) {
            throw new IllegalStateException("key destroyed");
        }
        return key.clone();
    }

    public int length() {
        return key.length;
    }

    @Override
    public void destroy() {
        Arrays.fill(key, (byte) 0);
        destroyed = true;
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public void close() {
        destroy();
    }

    /** Constant-time comparison of the key bytes. */
    public boolean sameKeyAs(DestroyableKey other) {
        return MessageDigest.isEqual(key, other.key);
    }

    @Override
    public String toString() {
        return "DestroyableKey[" + algorithm + ", " + key.length * 8 + " bits, hidden]";
    }
}
