package dev.keyward.console.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.ConsoleWindow;
import dev.keyward.console.Fx;
import dev.keyward.console.MemoryClipboard;
import dev.keyward.console.MutableClock;
import dev.keyward.console.TestConsoles;
import dev.keyward.console.Ui;
import dev.keyward.console.common.Screen;
import dev.keyward.console.secrets.SecretRow;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.SecretData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;

/**
 * Restore from the set-up and unlock screens, through the real window, into the console's own
 * directory: the restored vault unlocks and shows its secrets; a truncated or altered file, a wrong
 * passphrase and a directory that holds a vault are refused inline and change nothing.
 */
class RestoreScreenTest {
    static final String CANARY = "canary-console-restore-9a04d3";
    static final String PASS = "quartz lantern orbit meadow 93";

    @TempDir
    Path source;
    @TempDir
    Path files;
    @TempDir
    Path target;
    private ConsoleWindow window;
    private final FxRobot robot = new FxRobot();
    private ListAppender<ILoggingEvent> logs;
    private Path withPassphrase;
    private Path forUnseal;

    @BeforeEach
    void backups() throws Exception {
        Fx.start();
        ConsoleViewModel src = TestConsoles.unlocked(TestConsoles.config(source, MutableClock.now(),
                new MemoryClipboard()).embeddedOnly());
        try {
            src.vault().secrets().write(src.caller(null), "app/db", SecretData.of(Map.of("password", CANARY)), null);
            withPassphrase = files.resolve("pass.kwbak");
            forUnseal = files.resolve("unseal.kwbak");
            src.vault().backups().backup(src.caller(null), withPassphrase, PASS.toCharArray());
            src.vault().backups().backup(src.caller(null), forUnseal, null);
        } finally {
            Fx.run(src::close);
        }
        logs = ScreenTexts.captureLogs();
    }

    @AfterEach
    void close() {
        ScreenTexts.stop(logs);
        if (window != null) {
            Fx.run(() -> window.stage().close());
            window.viewModel().close();
        }
    }

    private void openWindow(ConsoleViewModel console) throws Exception {
        FxToolkit.setupStage(Stage::hide);
        window = Fx.call(() -> {
            ConsoleWindow w = new ConsoleWindow(console, new Stage());
            w.start();
            return w;
        });
    }

    private void chooseFile(Path p) {
        Fx.run(() -> robot.lookup("#file").queryAs(TextField.class).setText(p.toString()));
    }

    private String error() {
        return Ui.text(robot, "#error");
    }

    private void secret(String s) {
        Fx.run(() -> robot.lookup("#secret").queryAs(PasswordField.class).setText(s));
    }

    private static long restores(ConsoleViewModel console) {
        return console.vault().audit().query(console.caller(null), new dev.keyward.vault.api.AuditQuery(null, null,
                null, null, "vault.restore", null, -1, 100)).entries().size();
    }

    @Test
    void restoredIntoTheEmptyHomeItUnlocksAndShowsTheSecretsAndBadInputChangesNothing() throws Exception {
        ConsoleViewModel console = Fx.call(() -> new ConsoleViewModel(TestConsoles.config(target, MutableClock.now(),
                new MemoryClipboard()).embeddedOnly()));
        openWindow(console);
        Ui.waitPhase(console, ConsoleViewModel.Phase.NEEDS_INIT);
        robot.clickOn("#restoreButton");
        Fx.until(() -> window.restore() != null);
        assertTrue(Ui.text(robot, "#target").contains(target.toString()));

        byte[] good = Files.readAllBytes(withPassphrase);
        Path truncated = files.resolve("truncated.kwbak");
        Files.write(truncated, Arrays.copyOf(good, good.length - 300));
        chooseFile(truncated);
        Fx.until(() -> error().contains("damaged"));
        assertFalse(Ui.visible(robot, "#secret"), "no passphrase is asked for a damaged file");
        robot.clickOn("#restoreButton");
        Fx.until(() -> error().contains("damaged"));

        byte[] altered = good.clone();
        altered[good.length / 2] ^= 0x20;
        Path flipped = files.resolve("altered.kwbak");
        Files.write(flipped, altered);
        chooseFile(flipped);
        Fx.until(() -> error().contains("damaged") && error().contains("altered"));
        assertFalse(Keyward.initialized(target));

        chooseFile(withPassphrase);
        Fx.until(() -> Ui.text(robot, "#header").contains("protected by a backup passphrase"));
        assertEquals("Backup passphrase", Ui.text(robot, "#credentialLabel"));
        secret("not the backup passphrase");
        robot.clickOn("#restoreButton");
        Fx.until(() -> error().contains("passphrase is wrong"));
        assertFalse(Keyward.initialized(target), "nothing restored");
        Fx.until(console::ready);
        assertEquals(ConsoleViewModel.Phase.NEEDS_INIT, console.phase());

        ProgressBar bar = robot.lookup("#progressBar").queryAs(ProgressBar.class);
        List<Double> seen = Collections.synchronizedList(new ArrayList<>());
        Fx.run(() -> bar.progressProperty().addListener((o, a, b) -> seen.add(b.doubleValue())));
        secret(PASS);
        robot.clickOn("#restoreButton");
        int answered = 0;
        while (Fx.call(() -> robot.lookup("#backButton").queryButton().isDisabled())) {
            Fx.call(() -> Boolean.TRUE);
            answered++;
            Thread.sleep(20);
        }
        Fx.until(() -> Ui.visible(robot, "#resultPane"));
        assertTrue(answered >= 1, "the FX thread answered while the restore ran: " + answered);
        assertEquals(1.0, seen.get(seen.size() - 1), 1e-9);
        String result = Fx.call(() -> robot.lookup("#result").queryAs(TextArea.class).getText());
        assertTrue(result.contains("Restored ") && result.contains("SHA-256: " + Keyward.inspectBackup(withPassphrase)
                .sha256()) && result.contains("Audit head in the backup"), result);
        assertTrue(Keyward.initialized(target));
        assertEquals(ConsoleViewModel.Phase.LOCKED, console.phase());
        assertEquals("", Fx.call(() -> robot.lookup("#secret").queryAs(PasswordField.class).getText()));

        robot.clickOn("#unlockButton");
        Fx.until(() -> window.restore() == null);
        Fx.until(() -> robot.lookup("#unsealPassphrase").tryQuery().map(n -> n.isVisible()).orElse(false));
        Fx.until(console::ready);
        Ui.type(robot, "#unsealPassphrase", TestConsoles.UNSEAL);
        robot.clickOn("#unsealButton");
        Fx.until(() -> robot.lookup("#operatorPassphrase").tryQuery().map(n -> n.isVisible()).orElse(false));
        Ui.type(robot, "#operatorPassphrase", TestConsoles.ADMIN_PASS);
        robot.clickOn("#loginButton");
        Ui.waitPhase(console, ConsoleViewModel.Phase.UNLOCKED);
        Fx.run(() -> window.main().viewModel().navigate(Screen.SECRETS));
        @SuppressWarnings("unchecked")
        TableView<SecretRow> table = robot.lookup("#table").queryAs(TableView.class);
        Fx.until(() -> table.getItems().stream().anyMatch(r -> r.path().equals("app/db")));
        assertEquals(CANARY, console.vault().secrets().read(console.caller(null), "app/db", 0).data().field("password"));
        assertTrue(restores(console) == 1, "the first unseal recorded the restore");

        assertTrue(Fx.call(ScreenTexts::all).stream().noneMatch(t -> t.contains(CANARY) || t.contains(PASS)));
        assertTrue(ScreenTexts.lines(logs).stream().noneMatch(t -> t.contains(CANARY) || t.contains(PASS)
                || t.contains("not the backup passphrase")), "no secret in the log");
    }

    @Test
    void aHomeThatHoldsAVaultIsRefusedFromTheUnlockScreenAndStillUnlocks() throws Exception {
        ConsoleViewModel console = TestConsoles.unlocked(TestConsoles.config(target, MutableClock.now(),
                new MemoryClipboard()).embeddedOnly());
        console.vault().secrets().write(console.caller(null), "team/own", SecretData.of(Map.of("k", "v")), null);
        openWindow(console);
        Fx.until(() -> window.main() != null);
        Fx.run(console::lock);
        Ui.waitPhase(console, ConsoleViewModel.Phase.LOCKED);
        robot.clickOn("#restoreButton");
        Fx.until(() -> window.restore() != null);
        chooseFile(forUnseal);
        Fx.until(() -> Ui.text(robot, "#header").contains("unseal material"));
        assertEquals("Unseal passphrase of the backed-up vault", Ui.text(robot, "#credentialLabel"));
        secret(TestConsoles.UNSEAL);
        robot.clickOn("#restoreButton");
        Fx.until(() -> error().contains("not empty") && error().contains("Nothing was changed"));
        Fx.until(console::ready);
        robot.clickOn("#backButton");
        Fx.until(() -> window.restore() == null);
        Fx.until(() -> robot.lookup("#unsealPassphrase").tryQuery().map(n -> n.isVisible()).orElse(false));
        Ui.type(robot, "#unsealPassphrase", TestConsoles.UNSEAL);
        robot.clickOn("#unsealButton");
        Fx.until(() -> robot.lookup("#operatorPassphrase").tryQuery().map(n -> n.isVisible()).orElse(false));
        Ui.type(robot, "#operatorPassphrase", TestConsoles.ADMIN_PASS);
        robot.clickOn("#loginButton");
        Ui.waitPhase(console, ConsoleViewModel.Phase.UNLOCKED);
        assertEquals("v", console.vault().secrets().read(console.caller(null), "team/own", 0).data().field("k"));
        assertTrue(restores(console) == 0, "nothing was restored");
    }
}
