package dev.keyward.console.defects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.ConsoleWindow;
import dev.keyward.console.Fx;
import dev.keyward.console.MemoryClipboard;
import dev.keyward.console.MutableClock;
import dev.keyward.console.TestConsoles;
import dev.keyward.console.Ui;
import dev.keyward.vault.Keyward;
import java.nio.file.Path;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;

/** A weak unseal passphrase such as "password" is refused with the whole warning on screen. */
class WeakPassphraseTest {
    @TempDir
    Path home;
    ConsoleWindow window;
    final FxRobot robot = new FxRobot();

    @BeforeEach
    void open() throws Exception {
        Fx.start();
        FxToolkit.setupStage(Stage::hide);
        window = Fx.call(() -> {
            ConsoleWindow w = new ConsoleWindow(new ConsoleViewModel(TestConsoles.config(home, MutableClock.now(),
                    new MemoryClipboard()).embeddedOnly()), new Stage());
            w.start();
            return w;
        });
        Ui.waitPhase(window.viewModel(), ConsoleViewModel.Phase.NEEDS_INIT);
    }

    @AfterEach
    void close() {
        Fx.run(() -> window.stage().close());
        window.viewModel().close();
    }

    @Test
    void passwordIsRefusedAsAnUnsealPassphraseWithTheFullWarningVisible() {
        Ui.type(robot, "#unsealPassphrase", "password");
        Ui.type(robot, "#unsealConfirm", "password");
        Ui.type(robot, "#adminPassphrase", TestConsoles.ADMIN_PASS);
        Ui.type(robot, "#adminConfirm", TestConsoles.ADMIN_PASS);
        robot.clickOn("#createButton");
        Label error = robot.lookup("#error").queryAs(Label.class);
        Fx.until(() -> !error.getText().isEmpty() || window.viewModel().phase() != ConsoleViewModel.Phase.NEEDS_INIT);
        assertEquals(ConsoleViewModel.Phase.NEEDS_INIT, window.viewModel().phase(), "the vault must not be created");
        assertFalse(Keyward.initialized(home));
        String shown = Fx.call(error::getText);
        assertTrue(shown.toLowerCase().contains("weak") || shown.toLowerCase().contains("guess"), shown);
        Fx.run(() -> error.applyCss());
        assertTrue(Fx.call(error::isWrapText), "the warning wraps instead of being cut off");
        TruncationCheck.assertNotTruncated(window.stage().getScene().getRoot());
    }
}
