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
    private ShamirSealSpec recovery;

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

    /**
     * Also splits the root key's protection into Shamir recovery shares: any {@code threshold} of
     * them unseal the vault instead of the passphrase. The shares are handed back once by init.
     */
    public PassphraseSealSpec withRecoveryShares(int shares, int threshold) {
        PassphraseSealSpec copy = new PassphraseSealSpec(passphrase, kdf);
        copy.recovery = new ShamirSealSpec(shares, threshold);
        return copy;
    }

    /** The recovery split, or null. */
    public ShamirSealSpec recovery() {
        return recovery;
    }

    @Override
    public void close() {
        Arrays.fill(passphrase, '\0');
    }

    @Override
    public String toString() {
        return "PassphraseSealSpec[passphrase=***, kdf=" + kdf + (recovery == null ? "" : ", recovery=" + recovery)
                + "]";
    }
}
