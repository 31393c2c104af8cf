package dev.keyward.console.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.Fx;
import dev.keyward.console.MemoryClipboard;
import dev.keyward.console.MutableClock;
import dev.keyward.console.TestConsoles;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.SecretData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditViewModelTest {
    @TempDir
    Path home;
    @TempDir
    Path out;
    private ConsoleViewModel console;
    private AuditViewModel vm;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    @BeforeEach
    void setUp() {
        console = TestConsoles.unlocked(TestConsoles.config(home, MutableClock.now(), new MemoryClipboard()));
        for (int i = 0; i < 5; i++) {
            console.vault().secrets().write(console.caller(null), "app/s" + i, SecretData.of(Map.of("k", "v")), null);
        }
        vm = Fx.call(() -> new AuditViewModel(console));
    }

    @AfterEach
    void tearDown() {
        console.close();
    }

    @Test
    void exportWritesABundleThatVerifiesOfflineAgainstTheReportedFingerprint() {
        Path bundle = out.resolve("evidence.zip");
        Fx.run(() -> vm.exportBundle(bundle));
        Fx.until(() -> !vm.exportingProperty().get());
        String result = vm.exportResultProperty().get();
        assertTrue(result.startsWith("Exported "), result);
        assertEquals(1.0, vm.exportProgressProperty().get());
        assertTrue(Files.isRegularFile(bundle));
        String fingerprint = result.replaceAll(".*fingerprint ([0-9a-f]{64}).*", "$1");
        assertEquals(64, fingerprint.length(), result);

        AuditVerification v = Keyward.verifyAuditBundle(bundle, fingerprint, AuditProgress.NONE);
        assertTrue(v.ok(), v.problems().toString());
        assertTrue(v.entries() >= 5);
        Fx.until(() -> vm.heads().stream().anyMatch(h -> h.fingerprint().equals(fingerprint)));

        Fx.run(() -> vm.verifyBundle(bundle, fingerprint));
        Fx.until(() -> !vm.exportingProperty().get());
        assertTrue(vm.exportResultProperty().get().startsWith("Bundle verified"), vm.exportResultProperty().get());
        Fx.run(() -> vm.verifyBundle(bundle, "00".repeat(32)));
        Fx.until(() -> !vm.exportingProperty().get());
        assertTrue(vm.exportResultProperty().get().startsWith("The bundle FAILED verification"), vm.exportResultProperty().get());
    }

    @Test
    void anExistingFileIsNeverOverwritten() throws Exception {
        Path existing = Files.writeString(out.resolve("taken.zip"), "keep me");
        assertNull(Fx.call(() -> vm.exportBundle(existing)));
        assertTrue(vm.exportResultProperty().get().contains("already exists"), vm.exportResultProperty().get());
        assertArrayEquals("keep me".getBytes(), Files.readAllBytes(existing));
        assertNull(Fx.call(() -> vm.exportBundle(out.resolve("missing-dir/x.zip"))));
        assertTrue(vm.exportResultProperty().get().contains("does not exist"), vm.exportResultProperty().get());
    }

    @Test
    void theDefaultExportFolderIsInTheVaultHome() {
        Path dir = Fx.call(vm::prepareExportDirectory);
        assertEquals(home.resolve("exports"), dir);
        assertTrue(Files.isDirectory(dir));
        assertTrue(vm.suggestedExportName().matches("audit-evidence-\\d{8}-\\d{6}\\.zip"));
    }
}
