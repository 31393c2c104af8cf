package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.storage.H2Storage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A keyring damaged in storage, unsealed with the right passphrase: the root key opens, so this
 * is damage, said as such, and not a wrong passphrase counted toward the backoff.
 */
class DamagedKeyringTest {
    @TempDir
    Path home;

    @Test
    void aDamagedKeyringIsReportedAsDamageAndNotCountedAsAWrongPassphrase() {
        TestVaults.initialised(home).close();
        try (H2Storage s = H2Storage.open(home)) {
            s.write(tx -> {
                byte[] k = tx.get(SealLifecycle.KEYRING_KEY);
                k[k.length / 2] ^= 0x10;
                tx.put(SealLifecycle.KEYRING_KEY, k);
                return null;
            });
        }
        try (Engine e = TestVaults.open(home)) {
            for (int i = 0; i < 5; i++) {
                IntegrityException damaged = assertThrows(IntegrityException.class, () -> TestVaults.unseal(e));
                assertTrue(damaged.getMessage().contains("keyring") && damaged.getMessage().contains("damaged"),
                        damaged.getMessage());
                assertFalse(damaged.getMessage().contains("Too many"), damaged.getMessage());
            }
            // Five attempts with the right passphrase counted nothing: a wrong one now is the first failure.
            AuthenticationFailedException wrong = assertThrows(AuthenticationFailedException.class,
                    () -> e.unseal(UnsealCredential.passphrase("wrong passphrase".toCharArray()), "test"));
            assertFalse(wrong.getMessage().contains("Too many"), wrong.getMessage());
            assertTrue(wrong.retryAfter().isEmpty(), "no backoff after one wrong passphrase");
            assertTrue(e.status().sealed());
        }
    }
}
