package dev.keyward.vault.seal;

import dev.keyward.vault.api.InvalidRequestException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;

/**
 * Shamir's secret sharing over GF(2^8) (the AES field, reduction polynomial x^8+x^4+x^3+x+1),
 * byte by byte. The one hand-written primitive in Keyward: no maintained Java library fits.
 * Arithmetic uses log/exp tables; a share is the point (x, f(x)) for x in 1..n of a random
 * polynomial of degree k-1 whose constant term is the secret byte.
 *
 * <p>Table lookups are indexed by secret-dependent values, so this code is not constant time
 * against a local cache-timing observer; it runs only at init, rekey and unseal.
 */
public final class Shamir {
    public static final int MIN_THRESHOLD = 2;
    public static final int MAX_SHARES = 16;

    private static final int[] EXP = new int[512];
    private static final int[] LOG = new int[256];

    static {
        int x = 1;
        for (int i = 0; i < 255; i++) {
            EXP[i] = x;
            LOG[x] = i;
            // multiply by the generator 3 = x + 1
            int x2 = x << 1;
            if ((x2 & 0x100) != 0) {
                x2 ^= 0x11b;
            }
            x = x2 ^ x;
        }
        for (int i = 255; i < 512; i++) {
            EXP[i] = EXP[i - 255];
        }
    }

    private Shamir() {
    }

    /** One share: its x coordinate (1..255) and one y byte per secret byte. */
    public record Share(int x, byte[] y) {
        public Share {
            if (x < 1 || x > 255) {
                throw new IllegalArgumentException("share x must be in 1..255");
            }
            y = y.clone();
        }

        @Override
        public byte[] y() {
            return y.clone();
        }

        void wipe() {
            Arrays.fill(y, (byte) 0);
        }

        @Override
        public String toString() {
            return "Share[x=" + x + ", hidden]";
        }
    }

    static int mul(int a, int b) {
        if (a == 0 || b == 0) {
            return 0;
        }
        return EXP[LOG[a] + LOG[b]];
    }

    static int div(int a, int b) {
        if (b == 0) {
            throw new ArithmeticException("division by zero in GF(256)");
        }
        if (a == 0) {
            return 0;
        }
        return EXP[LOG[a] + 255 - LOG[b]];
    }

    public static void checkParameters(int shares, int threshold) {
        if (threshold < MIN_THRESHOLD || threshold > shares || shares > MAX_SHARES) {
            throw new InvalidRequestException("Shamir sharing needs 2 <= threshold <= shares <= " + MAX_SHARES
                    + "; got threshold " + threshold + " of " + shares + " shares.");
        }
    }

    /** Splits {@code secret} into {@code n} shares, any {@code k} of which recover it. */
    public static List<Share> split(byte[] secret, int n, int k, SecureRandom random) {
        checkParameters(n, k);
        byte[][] ys = new byte[n][secret.length];
        byte[] coeffs = new byte[k];
        try {
            for (int b = 0; b < secret.length; b++) {
                coeffs[0] = secret[b];
                byte[] rnd = new byte[k - 1];
                random.nextBytes(rnd);
                System.arraycopy(rnd, 0, coeffs, 1, k - 1);
                Arrays.fill(rnd, (byte) 0);
                for (int i = 0; i < n; i++) {
                    ys[i][b] = (byte) eval(coeffs, i + 1);
                }
            }
            Share[] out = new Share[n];
            for (int i = 0; i < n; i++) {
                out[i] = new Share(i + 1, ys[i]);
            }
            return List.of(out);
        } finally {
            Arrays.fill(coeffs, (byte) 0);
            for (byte[] y : ys) {
                Arrays.fill(y, (byte) 0);
            }
        }
    }

    /** Horner's rule in GF(256). */
    private static int eval(byte[] coeffs, int x) {
        int acc = 0;
        for (int i = coeffs.length - 1; i >= 0; i--) {
            acc = mul(acc, x) ^ (coeffs[i] & 0xff);
        }
        return acc;
    }

    /**
     * Lagrange interpolation at x = 0. With fewer than k shares, or shares of another secret, the
     * result is a wrong secret, not an error: the caller must verify it (the seal does, by
     * opening its encrypted root key).
     */
    public static byte[] combine(List<Share> shares) {
        if (shares.size() < MIN_THRESHOLD) {
            throw new InvalidRequestException("At least " + MIN_THRESHOLD + " shares are needed.");
        }
        int len = shares.get(0).y.length;
        for (int i = 0; i < shares.size(); i++) {
            if (shares.get(i).y.length != len) {
                throw new InvalidRequestException("The shares have different lengths: they belong to different keys.");
            }
            for (int j = 0; j < i; j++) {
                if (shares.get(i).x == shares.get(j).x) {
                    throw new InvalidRequestException("The same share was entered twice.");
                }
            }
        }
        byte[] secret = new byte[len];
        for (int i = 0; i < shares.size(); i++) {
            // basis polynomial l_i(0) = prod_{j != i} x_j / (x_j - x_i); subtraction is xor
            int xi = shares.get(i).x;
            int li = 1;
            for (int j = 0; j < shares.size(); j++) {
                if (j != i) {
                    int xj = shares.get(j).x;
                    li = mul(li, div(xj, xj ^ xi));
                }
            }
            byte[] y = shares.get(i).y;
            for (int b = 0; b < len; b++) {
                secret[b] ^= (byte) mul(y[b] & 0xff, li);
            }
        }
        return secret;
    }
}
