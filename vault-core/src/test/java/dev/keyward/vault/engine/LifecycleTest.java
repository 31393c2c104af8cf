package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InitRequest;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.VaultAlreadyInitializedException;
import dev.keyward.vault.api.VaultInUseException;
import dev.keyward.vault.api.VaultNotInitializedException;
import dev.keyward.vault.api.VaultSealedException;
import dev.keyward.vault.api.VaultStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LifecycleTest {
    @TempDir
    Path home;

    @Test
    void freshDirectoryIsUninitialisedAndRefusesDataCalls() {
        try (Engine e = TestVaults.open(home)) {
            VaultStatus s = e.status();
            assertFalse(s.initialized());
            assertTrue(s.sealed());
            assertThrows(VaultNotInitializedException.class,
                    () -> e.secrets().read(Caller.withToken("x"), "a", 0));
            assertThrows(VaultNotInitializedException.class,
                    () -> e.unseal(UnsealCredential.passphrase("whatever1".toCharArray()), "t"));
        }
    }

    @Test
    void initLeavesTheVaultSealedAndCannotRunTwice() {
        try (Engine e = TestVaults.open(home)) {
            try (InitRequest req = new InitRequest(new PassphraseSealSpec(TestVaults.UNSEAL.toCharArray(),
                    Argon2Parameters.insecureForTests()), "root", "rootpassphrase".toCharArray(),
                    Argon2Parameters.insecureForTests())) {
                e.init(req);
            }
            assertTrue(e.status().initialized());
            assertTrue(e.status().sealed());
            assertTrue(e.status().weakKdf(), "a vault made with test parameters says so");
            assertThrows(VaultAlreadyInitializedException.class, () -> e.init(new InitRequest(
                    new PassphraseSealSpec("another passphrase".toCharArray()), "x", "xxxxxxxxxx".toCharArray())));
        }
    }

    @Test
    void restartComesUpSealedAndUnsealsWithThePassphrase() {
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            v.engine().secrets().write(v.caller(), "app/db", SecretData.of(Map.of("password", "pw1")), null);
        }
        try (Engine e = TestVaults.open(home)) {
            assertTrue(e.status().initialized());
            assertTrue(e.status().sealed());
            assertThrows(VaultSealedException.class, () -> e.login(TestVaults.ADMIN,
                    TestVaults.ADMIN_PASS.toCharArray(), "t"));
            TestVaults.unseal(e);
            assertFalse(e.status().sealed());
            Session s = e.login(TestVaults.ADMIN, TestVaults.ADMIN_PASS.toCharArray(), "t");
            assertEquals("pw1", e.secrets().read(s.caller(), "app/db", 0).data().field("password"));
        }
    }

    @Test
    void secondProcessOwnerIsRefusedWithAPlainMessage() {
        try (Engine e = TestVaults.open(home)) {
            VaultInUseException ex = assertThrows(VaultInUseException.class, () -> TestVaults.open(home));
            assertTrue(ex.getMessage().contains("in use by another Keyward process"));
        }
    }

    @Nested
    class WrongPassphrase {
        @Test
        void isRefusedCountedAndBackedOff() {
            try (TestVaults.Opened v = TestVaults.initialised(home)) {
                v.engine().seal(v.caller());
                assertTrue(v.engine().status().sealed());
                for (int i = 0; i < 2; i++) {
                    AuthenticationFailedException ex = assertThrows(AuthenticationFailedException.class,
                            () -> v.engine().unseal(UnsealCredential.passphrase("wrong passphrase".toCharArray()), "t"));
                    assertTrue(ex.getMessage().contains("wrong"));
                    assertTrue(ex.retryAfter().isEmpty());
                }
                AuthenticationFailedException third = assertThrows(AuthenticationFailedException.class,
                        () -> v.engine().unseal(UnsealCredential.passphrase("wrong passphrase".toCharArray()), "t"));
                assertTrue(third.retryAfter().isPresent(), "the third failure starts a backoff");
                // Even the right passphrase is not heard during the backoff.
                AuthenticationFailedException blocked = assertThrows(AuthenticationFailedException.class,
                        () -> TestVaults.unseal(v.engine()));
                assertTrue(blocked.getMessage().contains("try again"));
                assertTrue(v.engine().status().sealed());
            }
        }
    }

    @Test
    void sealDropsAccessAndOldSessionsWorkAfterUnseal() {
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            v.engine().secrets().write(v.caller(), "k", SecretData.of(Map.of("f", "v")), null);
            v.engine().seal(v.caller());
            assertThrows(VaultSealedException.class, () -> v.engine().secrets().read(v.caller(), "k", 0));
            TestVaults.unseal(v.engine());
            assertEquals("v", v.engine().secrets().read(v.caller(), "k", 0).data().field("f"));
        }
    }

    @Test
    void callsWithoutAValidSessionAreDenied() {
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            assertThrows(AccessDeniedException.class, () -> v.engine().secrets().read(Caller.anonymous("t"), "k", 0));
            assertThrows(AccessDeniedException.class,
                    () -> v.engine().secrets().read(Caller.withToken("kws.forged"), "k", 0));
            v.engine().logout(v.caller());
            assertThrows(AccessDeniedException.class, () -> v.engine().secrets().list(v.caller(), ""));
        }
    }

    @Test
    void operatorLoginLocksOutAfterRepeatedFailures() {
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            for (int i = 0; i < 2; i++) {
                AuthenticationFailedException ex = assertThrows(AuthenticationFailedException.class,
                        () -> v.engine().login(TestVaults.ADMIN, "nope nope".toCharArray(), "t"));
                assertTrue(ex.retryAfter().isEmpty());
            }
            AuthenticationFailedException locked = assertThrows(AuthenticationFailedException.class,
                    () -> v.engine().login(TestVaults.ADMIN, "nope nope".toCharArray(), "t"));
            assertTrue(locked.retryAfter().isPresent());
            assertThrows(AuthenticationFailedException.class,
                    () -> v.engine().login(TestVaults.ADMIN, TestVaults.ADMIN_PASS.toCharArray(), "t"),
                    "the right passphrase is refused while locked");
            AuthenticationFailedException unknown = assertThrows(AuthenticationFailedException.class,
                    () -> v.engine().login("nobody", "whatever1".toCharArray(), "t"));
            assertNull(unknown.retryAfter().orElse(null));
        }
    }

    @Test
    void rotatedDataKeyIsUsedForNewWritesAndOldTermsStillDecrypt() {
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            v.engine().secrets().write(v.caller(), "old", SecretData.of(Map.of("f", "one")), null);
            assertEquals(1, v.engine().status().keyTerm());
            assertEquals(2, v.engine().rotateDataKey(v.caller()));
            v.engine().secrets().write(v.caller(), "new", SecretData.of(Map.of("f", "two")), null);
            assertEquals(2, v.engine().status().keyTerm());
        }
        try (Engine e = TestVaults.open(home)) {
            TestVaults.unseal(e);
            assertEquals(2, e.status().keyTerm());
            Session s = e.login(TestVaults.ADMIN, TestVaults.ADMIN_PASS.toCharArray(), "t");
            assertEquals("one", e.secrets().read(s.caller(), "old", 0).data().field("f"));
            assertEquals("two", e.secrets().read(s.caller(), "new", 0).data().field("f"));
        }
    }

    @Test
    void defaultArgon2ParametersMeetTheMinimumAndUnseal() {
        assertTrue(Argon2Parameters.DEFAULT.meetsMinimum());
        assertTrue(Argon2Parameters.DEFAULT.memoryKiB() >= 64 * 1024 && Argon2Parameters.DEFAULT.iterations() >= 3);
        try (Engine e = TestVaults.open(home)) {
            try (InitRequest req = new InitRequest(new PassphraseSealSpec(TestVaults.UNSEAL.toCharArray()), "root",
                    "rootpassphrase".toCharArray(), Argon2Parameters.insecureForTests())) {
                e.init(req);
            }
            assertFalse(e.status().weakKdf());
            TestVaults.unseal(e);
            assertFalse(e.status().sealed());
        }
    }

    @Test
    void autoSealsAfterTheIdleTimeWithAnInjectedClock() throws InterruptedException {
        MutableClock clock = new MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
        EngineConfig cfg = EngineConfig.defaults(new dev.keyward.vault.api.VaultOptions(home, clock,
                java.time.Duration.ofMinutes(10)));
        try (TestVaults.Opened v = TestVaults.initialised(cfg)) {
            clock.advance(java.time.Duration.ofMinutes(9));
            Thread.sleep(1500);
            assertFalse(v.engine().status().sealed(), "not idle long enough yet");
            v.engine().secrets().list(v.caller(), "");
            clock.advance(java.time.Duration.ofMinutes(10));
            long deadline = System.currentTimeMillis() + 5000;
            while (!v.engine().status().sealed() && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(v.engine().status().sealed());
            assertTrue(v.engine().status().sealedReason().contains("without activity"));
            assertThrows(VaultSealedException.class, () -> v.engine().secrets().list(v.caller(), ""));
        }
    }

    @Test
    void secretsNeverShowInToString() {
        assertFalse(new PassphraseSealSpec("canary-passphrase".toCharArray()).toString().contains("canary"));
        assertFalse(UnsealCredential.passphrase("canary-passphrase".toCharArray()).toString().contains("canary"));
        assertFalse(SecretData.of(Map.of("f", "canary-value")).toString().contains("canary"));
        assertFalse(Caller.withToken("kws.canary").toString().contains("canary"));
    }
}
