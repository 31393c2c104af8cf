package dev.keyward.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.common.Screen;
import java.nio.file.Path;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;

/** Screens other than secrets, driven through the real window on an unlocked vault. */
class ScreensTest {
    @TempDir
    Path home;
    private ConsoleWindow window;
    private final FxRobot robot = new FxRobot();

    @BeforeEach
    void open() throws Exception {
        Fx.start();
        ConsoleViewModel console = TestConsoles.unlocked(TestConsoles.config(home, MutableClock.now(),
                new MemoryClipboard()));
        FxToolkit.setupStage(Stage::hide);
        window = Fx.call(() -> {
            ConsoleWindow w = new ConsoleWindow(console, new Stage());
            w.start();
            return w;
        });
        Fx.until(() -> window.main() != null);
    }

    @AfterEach
    void close() {
        Fx.run(() -> window.stage().close());
        window.viewModel().close();
    }

    @Test
    void policyYamlErrorIsShownAtItsLine() {
        Fx.run(() -> window.main().viewModel().navigate(Screen.POLICIES));
        TextArea editor = robot.lookup("#yamlEditor").queryAs(TextArea.class);
        Fx.until(() -> editor.getText().startsWith("keyward: 1"));
        String bad = "keyward: 1\npolicies:\n  - name: ci\n    rules:\n      - path: secret/*\n"
                + "     capabilities: [read]\n";
        Fx.run(() -> editor.setText(bad));
        robot.clickOn("#validateButton");
        Label message = robot.lookup("#yamlMessage").queryAs(Label.class);
        Fx.until(() -> message.getText().startsWith("Line "));
        assertTrue(message.getText().startsWith("Line 6, column "), message.getText());
        int selectedLine = Fx.call(() -> (int) editor.getText().substring(0, editor.getSelection().getStart())
                .chars().filter(c -> c == '\n').count() + 1);
        assertEquals(6, selectedLine, "the editor selects the line of the error");
        assertEquals("     capabilities: [read]", Fx.call(editor::getSelectedText));
    }

    @Test
    void auditVerifyLogReachesOneHundredPercent() {
        Fx.run(() -> window.main().viewModel().navigate(Screen.AUDIT));
        javafx.scene.control.TableView<?> entries = robot.lookup("#entryTable").queryAs(
                javafx.scene.control.TableView.class);
        Fx.until(() -> !entries.getItems().isEmpty());
        robot.clickOn("#verifyButton");
        javafx.scene.control.ProgressBar bar = robot.lookup("#verifyProgress").queryAs(
                javafx.scene.control.ProgressBar.class);
        Label result = robot.lookup("#verifyResult").queryAs(Label.class);
        Fx.until(() -> result.getText().startsWith("Verified"));
        assertEquals(1.0, Fx.call(bar::getProgress), 1e-9);
    }

    @Test
    void explainSaysWhichRuleDecides() {
        Fx.run(() -> window.main().viewModel().navigate(Screen.POLICIES));
        robot.clickOn("#explainIdentity").write("admin");
        Fx.run(() -> robot.lookup("#explainPath").queryAs(javafx.scene.control.TextField.class)
                .setText("team/db/password"));
        robot.clickOn("#explainButton");
        Label result = robot.lookup("#explainResult").queryAs(Label.class);
        Fx.until(() -> result.getText().contains(" by "));
        assertTrue(result.getText().startsWith("ALLOWED by "), result.getText());
    }

    @Test
    void identitiesListTheAdminAndItsSessionToken() {
        Fx.run(() -> window.main().viewModel().navigate(Screen.IDENTITIES));
        javafx.scene.control.TableView<?> ops = robot.lookup("#operatorTable").queryAs(
                javafx.scene.control.TableView.class);
        javafx.scene.control.TableView<?> tokens = robot.lookup("#tokenTable").queryAs(
                javafx.scene.control.TableView.class);
        Fx.until(() -> ops.getItems().size() == 1 && !tokens.getItems().isEmpty());
    }
}
