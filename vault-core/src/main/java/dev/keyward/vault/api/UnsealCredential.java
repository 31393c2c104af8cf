package dev.keyward.vault.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * What an operator presents to unseal: a passphrase, an HSM PIN, or one Shamir share. Each
 * holds its secret in an array that {@link #close()} wipes.
 */
public abstract sealed class UnsealCredential implements AutoCloseable
        permits UnsealCredential.Passphrase, UnsealCredential.Pin, UnsealCredential.Share {

    private final char[] secret;

    private UnsealCredential(char[] secret) {
        this.secret = Objects.requireNonNull(secret, "secret").clone();
    }

    /** The secret characters (the caller must not keep or alter the array). */
    public char[] secret() {
        return secret;
    }

    @Override
    public void close() {
        Arrays.fill(secret, '\0');
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[***]";
    }

    public static Passphrase passphrase(char[] passphrase) {
        return new Passphrase(passphrase);
    }

    public static Pin pin(char[] pin) {
        return new Pin(pin, null, null);
    }

    /**
     * The PIN of the token with this label (and serial, or null): unseals with that token instead of
     * the one seal.json names, and seal.json then names it (after a token was re-created or renamed).
     */
    public static Pin pin(char[] pin, String tokenLabel, String tokenSerial) {
        Pkcs11SealSpec.checkToken(tokenLabel, tokenSerial);
        return new Pin(pin, tokenLabel, tokenSerial);
    }

    public static Share share(char[] share) {
        return new Share(share);
    }

    /** The unseal passphrase of a passphrase seal. */
    public static final class Passphrase extends UnsealCredential {
        private Passphrase(char[] s) {
            super(s);
        }
    }

    /** The user PIN of a PKCS#11 token. */
    public static final class Pin extends UnsealCredential {
        private final String tokenLabel;
        private final String tokenSerial;

        private Pin(char[] s, String tokenLabel, String tokenSerial) {
            super(s);
            this.tokenLabel = tokenLabel;
            this.tokenSerial = tokenSerial;
        }

        /** The token chosen with the PIN, or null for the one seal.json names. */
        public String tokenLabel() {
            return tokenLabel;
        }

        public String tokenSerial() {
            return tokenSerial;
        }
    }

    /** One encoded Shamir share. */
    public static final class Share extends UnsealCredential {
        private Share(char[] s) {
            super(s);
        }
    }
}
