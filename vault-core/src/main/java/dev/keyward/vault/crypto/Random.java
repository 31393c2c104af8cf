package dev.keyward.vault.crypto;

import java.security.SecureRandom;

/** The one source of randomness: the platform's strong {@link SecureRandom}. */
public final class Random {
    private static final SecureRandom RNG = new SecureRandom();

    private Random() {
    }

    public static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RNG.nextBytes(b);
        return b;
    }

    public static SecureRandom secureRandom() {
        return RNG;
    }
}
