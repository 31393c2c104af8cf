package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.HsmUnavailableException;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.Pkcs11SealSpec;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.VaultSealedException;
import dev.keyward.vault.api.VaultStatus;
import dev.keyward.vault.testing.ChildJvm;
import dev.keyward.vault.testing.SoftHsm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vault sealed by a real SoftHSM2 token. */
class HsmSealTest {
    static SoftHsm hsm;

    @TempDir
    Path home;

    @BeforeAll
    static void token() {
        hsm = SoftHsm.get();
    }

    private static UnsealCredential pin() {
        return UnsealCredential.pin(SoftHsm.PIN.toCharArray());
    }

    private static void writeSecrets(Engine e, Caller c, int n) {
        for (int i = 0; i < n; i++) {
            e.secrets().write(c, "app/s" + i, SecretData.of(Map.of("v", "value-" + i)), null);
        }
    }

    private static void assertSecrets(Engine e, Caller c, int n) {
        for (int i = 0; i < n; i++) {
            assertEquals("value-" + i, e.secrets().read(c, "app/s" + i, 0).data().field("v"));
        }
    }

    @Test
    void initWriteRestartUnsealWithPinRead() {
        try (Engine e = TestVaults.open(home)) {
            TestVaults.init(e, hsm.spec(SoftHsm.MAIN));
            assertEquals("pkcs11", e.status().sealType());
            e.unseal(pin(), "test");
            writeSecrets(e, TestVaults.login(e).caller(), 3);
        }
        try (Engine e = TestVaults.open(home)) {
            assertTrue(e.status().sealed());
            VaultStatus st = e.unseal(pin(), "test");
            assertFalse(st.sealed());
            assertSecrets(e, TestVaults.login(e).caller(), 3);
        }
    }

    @Test
    void aWrongPinIsRefusedAndTheVaultStaysSealed() {
        try (Engine e = TestVaults.open(home)) {
            TestVaults.init(e, hsm.spec(SoftHsm.MAIN));
            AuthenticationFailedException ex = assertThrows(AuthenticationFailedException.class,
                    () -> e.unseal(UnsealCredential.pin("4321".toCharArray()), "test"));
            assertFalse(ex.getMessage().contains("4321"));
            assertTrue(e.status().sealed());
            e.unseal(pin(), "test");
            assertFalse(e.status().sealed());
        }
    }

    @Test
    void aPassphraseIsNotAnHsmPin() throws Exception {
        try (Engine e = TestVaults.open(home)) {
            TestVaults.init(e, hsm.spec(SoftHsm.MAIN));
            assertThrows(dev.keyward.vault.api.InvalidRequestException.class,
                    () -> e.unseal(UnsealCredential.passphrase("12345678".toCharArray()), "test"));
        }
        String json = Files.readString(home.resolve("seal.json"));
        assertTrue(json.contains("\"library\""));
        assertFalse(json.contains(SoftHsm.PIN), "no PIN in seal.json");
    }

    @Test
    void losingTheTokenSealsTheVaultAndNothingIsLostOnceItIsBack() throws Exception {
        Path tokenDir = hsm.tokenDirectory(SoftHsm.DOOMED);
        Path away = tokenDir.resolveSibling(tokenDir.getFileName() + ".away");
        try (Engine e = TestVaults.open(home)) {
            TestVaults.init(e, hsm.spec(SoftHsm.DOOMED, "doomed-root"));
            e.unseal(pin(), "test");
            Session s = TestVaults.login(e);
            writeSecrets(e, s.caller(), 5);

            Files.move(tokenDir, away, StandardCopyOption.ATOMIC_MOVE);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!e.status().sealed() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            VaultStatus st = e.status();
            assertTrue(st.sealed(), "the health check sealed the vault");
            assertEquals("HSM unavailable", st.sealedReason());
            VaultSealedException sealed = assertThrows(VaultSealedException.class,
                    () -> e.secrets().read(s.caller(), "app/s0", 0));
            assertEquals("The vault is sealed: HSM unavailable.", sealed.getMessage());
            HsmUnavailableException again = assertThrows(HsmUnavailableException.class, () -> e.unseal(pin(), "test"));
            assertTrue(again.getMessage().startsWith("The vault is sealed: HSM unavailable"), again.getMessage());
            assertTrue(e.status().sealed());
        } finally {
            if (Files.exists(away)) {
                Files.move(away, tokenDir, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        // SoftHSM does not take a token back within a process that saw it vanish (a real HSM
        // needs a reconnect too): a fresh process, as after a restart, reads everything.
        Process child = ChildJvm.start(VaultChild.class, List.of(), "read-with-pin", home.toString(), SoftHsm.PIN,
                "5");
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), out);
        assertTrue(out.contains("READ-OK 5"), out);
    }

    @Test
    void migratingPassphraseToHsmToPassphraseKeepsEverySecret() {
        int n = 20;
        String pass2 = "second passphrase for the vault";
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            Engine e = v.engine();
            writeSecrets(e, v.caller(), n);
            int term = e.status().keyTerm();
            try (Pkcs11SealSpec spec = hsm.spec(SoftHsm.MAIN)) {
                assertEquals("pkcs11", e.keys().migrateSeal(v.caller(), spec).sealType());
            }
            assertEquals("pkcs11", e.status().sealType());
            assertFalse(e.status().sealed(), "migration keeps the vault unsealed");
            assertEquals(term, e.status().keyTerm(), "records are not touched: same data key");
            assertSecrets(e, v.caller(), n);
            e.secrets().write(v.caller(), "app/s" + n, SecretData.of(Map.of("v", "value-" + n)), null);
        }
        try (Engine e = TestVaults.open(home)) {
            assertThrows(dev.keyward.vault.api.InvalidRequestException.class, () -> TestVaults.unseal(e),
                    "the passphrase no longer opens it");
            e.unseal(pin(), "test");
            Session s = TestVaults.login(e);
            assertSecrets(e, s.caller(), n + 1);
            try (PassphraseSealSpec spec = new PassphraseSealSpec(pass2.toCharArray(),
                    Argon2Parameters.insecureForTests())) {
                e.keys().migrateSeal(s.caller(), spec);
            }
            assertSecrets(e, s.caller(), n + 1);
        }
        try (Engine e = TestVaults.open(home)) {
            assertEquals("passphrase", e.status().sealType());
            assertThrows(AuthenticationFailedException.class, () -> TestVaults.unseal(e));
            e.unseal(UnsealCredential.passphrase(pass2.toCharArray()), "test");
            assertSecrets(e, TestVaults.login(e).caller(), n + 1);
        }
    }

    @Test
    void auditTreeHeadsAreSignedByTheHsmKeyAndTheLogVerifiesAcrossAMigration() {
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            Engine e = v.engine();
            dev.keyward.vault.api.TreeHead before = e.audit().issueHead(v.caller());
            assertEquals("Ed25519", before.algorithm(), "without an HSM the keyring's Ed25519 key signs");
            try (Pkcs11SealSpec spec = hsm.spec(SoftHsm.MAIN)) {
                e.keys().migrateSeal(v.caller(), spec);
            }
            dev.keyward.vault.api.TreeHead after = e.audit().issueHead(v.caller());
            assertEquals("SHA256withECDSA", after.algorithm(), "the token's EC P-256 key signs now");
            dev.keyward.vault.api.AuditVerification check = e.audit().verify(v.caller(), after.fingerprint(),
                    dev.keyward.vault.api.AuditProgress.NONE);
            assertTrue(check.ok(), check.toString());
            assertTrue(check.headsVerified() >= 2);
        }
    }

    @Test
    void rotatingTheHsmRootKeyUsesANewKeyOnTheToken() {
        String first = SoftHsm.uniqueLabel();
        String second = SoftHsm.uniqueLabel();
        try (Engine e = TestVaults.open(home)) {
            TestVaults.init(e, hsm.spec(SoftHsm.MAIN, first));
            e.unseal(pin(), "test");
            Session s = TestVaults.login(e);
            writeSecrets(e, s.caller(), 3);
            try (Pkcs11SealSpec spec = hsm.spec(SoftHsm.MAIN, second)) {
                e.keys().rotateRootKey(s.caller(), spec);
            }
            assertFalse(e.status().sealed());
            assertSecrets(e, s.caller(), 3);
        }
        String json;
        try {
            json = Files.readString(home.resolve("seal.json"));
        } catch (java.io.IOException ex) {
            throw new AssertionError(ex);
        }
        assertTrue(json.contains(second) && !json.contains(first), json);
        try (Engine e = TestVaults.open(home)) {
            e.unseal(pin(), "test");
            assertSecrets(e, TestVaults.login(e).caller(), 3);
        }
    }

    @Test
    void theCheckpointOfAnHsmVaultIsSignedByTheTokensEcKeyAsSignedNoteType2() throws Exception {
        try (Engine e = TestVaults.open(home)) {
            TestVaults.init(e, hsm.spec(SoftHsm.MAIN));
            e.unseal(pin(), "test");
            Session s = TestVaults.login(e);
            writeSecrets(e, s.caller(), 2);
            dev.keyward.vault.api.AuditCheckpoint cp = e.audit().checkpoint(s.caller());
            String[] vkey = cp.verifierKey().split("\\+", 3);
            byte[] typed = java.util.Base64.getDecoder().decode(vkey[2]);
            assertEquals(0x02, typed[0], "ECDSA, as c2sp.org/signed-note assigns it");
            byte[] spki = java.util.Arrays.copyOfRange(typed, 1, typed.length);
            byte[] id = java.util.Arrays.copyOf(java.security.MessageDigest.getInstance("SHA-256").digest(spki), 4);
            assertEquals(java.util.HexFormat.of().formatHex(id), vkey[1], "key ID = SHA-256(SPKI)[:4]");
            int split = cp.note().lastIndexOf("\n\n");
            String text = cp.note().substring(0, split + 1);
            String line = cp.note().substring(split + 2).trim();
            assertTrue(line.startsWith("\u2014 " + cp.origin() + " "), line);
            byte[] sig = java.util.Base64.getDecoder().decode(line.substring(line.lastIndexOf(' ') + 1));
            assertEquals(java.util.HexFormat.of().formatHex(id),
                    java.util.HexFormat.of().formatHex(java.util.Arrays.copyOf(sig, 4)));
            java.security.Signature v = java.security.Signature.getInstance("SHA256withECDSA");
            v.initVerify(java.security.KeyFactory.getInstance("EC").generatePublic(
                    new java.security.spec.X509EncodedKeySpec(spki)));
            v.update(text.getBytes(StandardCharsets.UTF_8));
            assertTrue(v.verify(java.util.Arrays.copyOfRange(sig, 4, sig.length)));
            assertEquals(cp.treeSize(), Long.parseLong(text.split("\n")[1]));
        }
    }
}
