package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.InitResult;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.UnsealCredential;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shamir shares protecting a passphrase seal's root key: either the passphrase or k shares unseal. */
class RecoverySharesTest {
    @TempDir
    Path home;

    @Test
    void eitherThePassphraseOrTwoOfThreeRecoverySharesUnseal() {
        List<String> shares;
        try (Engine e = TestVaults.open(home);
             PassphraseSealSpec plain = new PassphraseSealSpec(TestVaults.UNSEAL.toCharArray(),
                     Argon2Parameters.insecureForTests());
             PassphraseSealSpec spec = plain.withRecoveryShares(3, 2)) {
            InitResult r = TestVaults.init(e, spec);
            assertEquals("passphrase", r.sealType());
            assertEquals(2, r.threshold());
            shares = r.unsealShares();
            assertEquals(3, shares.size());
            TestVaults.unseal(e);
            e.secrets().write(TestVaults.login(e).caller(), "app/x", SecretData.of(Map.of("v", "kept")), null);
        }
        try (Engine e = TestVaults.open(home)) {
            assertTrue(e.unseal(UnsealCredential.share(shares.get(2).toCharArray()), "t").sealed());
            assertEquals(1, e.status().progress());
            assertFalse(e.unseal(UnsealCredential.share(shares.get(0).toCharArray()), "t").sealed());
            assertEquals("kept", e.secrets().read(TestVaults.login(e).caller(), "app/x", 0).data().field("v"));
        }
        try (Engine e = TestVaults.open(home)) {
            TestVaults.unseal(e);
            assertFalse(e.status().sealed(), "the passphrase still works");
        }
        try (Engine e = TestVaults.open(home)) {
            e.unseal(UnsealCredential.share(shares.get(1).toCharArray()), "t");
            assertThrows(AuthenticationFailedException.class, () -> e.unseal(UnsealCredential.share(
                    ShamirSealTest.forgeShare(shares.get(0)).toCharArray()), "t"));
            assertTrue(e.status().sealed());
        }
    }
}
