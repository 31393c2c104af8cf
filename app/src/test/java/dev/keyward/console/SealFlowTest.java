package dev.keyward.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The init wizard and the unlock screen with Shamir shares and with a real SoftHSM2 token, through TestFX. */
@ExtendWith(ApplicationExtension.class)
class SealFlowTest {
    @TempDir
    Path home;
    private final MutableClock clock = MutableClock.now();
    private final MemoryClipboard clipboard = new MemoryClipboard();
    private ConsoleWindow window;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        window = new ConsoleWindow(new ConsoleViewModel(TestConsoles.config(home, clock, clipboard)), stage);
        window.start();
    }

    @AfterEach
    void close() {
        WaitForAsyncUtils.waitForFxEvents();
        window.viewModel().close();
    }

    @Test
    void shamirTwoOfThreeInitShowsSharesOnceThenTwoSharesUnlock(FxRobot robot) {
        Ui.waitPhase(window.viewModel(), ConsoleViewModel.Phase.NEEDS_INIT);
        robot.clickOn("#sealShamir");
        Fx.until(() -> Ui.visible(robot, "#shamirShares"));
        assertEquals(3, (int) Fx.call(() -> robot.lookup("#shamirShares").queryAs(
                javafx.scene.control.Spinner.class).getValue()));
        Ui.type(robot, "#adminPassphrase", TestConsoles.ADMIN_PASS);
        Ui.type(robot, "#adminConfirm", TestConsoles.ADMIN_PASS);
        robot.clickOn("#createButton");

        // Shares page: three shares, each with a copy button.
        Fx.until(() -> Ui.visible(robot, "#share3"));
        List<String> shares = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            String q = "#share" + i;
            shares.add(Fx.call(() -> robot.lookup(q).queryAs(TextField.class).getText()));
        }
        assertEquals(3, shares.stream().distinct().count());
        robot.clickOn("#copyShare2");
        assertEquals(shares.get(1), clipboard.current().orElseThrow());
        assertEquals(ConsoleViewModel.Phase.NEEDS_INIT, window.viewModel().phase());
        for (String s : shares) {
            assertFalse(stage.getTitle().contains(s));
        }

        // Confirmation: a wrong share is refused; the right one plus the acknowledgement finishes.
        robot.clickOn("#sharesNextButton");
        Fx.until(() -> Ui.visible(robot, "#confirmShare"));
        assertFalse(Ui.visible(robot, "#share1"), "the shares are hidden on the confirmation page");
        Ui.type(robot, "#confirmShare", shares.get(0));
        robot.clickOn("#acknowledgeShares");
        robot.clickOn("#finishButton");
        Fx.until(() -> Ui.text(robot, "#error").contains("not share 3"));
        assertEquals("", Fx.call(() -> robot.lookup("#confirmShare").queryAs(TextInputControl.class).getText()),
                "the share field is wiped after a try");
        Ui.type(robot, "#confirmShare", shares.get(2));
        robot.clickOn("#finishButton");
        Ui.waitPhase(window.viewModel(), ConsoleViewModel.Phase.LOCKED);
        assertTrue(clipboard.current().isEmpty(), "the copied share left the clipboard");

        // Unlock: the screen asks for shares and counts them.
        Fx.until(() -> Ui.text(robot, "#shareProgress").equals("0 of 2 shares entered"));
        assertEquals("Unseal share 1 of 2", Ui.text(robot, "#credentialLabel"));
        assertEquals("Add share", Fx.call(() -> robot.lookup("#unsealButton").queryAs(Button.class).getText()));
        Ui.type(robot, "#unsealPassphrase", shares.get(2));
        robot.clickOn("#unsealButton");
        Fx.until(() -> Ui.text(robot, "#shareProgress").equals("1 of 2 shares entered"));
        assertEquals("Unseal share 2 of 2", Ui.text(robot, "#credentialLabel"));
        assertTrue(window.viewModel().vault().lifecycle().status().sealed());
        // The same share again is refused inline, and the count stays.
        Ui.type(robot, "#unsealPassphrase", shares.get(2));
        robot.clickOn("#unsealButton");
        Fx.until(() -> Ui.text(robot, "#error").contains("already entered"));
        assertEquals("1 of 2 shares entered", Ui.text(robot, "#shareProgress"));
        Ui.type(robot, "#unsealPassphrase", shares.get(0));
        robot.clickOn("#unsealButton");
        Fx.until(() -> Ui.visible(robot, "#operatorPassphrase"));
        assertFalse(window.viewModel().vault().lifecycle().status().sealed());
        Ui.type(robot, "#operatorPassphrase", TestConsoles.ADMIN_PASS);
        robot.clickOn("#loginButton");
        Ui.waitPhase(window.viewModel(), ConsoleViewModel.Phase.UNLOCKED);
    }

    @Test
    void hsmInitWithTestConnectionThenUnlockWithThePin(FxRobot robot) {
        SoftHsmToken hsm = SoftHsmToken.get();
        Ui.waitPhase(window.viewModel(), ConsoleViewModel.Phase.NEEDS_INIT);
        robot.clickOn("#sealHsm");
        Fx.until(() -> Ui.visible(robot, "#hsmPin"));
        Fx.run(() -> robot.lookup("#hsmLibrary").queryAs(TextField.class).setText(hsm.library().toString()));
        Ui.type(robot, "#hsmSlot", Long.toString(hsm.slot()));
        Ui.type(robot, "#hsmKeyLabel", SoftHsmToken.uniqueLabel());
        Ui.type(robot, "#hsmPin", "0000");
        robot.clickOn("#testHsmButton");
        Fx.until(() -> Ui.text(robot, "#hsmResult").startsWith("Connection failed"));
        Ui.type(robot, "#hsmPin", SoftHsmToken.PIN);
        robot.clickOn("#testHsmButton");
        Fx.until(() -> Ui.text(robot, "#hsmResult").startsWith("Connected"));
        assertTrue(Ui.text(robot, "#hsmResult").contains("will generate it"), Ui.text(robot, "#hsmResult"));
        Ui.type(robot, "#adminPassphrase", TestConsoles.ADMIN_PASS);
        Ui.type(robot, "#adminConfirm", TestConsoles.ADMIN_PASS);
        robot.clickOn("#createButton");
        Ui.waitPhase(window.viewModel(), ConsoleViewModel.Phase.LOCKED);
        assertEquals("pkcs11", window.viewModel().vault().lifecycle().status().sealType());

        Fx.until(() -> Ui.text(robot, "#credentialLabel").equals("HSM user PIN"));
        Ui.type(robot, "#unsealPassphrase", "0000");
        robot.clickOn("#unsealButton");
        Fx.until(() -> !Ui.text(robot, "#error").isEmpty());
        assertFalse(Ui.text(robot, "#error").contains("0000"));
        assertTrue(window.viewModel().vault().lifecycle().status().sealed());
        // A wrong PIN starts a backoff: wait it out on the test clock, then the right PIN unseals.
        clock.advance(java.time.Duration.ofMinutes(10));
        Fx.until(() -> !Fx.call(() -> robot.lookup("#unsealButton").queryAs(Button.class).isDisabled()));
        Ui.type(robot, "#unsealPassphrase", SoftHsmToken.PIN);
        robot.clickOn("#unsealButton");
        Fx.until(() -> Ui.visible(robot, "#operatorPassphrase"));
        Ui.type(robot, "#operatorPassphrase", TestConsoles.ADMIN_PASS);
        robot.clickOn("#loginButton");
        Ui.waitPhase(window.viewModel(), ConsoleViewModel.Phase.UNLOCKED);
    }





}
