package dev.keyward.console.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.keyward.console.Fx;
import dev.keyward.console.Ui;
import dev.keyward.console.UnlockedWindow;
import dev.keyward.console.common.Screen;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.BackupInfo;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Backup screen through the real window on a real vault: progress, result, and each bad input. */
class BackupScreenTest {
    static final String CANARY = "canary-console-backup-41b7e2";
    static final String PASS = "quartz lantern orbit meadow 93";

    @TempDir
    Path home;
    @TempDir
    Path out;
    UnlockedWindow ui;
    ListAppender<ILoggingEvent> logs;

    @BeforeEach
    void open() throws Exception {
        ui = UnlockedWindow.open(home);
        logs = ScreenTexts.captureLogs();
    }

    @AfterEach
    void close() {
        ScreenTexts.stop(logs);
        ui.close();
    }

    private void seed(int n) {
        Caller c = ui.admin();
        String filler = "x".repeat(700);
        for (int i = 0; i < n; i++) {
            ui.vault().secrets().write(c, "app/s" + i, SecretData.of(Map.of("password", CANARY + i, "note", filler)),
                    null);
        }
    }

    private void setFile(Path p) {
        TextField f = ui.find("#file", TextField.class);
        Fx.run(() -> f.setText(p.toString()));
    }

    private String error() {
        return Ui.text(ui.robot, "#error");
    }

    private void passphrase(String p, String confirm) {
        Fx.run(() -> {
            ui.find("#forPassphrase", javafx.scene.control.RadioButton.class).setSelected(true);
            ui.find("#passphrase", javafx.scene.control.PasswordField.class).setText(p);
            ui.find("#confirm", javafx.scene.control.PasswordField.class).setText(confirm);
        });
        Fx.until(() -> !ui.find("#strengthLabel", javafx.scene.control.Label.class).getText().isEmpty());
    }

    @Test
    void aBackupShowsItsProgressAndItsResultWhileTheWindowStaysResponsive() throws Exception {
        seed(1200);
        ui.show(Screen.BACKUP);
        Fx.until(() -> !Ui.text(ui.robot, "#schedule").isEmpty());
        assertTrue(Ui.text(ui.robot, "#schedule").contains("off"), Ui.text(ui.robot, "#schedule"));
        Path file = out.resolve("console.kwbak");
        setFile(file);
        passphrase(PASS, PASS);
        ProgressBar bar = ui.find("#progressBar", ProgressBar.class);
        List<Double> seen = Collections.synchronizedList(new ArrayList<>());
        Fx.run(() -> bar.progressProperty().addListener((o, a, b) -> seen.add(b.doubleValue())));
        ui.robot.clickOn("#backupButton");
        // The FX thread answers while the backup runs: the longest wait for it is measured.
        long worst = 0;
        int answered = 0;
        while (Fx.call(() -> ui.find("#backupButton", javafx.scene.control.Button.class).isDisabled())) {
            long t0 = System.nanoTime();
            Fx.call(() -> Boolean.TRUE);
            worst = Math.max(worst, (System.nanoTime() - t0) / 1_000_000);
            answered++;
            Thread.sleep(20);
        }
        Fx.until(() -> ui.find("#resultPane", javafx.scene.layout.VBox.class).isVisible());
        String result = Fx.call(() -> ui.find("#result", TextArea.class).getText());
        BackupInfo info = Keyward.inspectBackup(file);
        assertTrue(result.contains("SHA-256: " + info.sha256()), result);
        assertTrue(result.matches("(?s).*Records: [0-9,]+.*"), result);
        assertTrue(result.contains("Signed audit head: ") && result.contains("fingerprint " + info.auditHead().fingerprint()),
                result);
        assertTrue(result.contains("Size: ") && result.contains(file.toString()), result);
        assertTrue(result.contains("backup passphrase"), result);
        System.out.println("backup-screen: FX thread asked " + answered + " times during the backup, worst answer " + worst + " ms");
        assertTrue(answered >= 1, "the FX thread answered while the backup ran: " + answered);
        assertTrue(worst < 2000, "the FX thread answered within 2 s while the backup ran, worst " + worst + " ms");
        assertTrue(seen.contains(-1.0), "indeterminate while preparing (Argon2id): " + seen);
        assertTrue(seen.stream().anyMatch(v -> v > 0 && v < 1), "the bar moved through the records: " + seen);
        assertEquals(1.0, seen.get(seen.size() - 1), 1e-9);
        Fx.until(() -> ui.find("#passphrase", javafx.scene.control.PasswordField.class).getText().isEmpty());
        List<String> shown = Fx.call(ScreenTexts::all);
        assertTrue(shown.stream().noneMatch(t -> t.contains(CANARY) || t.contains(PASS)), "no secret on screen");
        assertTrue(ScreenTexts.lines(logs).stream().noneMatch(t -> t.contains(CANARY) || t.contains(PASS)),
                "no secret in the log");
        assertFalse(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1).contains(CANARY));
        // The next backup gets a new name.
        assertFalse(Fx.call(() -> ui.find("#file", TextField.class).getText()).equals(file.toString()));
    }

    @Test
    void eachBadInputShowsItsMessageAndChangesNothing() throws Exception {
        seed(3);
        ui.show(Screen.BACKUP);
        Path existing = out.resolve("existing.kwbak");
        Files.writeString(existing, "not a backup");
        byte[] before = Files.readAllBytes(existing);

        setFile(existing);
        ui.robot.clickOn("#backupButton");
        Fx.until(() -> error().contains("already exists"));
        assertArrayEquals(before, Files.readAllBytes(existing));

        setFile(out.resolve("no-such-dir/b.kwbak"));
        assertEquals("", error(), "the message goes when the file changes");
        ui.robot.clickOn("#backupButton");
        Fx.until(() -> error().contains("does not exist"));
        assertFalse(Files.exists(out.resolve("no-such-dir")));

        Path target = out.resolve("b.kwbak");
        setFile(target);
        passphrase(PASS, PASS + "x");
        ui.robot.clickOn("#backupButton");
        Fx.until(() -> error().contains("differ"));
        passphrase("password1234", "password1234");
        ui.robot.clickOn("#backupButton");
        Fx.until(() -> error().startsWith("Backup passphrase: Too weak"));
        assertFalse(Files.exists(target));

        // An operator whose policy does not allow backups.
        Fx.run(() -> ui.find("#forUnseal", javafx.scene.control.RadioButton.class).setSelected(true));
        ui.vault().identities().createOperator(ui.admin(), "auditor1", "auditor passphrase 1".toCharArray(),
                List.of("auditor"));
        Session auditor = ui.vault().auth().login("auditor1", "auditor passphrase 1".toCharArray(), Caller.LOCAL);
        Fx.run(() -> ui.console().loggedIn(auditor));
        Fx.until(() -> ui.window.main() != null);
        ui.show(Screen.BACKUP);
        setFile(target);
        ui.robot.clickOn("#backupButton");
        Fx.until(() -> !error().isEmpty());
        assertTrue(error().toLowerCase().contains("denied") || error().toLowerCase().contains("not allowed"), error());
        assertFalse(Files.exists(target));
        try (var files = Files.list(out)) {
            assertEquals(List.of(existing), files.toList(), "no partial file anywhere");
        }
        assertTrue(Fx.call(ScreenTexts::all).stream().noneMatch(t -> t.contains(CANARY) || t.contains(PASS)));
    }
}
