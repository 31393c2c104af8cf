package dev.keyward.vault.seal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.InvalidRequestException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShamirTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Nested
    class Field {
        @Test
        void everyNonZeroElementHasAnInverse() {
            for (int a = 1; a < 256; a++) {
                assertEquals(1, Shamir.mul(a, Shamir.div(1, a)), "inverse of " + a);
            }
        }

        @Test
        void multiplicationMatchesTheAesFieldBitByBit() {
            for (int a = 0; a < 256; a++) {
                for (int b = 0; b < 256; b++) {
                    assertEquals(slowMul(a, b), Shamir.mul(a, b), a + "*" + b);
                }
            }
        }

        @Test
        void knownAesProduct() {
            // FIPS-197 section 4.2: {57} x {83} = {c1}
            assertEquals(0xc1, Shamir.mul(0x57, 0x83));
        }

        /** Russian-peasant multiplication modulo x^8+x^4+x^3+x+1, as a reference. */
        private int slowMul(int a, int b) {
            int p = 0;
            for (int i = 0; i < 8; i++) {
                if ((b & 1) != 0) {
                    p ^= a;
                }
                boolean hi = (a & 0x80) != 0;
                a = (a << 1) & 0xff;
                if (hi) {
                    a ^= 0x1b;
                }
                b >>= 1;
            }
            return p;
        }
    }

    @Nested
    class SplitAndCombine {
        @ParameterizedTest(name = "{1} of {0}")
        @CsvSource({"2,2", "3,2", "5,3", "5,5", "16,2", "16,16", "7,4"})
        void everySubsetOfThresholdSizeRecoversTheSecret(int n, int k) {
            byte[] secret = new byte[32];
            RANDOM.nextBytes(secret);
            List<Shamir.Share> shares = Shamir.split(secret, n, k, RANDOM);
            assertEquals(n, shares.size());
            int checked = 0;
            for (List<Shamir.Share> subset : subsets(shares, k)) {
                assertArrayEquals(secret, Shamir.combine(subset));
                if (++checked > 200) {
                    break;
                }
            }
            if (n > k) {
                assertArrayEquals(secret, Shamir.combine(shares), "more shares than needed also work");
            }
        }

        @Test
        void fewerSharesThanTheThresholdGiveAnotherValue() {
            byte[] secret = new byte[32];
            RANDOM.nextBytes(secret);
            List<Shamir.Share> shares = Shamir.split(secret, 5, 3, RANDOM);
            for (List<Shamir.Share> pair : subsets(shares, 2)) {
                assertFalse(Arrays.equals(secret, Shamir.combine(pair)));
            }
        }

        @Test
        void sharesLookUnrelatedToTheSecret() {
            byte[] secret = new byte[32]; // all zero
            List<Shamir.Share> shares = Shamir.split(secret, 3, 2, RANDOM);
            for (Shamir.Share s : shares) {
                assertFalse(Arrays.equals(secret, s.y()), "a share must not equal the secret");
            }
        }

        @ParameterizedTest
        @CsvSource({"1,1", "3,1", "2,3", "17,2", "17,17", "0,0"})
        void impossibleParametersAreRefused(int n, int k) {
            assertThrows(InvalidRequestException.class, () -> Shamir.split(new byte[32], n, k, RANDOM));
        }

        @Test
        void theSameShareTwiceIsRefused() {
            List<Shamir.Share> shares = Shamir.split(new byte[32], 3, 2, RANDOM);
            assertThrows(InvalidRequestException.class, () -> Shamir.combine(List.of(shares.get(0), shares.get(0))));
        }
    }

    @Nested
    class Encoding {
        @Test
        void roundTripsAndReadsLowercaseAndSpaces() {
            Shamir.Share share = Shamir.split(new byte[32], 3, 2, RANDOM).get(1);
            String text = ShareCodec.encode(0x1234abcd, 2, share);
            assertTrue(text.startsWith("kw1-"));
            ShareCodec.Decoded d = ShareCodec.decode(text.toLowerCase().replace('-', ' ').toCharArray());
            assertEquals(0x1234abcd, d.setId());
            assertEquals(2, d.threshold());
            assertEquals(share.x(), d.share().x());
            assertArrayEquals(share.y(), d.share().y());
        }

        @Test
        void everySingleMistypedCharacterIsRejectedByTheChecksum() {
            Shamir.Share share = Shamir.split(new byte[32], 3, 2, RANDOM).get(0);
            String text = ShareCodec.encode(42, 2, share);
            String alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
            int rejected = 0;
            for (int i = 4; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '-') {
                    continue;
                }
                char other = alphabet.charAt((alphabet.indexOf(c) + 1 + RANDOM.nextInt(31)) % 32);
                String typo = text.substring(0, i) + other + text.substring(i + 1);
                InvalidRequestException e = assertThrows(InvalidRequestException.class,
                        () -> ShareCodec.decode(typo.toCharArray()), "typo at " + i);
                assertTrue(e.getMessage().contains("mistyped"), e.getMessage());
                rejected++;
            }
            assertTrue(rejected > 50);
        }

        @Test
        void truncatedOrForeignTextIsRejected() {
            String text = ShareCodec.encode(7, 2, Shamir.split(new byte[32], 3, 2, RANDOM).get(0));
            assertThrows(InvalidRequestException.class,
                    () -> ShareCodec.decode(text.substring(0, text.length() - 6).toCharArray()));
            assertThrows(InvalidRequestException.class, () -> ShareCodec.decode("hello world".toCharArray()));
            assertThrows(InvalidRequestException.class, () -> ShareCodec.decode("kw1-!!!!".toCharArray()));
        }

        @Test
        void toStringsHideTheShare() {
            Shamir.Share share = Shamir.split(new byte[32], 3, 2, RANDOM).get(0);
            assertFalse(share.toString().contains(Arrays.toString(share.y())));
            assertEquals("Decoded[hidden]", ShareCodec.decode(ShareCodec.encode(1, 2, share).toCharArray()).toString());
        }
    }

    static List<List<Shamir.Share>> subsets(List<Shamir.Share> all, int k) {
        List<List<Shamir.Share>> out = new ArrayList<>();
        collect(all, k, 0, new ArrayList<>(), out);
        return out;
    }

    private static void collect(List<Shamir.Share> all, int k, int from, List<Shamir.Share> cur,
                                List<List<Shamir.Share>> out) {
        if (cur.size() == k) {
            out.add(new ArrayList<>(cur));
            return;
        }
        for (int i = from; i < all.size(); i++) {
            cur.add(all.get(i));
            collect(all, k, i + 1, cur, out);
            cur.remove(cur.size() - 1);
        }
    }
}
