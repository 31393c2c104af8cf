package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.engine.Engine;
import dev.keyward.vault.engine.TestVaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keyward backup through the running service over HTTPS, and directly; keyward restore into a second home. */
class BackupCliTest {
    static final String CANARY = "canary-cli-backup-8a71";

    @TempDir
    Path tmp;

    @Test
    void backupThroughTheServiceThenRestoreIntoASecondHome() throws Exception {
        Path vaultDir = tmp.resolve("vault");
        Path file = tmp.resolve("out/b.kwbak");
        Files.createDirectories(file.getParent());
        Path pass = tmp.resolve("backup-pass");
        Files.writeString(pass, "a long backup passphrase\n");
        try (TestVaults.Opened v = TestVaults.initialised(vaultDir);
             CliHarness h = new CliHarness(v, vaultDir, tmp.resolve("client"))) {
            v.engine().secrets().write(v.caller(), "app/db", SecretData.of(Map.of("password", CANARY)), null);
            CliHarness.Result r = h.cli("backup", "--out", file.toString(), "--passphrase-file", pass.toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("protection: passphrase"), r.out());
            assertFalse(r.out().contains(CANARY) || r.err().contains(CANARY));
            CliHarness.Result again = h.cli("backup", "--out", file.toString(), "--passphrase-file", pass.toString());
            assertEquals(ExitCodes.REFUSED, again.code());
            assertTrue(again.err().contains("already exists"), again.err());
            CliHarness.Result denied = h.with("KEYWARD_TOKEN", "not-a-token", "backup", "--out",
                    tmp.resolve("out/c.kwbak").toString());
            assertEquals(ExitCodes.DENIED, denied.code(), denied.err());
        }
        Path second = tmp.resolve("second");
        Map<String, String> env = new HashMap<>();
        env.put("KEYWARD_HOME", second.toString());
        CliHarness.Result wrong = CliHarness.run(env, "", "restore", file.toString(), "--passphrase-file",
                vaultDir.resolve("seal.json").toString());
        assertEquals(ExitCodes.DENIED, wrong.code(), wrong.err());
        assertFalse(Files.exists(second));
        CliHarness.Result ok = CliHarness.run(env, "", "restore", file.toString(), "--passphrase-file", pass.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("Restored"), ok.out());
        CliHarness.Result full = CliHarness.run(env, "", "restore", file.toString(), "--passphrase-file",
                pass.toString());
        assertEquals(ExitCodes.REFUSED, full.code());
        assertTrue(full.err().contains("not empty"), full.err());
        CliHarness.Result inspect = CliHarness.run(env, "", "backup", "inspect", file.toString());
        assertEquals(0, inspect.code(), inspect.err());
        assertTrue(inspect.out().contains("sha256: "), inspect.out());
        try (Engine e = TestVaults.open(second)) {
            TestVaults.unseal(e);
            var s = TestVaults.login(e);
            assertEquals(CANARY, e.secrets().read(s.caller(), "app/db", 0).data().field("password"));
        }
    }

    @Test
    void withoutAServiceTheCommandOpensTheVaultDirectoryItself() throws Exception {
        Path vaultDir = tmp.resolve("vault");
        try (TestVaults.Opened v = TestVaults.initialised(vaultDir)) {
            v.engine().secrets().write(v.caller(), "app/db", SecretData.of(Map.of("password", CANARY)), null);
        }
        Map<String, String> env = new HashMap<>();
        env.put("KEYWARD_HOME", vaultDir.toString());
        env.put("KEYWARD_ADDRESS", "https://127.0.0.1:1");
        env.put("KEYWARD_PASSPHRASE", TestVaults.UNSEAL);
        Path file = tmp.resolve("direct.kwbak");
        CliHarness.Result r = CliHarness.run(env, "", "backup", "--out", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("protection: unseal"), r.out());
        Map<String, String> env2 = new HashMap<>(env);
        env2.put("KEYWARD_HOME", tmp.resolve("second").toString());
        CliHarness.Result restored = CliHarness.run(env2, "", "restore", file.toString());
        assertEquals(0, restored.code(), restored.err());
        try (Engine e = TestVaults.open(tmp.resolve("second"))) {
            TestVaults.unseal(e);
            assertEquals("vault.restore", TestVaults.auditEntries(e).stream()
                    .filter(a -> a.operation().startsWith("vault.restore")).findFirst().orElseThrow().operation());
        }
    }
}
