package dev.keyward.console.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.ConsoleWindow;
import dev.keyward.console.Fx;
import dev.keyward.console.MemoryClipboard;
import dev.keyward.console.MutableClock;
import dev.keyward.console.ServeProcess;
import dev.keyward.console.TestConsoles;
import dev.keyward.console.Ui;
import dev.keyward.console.common.Screen;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.BackupInfo;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.Vault;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.RadioButton;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;

/** The Backup screen attached to a real keyward serve: the service writes the file, the console follows its job. */
class AttachedBackupTest {
    static final String CANARY = "canary-attached-backup-6d21a0";
    static final String PASS = "quartz lantern orbit meadow 93";

    @TempDir
    Path home;
    @TempDir
    Path out;
    private ServeProcess serve;
    private ConsoleWindow window;
    private final FxRobot robot = new FxRobot();

    @AfterEach
    void close() throws Exception {
        if (window != null) {
            Fx.run(() -> window.stage().close());
            window.viewModel().close();
        }
        if (serve != null) {
            serve.close();
        }
    }

    @Test
    void theServiceWritesTheBackupAndTheConsoleShowsItsProgressAndResult() throws Exception {
        ServeProcess.init(home);
        serve = ServeProcess.start(home);
        try (Vault admin = Keyward.attach(Keyward.locateService(home).orElseThrow())) {
            Session s = admin.auth().login(TestConsoles.ADMIN, TestConsoles.ADMIN_PASS.toCharArray(), null);
            for (int i = 0; i < 50; i++) {
                admin.secrets().write(s.caller(), "app/s" + i, SecretData.of(Map.of("v", CANARY + i)), null);
            }
        }
        Fx.start();
        FxToolkit.setupStage(Stage::hide);
        window = Fx.call(() -> {
            ConsoleWindow w = new ConsoleWindow(new ConsoleViewModel(TestConsoles.config(home, MutableClock.now(),
                    new MemoryClipboard())), new Stage());
            w.start();
            return w;
        });
        Ui.waitPhase(window.viewModel(), ConsoleViewModel.Phase.LOCKED);
        Fx.until(() -> Ui.visible(robot, "#operatorPassphrase"));
        assertEquals(ConsoleViewModel.Mode.ATTACHED, window.viewModel().mode());
        Ui.type(robot, "#operatorPassphrase", TestConsoles.ADMIN_PASS);
        robot.clickOn("#loginButton");
        Ui.waitPhase(window.viewModel(), ConsoleViewModel.Phase.UNLOCKED);
        Fx.run(() -> window.main().viewModel().navigate(Screen.BACKUP));
        Fx.until(() -> Ui.text(robot, "#whereNote").startsWith("Attached"));

        Path file = out.resolve("attached.kwbak");
        ProgressBar bar = robot.lookup("#progressBar").queryAs(ProgressBar.class);
        List<Double> seen = Collections.synchronizedList(new ArrayList<>());
        Fx.run(() -> {
            bar.progressProperty().addListener((o, a, b) -> seen.add(b.doubleValue()));
            robot.lookup("#file").queryAs(TextField.class).setText(file.toString());
            robot.lookup("#forPassphrase").queryAs(RadioButton.class).setSelected(true);
            robot.lookup("#passphrase").queryAs(PasswordField.class).setText(PASS);
            robot.lookup("#confirm").queryAs(PasswordField.class).setText(PASS);
        });
        robot.clickOn("#backupButton");
        Fx.until(() -> Ui.visible(robot, "#resultPane"));
        String result = Fx.call(() -> robot.lookup("#result").queryAs(TextArea.class).getText());
        BackupInfo info = Keyward.inspectBackup(file);
        assertTrue(result.contains("SHA-256: " + info.sha256()), result);
        assertTrue(seen.contains(-1.0), "indeterminate while the service prepares (Argon2id): " + seen);
        assertEquals(1.0, seen.get(seen.size() - 1), 1e-9);
        assertTrue(Fx.call(ScreenTexts::all).stream().noneMatch(t -> t.contains(CANARY) || t.contains(PASS)));
    }
}
