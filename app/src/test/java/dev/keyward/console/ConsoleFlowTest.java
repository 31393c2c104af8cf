package dev.keyward.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.common.FxClipboard;
import dev.keyward.console.secrets.FieldRow;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.SecretVersion;
import dev.keyward.vault.api.Session;
import java.nio.file.Path;
import java.time.Duration;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.input.Clipboard;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The real console window driven through TestFX on a real vault directory. */
@ExtendWith(ApplicationExtension.class)
class ConsoleFlowTest {
    private static final String CANARY = "canary-value-7f3a9c";

    @TempDir
    Path home;
    private final MutableClock clock = MutableClock.now();
    private ConsoleWindow window;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        ConsoleViewModel console = new ConsoleViewModel(TestConsoles.config(home, clock, new FxClipboard()));
        window = new ConsoleWindow(console, stage);
        window.start();
    }

    @AfterEach
    void close() {
        WaitForAsyncUtils.waitForFxEvents();
        window.viewModel().close();
    }



    @Test
    void firstRunCreatesVaultThenUnlocksAfterAWrongPassphraseAndHandlesASecret(FxRobot robot) {
        // Init wizard with a passphrase, strength meter moving.
        Ui.waitPhase(window.viewModel(), ConsoleViewModel.Phase.NEEDS_INIT);
        Ui.type(robot, "#unsealPassphrase", TestConsoles.UNSEAL);
        Fx.until(() -> Ui.text(robot, "#strengthLabel").startsWith("Strong"));
        Ui.type(robot, "#unsealConfirm", TestConsoles.UNSEAL);
        Ui.type(robot, "#adminPassphrase", TestConsoles.ADMIN_PASS);
        Ui.type(robot, "#adminConfirm", TestConsoles.ADMIN_PASS);
        robot.clickOn("#createButton");
        Ui.waitPhase(window.viewModel(), ConsoleViewModel.Phase.LOCKED);

        // Unlock: wrong then right unseal passphrase, then operator login.
        Fx.until(() -> robot.lookup("#unsealPassphrase").tryQuery().map(n -> n.isVisible()).orElse(false));
        Ui.type(robot, "#unsealPassphrase", "not the passphrase");
        robot.clickOn("#unsealButton");
        Fx.until(() -> !Ui.text(robot, "#error").isEmpty());
        assertFalse(Ui.text(robot, "#error").contains("not the passphrase"));
        Ui.type(robot, "#unsealPassphrase", TestConsoles.UNSEAL);
        robot.clickOn("#unsealButton");
        Fx.until(() -> robot.lookup("#operatorPassphrase").tryQuery().map(n -> n.isVisible()).orElse(false));
        Ui.type(robot, "#operatorPassphrase", TestConsoles.ADMIN_PASS);
        robot.clickOn("#loginButton");
        Ui.waitPhase(window.viewModel(), ConsoleViewModel.Phase.UNLOCKED);
        assertEquals("Keyward", stage.getTitle());

        // Create a secret with the field editor.
        robot.clickOn("#nav-secrets");
        robot.clickOn("#newSecret");
        Ui.type(robot, "#editPath", "team/db/password");
        Ui.type(robot, "#editOwner", "platform");
        Ui.type(robot, "#fieldValue0", CANARY);
        robot.clickOn("#saveSecret");
        Fx.until(() -> "team/db/password".equals(
                window.main() == null ? null : robot.lookup("#selectedPath").queryAs(Label.class).getText()));
        Fx.until(() -> fieldTable(robot).getItems().size() == 1);
        assertEquals(FieldRow.MASK, fieldTable(robot).getItems().get(0).shown());
        Fx.until(() -> "platform".equals(Ui.text(robot, "#owner")));

        // Edit: add a field, keep the value.
        robot.clickOn("#editButton");
        Fx.until(() -> robot.lookup("#fieldValue0").tryQuery().isPresent());
        robot.clickOn("#addFieldButton");
        Ui.type(robot, "#fieldName1", "user");
        Ui.type(robot, "#fieldValue1", "app");
        robot.clickOn("#saveSecret");
        Fx.until(() -> fieldTable(robot).getItems().size() == 2);
        assertTrue(fieldTable(robot).getItems().stream().noneMatch(FieldRow::revealed));
        assertFalse(stage.getTitle().contains(CANARY) || stage.getTitle().contains("team/db"));

        // Reveal shows the value; it hides itself after the timeout.
        robot.clickOn("#revealButton");
        Fx.until(() -> fieldTable(robot).getItems().stream().anyMatch(f -> CANARY.equals(f.value())));
        clock.advance(Duration.ofSeconds(21));
        Fx.until(() -> fieldTable(robot).getItems().stream().noneMatch(FieldRow::revealed));

        // Copy puts the value on the clipboard and clears it after 30 s.
        Fx.run(() -> fieldTable(robot).getSelectionModel().select(
                fieldTable(robot).getItems().stream().filter(f -> f.name().equals("value")).findFirst().orElseThrow()));
        robot.clickOn("#copyButton");
        Fx.until(() -> CANARY.equals(Clipboard.getSystemClipboard().getString()));
        clock.advance(Duration.ofSeconds(29));
        WaitForAsyncUtils.sleep(1200, java.util.concurrent.TimeUnit.MILLISECONDS);
        assertEquals(CANARY, Fx.call(() -> Clipboard.getSystemClipboard().getString()));
        clock.advance(Duration.ofSeconds(2));
        Fx.until(() -> !Clipboard.getSystemClipboard().hasString());

        // The vault holds version 2 with both fields (checked through the API).
        Session s = window.viewModel().vault().auth().login(TestConsoles.ADMIN, TestConsoles.ADMIN_PASS.toCharArray(),
                Caller.LOCAL);
        SecretVersion v = window.viewModel().vault().secrets().read(s.caller(), "team/db/password", 0);
        assertEquals(2, v.metadata().version());
        assertEquals(java.util.Map.of("value", CANARY, "user", "app"), v.data().fields());

        // Lock returns to the unlock screen at the login step.
        robot.clickOn("#lockButton");
        Ui.waitPhase(window.viewModel(), ConsoleViewModel.Phase.LOCKED);
    }


    @SuppressWarnings("unchecked")
    private static TableView<FieldRow> fieldTable(FxRobot robot) {
        return robot.lookup("#fieldTable").queryAs(TableView.class);
    }
}
