package dev.keyward.vault.identity;

import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.crypto.Argon2;
import dev.keyward.vault.crypto.Random;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/** An Argon2id passphrase hash with its parameters and salt. */
public record PasswordHash(int memoryKiB, int iterations, int parallelism, String salt, String hash) {
    private static final int HASH_BYTES = 32;

    public static PasswordHash create(char[] passphrase, Argon2Parameters p) {
        byte[] salt = Random.bytes(Argon2.SALT_BYTES);
        byte[] h = Argon2.derive(passphrase, salt, p, HASH_BYTES);
        return new PasswordHash(p.memoryKiB(), p.iterations(), p.parallelism(),
                Base64.getEncoder().encodeToString(salt), Base64.getEncoder().encodeToString(h));
    }

    /** Constant-time check. */
    public boolean matches(char[] passphrase) {
        byte[] h = Argon2.derive(passphrase, Base64.getDecoder().decode(salt),
                new Argon2Parameters(memoryKiB, iterations, parallelism), HASH_BYTES);
        try {
            return MessageDigest.isEqual(h, Base64.getDecoder().decode(hash));
        } finally {
            Arrays.fill(h, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "PasswordHash[argon2id m=" + memoryKiB + " t=" + iterations + " p=" + parallelism + ", hidden]";
    }
}
