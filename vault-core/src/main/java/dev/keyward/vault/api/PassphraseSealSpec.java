package dev.keyward.vault.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * The embedded default seal: the root key is encrypted under a key derived from a passphrase
 * with Argon2id. The passphrase array is wiped by {@link #close()}.
 */
public final class PassphraseSealSpec implements SealSpec, AutoCloseable {
    public static final String TYPE = "passphrase";
    public static final int MIN_LENGTH = 8;

    private final char[] passphrase;
    private final Argon2Parameters kdf;

    public PassphraseSealSpec(char[] passphrase, Argon2Parameters kdf) {
        Objects.requireNonNull(passphrase, "passphrase");
        if (passphrase.length < MIN_LENGTH) {
            throw new InvalidRequestException("The unseal passphrase must have at least " + MIN_LENGTH + " characters.");
        }
        this.passphrase = passphrase.clone();
        this.kdf = Objects.requireNonNull(kdf, "kdf");
    }

    public PassphraseSealSpec(char[] passphrase) {
        this(passphrase, Argon2Parameters.DEFAULT);
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** The passphrase (the caller must not keep or alter the array). */
    public char[] passphrase() {
        return passphrase;
    }

    public Argon2Parameters kdf() {
        return kdf;
    }

    @Override
    public void close() {
        Arrays.fill(passphrase, '\0');
    }

    @Override
    public String toString() {
        return "PassphraseSealSpec[passphrase=***, kdf=" + kdf + "]";
    }
}
