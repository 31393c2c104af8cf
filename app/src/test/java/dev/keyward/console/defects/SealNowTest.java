package dev.keyward.console.defects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.Fx;
import dev.keyward.console.TestConsoles;
import dev.keyward.console.Ui;
import dev.keyward.console.UnlockedWindow;
import java.nio.file.Path;
import javafx.scene.control.Button;
import javafx.scene.control.DialogPane;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Seal now" used to leave the console on the operator login saying the vault is unsealed; logging
 * in then failed with "sealed" and nothing offered to unseal. It asks first, then shows the unseal step.
 */
class SealNowTest {
    @TempDir
    Path home;
    UnlockedWindow ui;

    @BeforeEach
    void open() throws Exception {
        ui = UnlockedWindow.open(home);
    }

    @AfterEach
    void close() {
        ui.close();
    }

    /** Confirms the seal if the console asks (it must, see the other test). */
    private void confirmIfAsked() {
        try {
            Fx.until(() -> ui.dialog() != null);
        } catch (AssertionError none) {
            return;
        }
        DialogPane pane = (DialogPane) ui.dialog().getScene().getRoot();
        Button seal = Fx.call(() -> pane.getButtonTypes().stream().map(pane::lookupButton).map(b -> (Button) b)
                .filter(b -> b.getText().startsWith("Seal")).findFirst().orElseThrow());
        ui.robot.clickOn(seal);
    }

    @Test
    void sealNowShowsTheUnsealStepAndUnsealingAndLoggingInWork() {
        ui.robot.clickOn("#sealButton");
        confirmIfAsked();
        Ui.waitPhase(ui.console(), ConsoleViewModel.Phase.LOCKED);
        Fx.until(() -> ui.console().statusProperty().get().sealed());
        Fx.until(() -> Ui.visible(ui.robot, "#unsealPassphrase"));
        assertFalse(Ui.visible(ui.robot, "#operatorPassphrase"));
        assertTrue(Ui.text(ui.robot, "#description").contains("sealed"), Ui.text(ui.robot, "#description"));
        Ui.type(ui.robot, "#unsealPassphrase", TestConsoles.UNSEAL);
        ui.robot.clickOn("#unsealButton");
        Fx.until(() -> Ui.visible(ui.robot, "#operatorPassphrase"));
        Ui.type(ui.robot, "#operatorPassphrase", TestConsoles.ADMIN_PASS);
        ui.robot.clickOn("#loginButton");
        Ui.waitPhase(ui.console(), ConsoleViewModel.Phase.UNLOCKED);
    }

    @Test
    void sealNowAsksFirstAndCancelKeepsTheVaultOpen() {
        ui.robot.clickOn("#sealButton");
        Fx.until(() -> ui.dialog() != null);
        DialogPane pane = (DialogPane) ui.dialog().getScene().getRoot();
        assertTrue(Fx.call(pane::getHeaderText).contains("Seal"), pane.getHeaderText());
        Button cancel = Fx.call(() -> pane.getButtonTypes().stream().map(pane::lookupButton).map(b -> (Button) b)
                .filter(Button::isCancelButton).findFirst().orElseThrow());
        assertTrue(Fx.call(cancel::isDefaultButton) || !Fx.call(() -> pane.getButtonTypes().stream()
                .map(pane::lookupButton).map(b -> (Button) b).anyMatch(b -> b.isDefaultButton() && !b.isCancelButton())),
                "Enter must not seal");
        ui.robot.clickOn(cancel);
        Fx.until(() -> ui.dialog() == null);
        assertEquals(ConsoleViewModel.Phase.UNLOCKED, ui.console().phase());
        assertFalse(ui.vault().lifecycle().status().sealed());
    }
}
