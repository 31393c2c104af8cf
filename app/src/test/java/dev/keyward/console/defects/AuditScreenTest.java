package dev.keyward.console.defects;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.Fx;
import dev.keyward.console.TestConsoles;
import dev.keyward.console.Ui;
import dev.keyward.console.UnlockedWindow;
import dev.keyward.console.audit.AuditViewModel;
import dev.keyward.console.common.Screen;
import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.TreeHead;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextInputControl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit screen: an Outcome column (a failed login looked like a success), a tampered bundle
 * shown as a failure naming the problem, a selectable and copyable fingerprint, and a status bar
 * whose tree head stays current.
 */
class AuditScreenTest {
    @TempDir
    Path home;
    @TempDir
    Path out;
    UnlockedWindow ui;

    @BeforeEach
    void open() throws Exception {
        ui = UnlockedWindow.open(home);
    }

    @AfterEach
    void close() {
        ui.close();
    }

    private AuditViewModel vm() throws Exception {
        Object view = ui.window.main().view(Screen.AUDIT);
        var f = view.getClass().getDeclaredField("vm");
        f.setAccessible(true);
        return (AuditViewModel) f.get(view);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aFailedLoginShowsFailureInTheOutcomeColumn() {
        Assertions.assertThrows(AuthenticationFailedException.class, () -> ui.vault().auth().login(
                TestConsoles.ADMIN, "wrong passphrase".toCharArray(), Caller.LOCAL));
        ui.show(Screen.AUDIT);
        TableView<AuditRecord> table = ui.find("#entryTable", TableView.class);
        Fx.until(() -> table.getItems().stream().anyMatch(r -> r.operation().equals("operator.login")
                && r.outcome().equals("FAILURE")));
        TableColumn<AuditRecord, ?> outcome = Fx.call(() -> table.getColumns().stream()
                .filter(c -> "Outcome".equals(c.getText())).findFirst().orElseThrow(() ->
                        new AssertionError("no Outcome column")));
        AuditRecord failed = table.getItems().stream().filter(r -> r.operation().equals("operator.login")
                && r.outcome().equals("FAILURE")).findFirst().orElseThrow();
        Object shown = Fx.call(() -> outcome.getCellObservableValue(failed).getValue());
        assertTrue(String.valueOf(shown).contains("FAIL"), String.valueOf(shown));
    }

    @Test
    void aTamperedBundleIsShownAsAFailureNamingTheProblem() throws Exception {
        Path bundle = out.resolve("evidence.zip");
        ui.vault().audit().exportBundle(ui.admin(), bundle, AuditProgress.NONE);
        Path tampered = out.resolve("tampered.zip");
        tamper(bundle, tampered);
        ui.show(Screen.AUDIT);
        AuditViewModel vm = vm();
        Fx.run(() -> vm.verifyBundle(tampered, null));
        Label result = ui.find("#exportResult", Label.class);
        Fx.until(() -> !result.getText().isEmpty() && !result.getText().startsWith("Checking"));
        String text = Fx.call(result::getText);
        assertTrue(Fx.call(() -> result.getStyleClass().contains("error")), "shown as a failure: " + text);
        assertTrue(text.toLowerCase().contains("edited") || text.toLowerCase().contains("changed"), text);
        assertTrue(text.toLowerCase().contains("fail") || text.toLowerCase().contains("tamper"), text);
    }

    /** Changes one character of the first entry's JSON inside the bundle. */
    private static void tamper(Path in, Path outFile) throws Exception {
        try (ZipInputStream zin = new ZipInputStream(Files.newInputStream(in));
             ZipOutputStream zout = new ZipOutputStream(Files.newOutputStream(outFile))) {
            ZipEntry e;
            while ((e = zin.getNextEntry()) != null) {
                byte[] data = zin.readAllBytes();
                if (e.getName().equals("entries.jsonl")) {
                    String s = new String(data, StandardCharsets.UTF_8);
                    s = s.replaceFirst("\"SUCCESS\"", "\"FAILURE\"");
                    data = s.getBytes(StandardCharsets.UTF_8);
                }
                zout.putNextEntry(new ZipEntry(e.getName()));
                zout.write(data);
                zout.closeEntry();
            }
        }
    }

    @Test
    void theLatestFingerprintCanBeSelectedAndCopied() {
        TreeHead head = ui.vault().audit().issueHead(ui.admin());
        ui.show(Screen.AUDIT);
        Fx.until(() -> ui.robot.lookup(".text-input").queryAll().stream().anyMatch(n -> n instanceof TextInputControl t
                && Ui.shown(t) && !t.isEditable() && t.getText().contains(latest(head).fingerprint())));
        ui.robot.clickOn(ui.find("#copyFingerprint", Button.class));
        Fx.until(() -> ui.clipboard.current().map(c -> c.equals(latest(head).fingerprint())).orElse(false));
    }

    private TreeHead latest(TreeHead fallback) {
        return Fx.call(() -> ui.vault().audit().latestHead(ui.admin()));
    }

    @Test
    void theStatusBarTreeHeadFollowsNewHeads() {
        Label status = ui.find("#treeHead", Label.class);
        Fx.until(() -> status.getText().startsWith("Tree head"));
        TreeHead newer = ui.vault().audit().issueHead(ui.admin());
        ui.clock.advance(Duration.ofSeconds(61));
        Fx.until(() -> status.getText().contains(Long.toString(newer.treeSize()))
                || status.getText().contains(newer.fingerprint().substring(0, 12)));
    }
}
