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
        waitPhase(ConsoleViewModel.Phase.NEEDS_INIT);
        robot.clickOn("#sealShamir");
        Fx.until(() -> visible(robot, "#shamirShares"));
        assertEquals(3, (int) Fx.call(() -> robot.lookup("#shamirShares").queryAs(
                javafx.scene.control.Spinner.class).getValue()));
        type(robot, "#adminPassphrase", TestConsoles.ADMIN_PASS);
        type(robot, "#adminConfirm", TestConsoles.ADMIN_PASS);
        robot.clickOn("#createButton");

        // Shares page: three shares, each with a copy button.
        Fx.until(() -> visible(robot, "#share3"));
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
        Fx.until(() -> visible(robot, "#confirmShare"));
        assertFalse(visible(robot, "#share1"), "the shares are hidden on the confirmation page");
        type(robot, "#confirmShare", shares.get(0));
        robot.clickOn("#acknowledgeShares");
        robot.clickOn("#finishButton");
        Fx.until(() -> text(robot, "#error").contains("not share 3"));
        assertEquals("", Fx.call(() -> robot.lookup("#confirmShare").queryAs(TextInputControl.class).getText()),
                "the share field is wiped after a try");
        type(robot, "#confirmShare", shares.get(2));
        robot.clickOn("#finishButton");
        waitPhase(ConsoleViewModel.Phase.LOCKED);
        assertTrue(clipboard.current().isEmpty(), "the copied share left the clipboard");

        // Unlock: the screen asks for shares and counts them.
        Fx.until(() -> text(robot, "#shareProgress").equals("0 of 2 shares entered"));
        assertEquals("Unseal share 1 of 2", text(robot, "#credentialLabel"));
        assertEquals("Add share", Fx.call(() -> robot.lookup("#unsealButton").queryAs(Button.class).getText()));
        type(robot, "#unsealPassphrase", shares.get(2));
        robot.clickOn("#unsealButton");
        Fx.until(() -> text(robot, "#shareProgress").equals("1 of 2 shares entered"));
        assertEquals("Unseal share 2 of 2", text(robot, "#credentialLabel"));
        assertTrue(window.viewModel().vault().lifecycle().status().sealed());
        // The same share again is refused inline, and the count stays.
        type(robot, "#unsealPassphrase", shares.get(2));
        robot.clickOn("#unsealButton");
        Fx.until(() -> text(robot, "#error").contains("already entered"));
        assertEquals("1 of 2 shares entered", text(robot, "#shareProgress"));
        type(robot, "#unsealPassphrase", shares.get(0));
        robot.clickOn("#unsealButton");
        Fx.until(() -> visible(robot, "#operatorPassphrase"));
        assertFalse(window.viewModel().vault().lifecycle().status().sealed());
        type(robot, "#operatorPassphrase", TestConsoles.ADMIN_PASS);
        robot.clickOn("#loginButton");
        waitPhase(ConsoleViewModel.Phase.UNLOCKED);
    }

    @Test
    void hsmInitWithTestConnectionThenUnlockWithThePin(FxRobot robot) {
        SoftHsmToken hsm = SoftHsmToken.get();
        waitPhase(ConsoleViewModel.Phase.NEEDS_INIT);
        robot.clickOn("#sealHsm");
        Fx.until(() -> visible(robot, "#hsmPin"));
        Fx.run(() -> robot.lookup("#hsmLibrary").queryAs(TextField.class).setText(hsm.library().toString()));
        type(robot, "#hsmSlot", Long.toString(hsm.slot()));
        type(robot, "#hsmKeyLabel", SoftHsmToken.uniqueLabel());
        type(robot, "#hsmPin", "0000");
        robot.clickOn("#testHsmButton");
        Fx.until(() -> text(robot, "#hsmResult").startsWith("Connection failed"));
        type(robot, "#hsmPin", SoftHsmToken.PIN);
        robot.clickOn("#testHsmButton");
        Fx.until(() -> text(robot, "#hsmResult").startsWith("Connected"));
        assertTrue(text(robot, "#hsmResult").contains("will generate it"), text(robot, "#hsmResult"));
        type(robot, "#adminPassphrase", TestConsoles.ADMIN_PASS);
        type(robot, "#adminConfirm", TestConsoles.ADMIN_PASS);
        robot.clickOn("#createButton");
        waitPhase(ConsoleViewModel.Phase.LOCKED);
        assertEquals("pkcs11", window.viewModel().vault().lifecycle().status().sealType());

        Fx.until(() -> text(robot, "#credentialLabel").equals("HSM user PIN"));
        type(robot, "#unsealPassphrase", "0000");
        robot.clickOn("#unsealButton");
        Fx.until(() -> !text(robot, "#error").isEmpty());
        assertFalse(text(robot, "#error").contains("0000"));
        assertTrue(window.viewModel().vault().lifecycle().status().sealed());
        // A wrong PIN starts a backoff: wait it out on the test clock, then the right PIN unseals.
        clock.advance(java.time.Duration.ofMinutes(10));
        Fx.until(() -> !Fx.call(() -> robot.lookup("#unsealButton").queryAs(Button.class).isDisabled()));
        type(robot, "#unsealPassphrase", SoftHsmToken.PIN);
        robot.clickOn("#unsealButton");
        Fx.until(() -> visible(robot, "#operatorPassphrase"));
        type(robot, "#operatorPassphrase", TestConsoles.ADMIN_PASS);
        robot.clickOn("#loginButton");
        waitPhase(ConsoleViewModel.Phase.UNLOCKED);
    }

    private void waitPhase(ConsoleViewModel.Phase p) {
        try {
            Fx.until(() -> window.viewModel().phase() == p);
        } catch (AssertionError e) {
            String shown = Fx.call(() -> new FxRobot().lookup(".error").queryAll().stream()
                    .map(n -> ((Label) n).getText()).toList().toString());
            throw new AssertionError("phase " + window.viewModel().phase() + " instead of " + p + "; errors shown: "
                    + shown, e);
        }
    }

    private static boolean visible(FxRobot robot, String query) {
        return Fx.call(() -> robot.lookup(query).tryQuery().map(SealFlowTest::shown).orElse(false));
    }

    private static boolean shown(Node n) {
        for (Node p = n; p != null; p = p.getParent()) {
            if (!p.isVisible()) {
                return false;
            }
        }
        return n.getScene() != null;
    }

    private static String text(FxRobot robot, String query) {
        return Fx.call(() -> robot.lookup(query).queryAs(Label.class).getText());
    }

    /** Clicks a text field and types into it, waiting until the field holds exactly the text. */
    private static void type(FxRobot robot, String query, String text) {
        robot.clickOn(query);
        TextInputControl field = robot.lookup(query).queryAs(TextInputControl.class);
        Fx.until(field::isFocused);
        // Monocle's robot can drop the first key typed into a freshly focused field: type a probe
        // character, clear the field, then type the text.
        robot.write("x");
        WaitForAsyncUtils.waitForFxEvents();
        Fx.run(field::clear);
        robot.write(text, 5);
        try {
            Fx.until(() -> field.getText().equals(text));
        } catch (AssertionError e) {
            throw new AssertionError(query + " holds [" + Fx.call(field::getText) + "]", e);
        }
    }
}
