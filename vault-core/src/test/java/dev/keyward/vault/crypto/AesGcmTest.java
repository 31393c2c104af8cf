package dev.keyward.vault.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.IntegrityException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** AES-256-GCM with reused ciphers: concurrent use, tampering, and closing. */
class AesGcmTest {

    @Test
    void concurrentCallersEachGetTheirOwnCipherAndCorrectResults() throws Exception {
        AesGcm aead = new AesGcm(DestroyableKey.generate(AesGcm.KEY_BYTES, "AES"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        byte[] plain = ("thread " + thread + " message " + i).getBytes(StandardCharsets.UTF_8);
                        byte[] ad = ("ad " + thread).getBytes(StandardCharsets.UTF_8);
                        byte[] sealed = aead.encrypt(plain, ad);
                        assertArrayEquals(plain, aead.decrypt(sealed, ad));
                        if (i % 100 == 0) { // a failed call leaves no cipher in a bad state for the next
                            byte[] bad = sealed.clone();
                            bad[bad.length - 1] ^= 1;
                            assertThrows(IntegrityException.class, () -> aead.decrypt(bad, ad));
                            assertThrows(IntegrityException.class, () -> aead.decrypt(sealed, new byte[1]));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void sameInputsGiveFreshNoncesEveryTime() {
        try (AesGcm aead = new AesGcm(DestroyableKey.generate(AesGcm.KEY_BYTES, "AES"))) {
            byte[] plain = new byte[64];
            byte[] a = aead.encrypt(plain, null);
            byte[] b = aead.encrypt(plain, null);
            assertNotEquals(Arrays.toString(Arrays.copyOf(a, AesGcm.NONCE_BYTES)),
                    Arrays.toString(Arrays.copyOf(b, AesGcm.NONCE_BYTES)));
            assertEquals(AesGcm.NONCE_BYTES + 64 + AesGcm.TAG_BITS / 8, a.length);
        }
    }

    @Test
    void closingDestroysTheKeyAndRefusesFurtherUse() {
        DestroyableKey key = DestroyableKey.generate(AesGcm.KEY_BYTES, "AES");
        AesGcm aead = new AesGcm(key);
        byte[] sealed = aead.encrypt(new byte[] {1, 2, 3}, null);
        aead.close();
        assertTrue(key.isDestroyed());
        assertThrows(IllegalStateException.class, () -> aead.decrypt(sealed, null));
        assertThrows(IllegalStateException.class, () -> aead.encrypt(new byte[] {1}, null));
    }
}
