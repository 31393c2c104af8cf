package dev.keyward.console.defects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.Fx;
import dev.keyward.console.UnlockedWindow;
import dev.keyward.console.common.Screen;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.text.Text;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policy errors showed raw parser text, and a semantic error selected the wrong line. They are a
 * sentence at the right line, and the editor has line numbers.
 */
class PolicyErrorsTest {
    private static final String GOOD = "keyward: 1\npolicies:\n  - name: ci\n    description: x\n    rules:\n"
            + "      - path: secret/*\n        capabilities: [read]\n        owner: me\n        justification: because\n"
            + "        expires: 2030-01-01T00:00:00Z\n";
    @TempDir
    Path home;
    UnlockedWindow ui;
    TextArea editor;
    Label message;

    @BeforeEach
    void open() throws Exception {
        ui = UnlockedWindow.open(home);
        ui.show(Screen.POLICIES);
        editor = ui.find("#yamlEditor", TextArea.class);
        message = ui.find("#yamlMessage", Label.class);
        Fx.until(() -> editor.getText().startsWith("keyward: 1"));
    }

    @AfterEach
    void close() {
        ui.close();
    }

    private String validate(String yaml) {
        Fx.run(() -> editor.setText(yaml));
        Fx.run(() -> editor.positionCaret(0));
        ui.robot.clickOn("#validateButton");
        Fx.until(() -> !message.getText().isEmpty());
        return Fx.call(message::getText);
    }

    private int selectedLine() {
        return Fx.call(() -> (int) editor.getText().substring(0, editor.getSelection().getStart()).chars()
                .filter(c -> c == '\n').count() + 1);
    }

    @Test
    void aSyntaxErrorIsASentenceWithoutParserInternals() {
        String shown = validate(GOOD.replace("owner: me", "owner me"));
        for (String raw : List.of("scanning", "reader", "^", "`", "Cannot construct", "simple key")) {
            assertFalse(shown.contains(raw), "raw parser text '" + raw + "' in: " + shown);
        }
        assertTrue(shown.matches("(?s)[Ll]ine \\d+.*"), shown);
        assertEquals(8, selectedLine(), shown);
    }

    @Test
    void anUnknownCapabilitySelectsItsOwnLine() {
        String shown = validate(GOOD.replace("[read]", "[reed]"));
        assertTrue(shown.contains("reed"), shown);
        assertEquals(7, selectedLine(), "the line of 'capabilities: [reed]', not the end of the rule: " + shown);
        assertEquals("        capabilities: [reed]", Fx.call(editor::getSelectedText));
    }

    @Test
    void aBadExpirySelectsItsOwnLine() {
        validate(GOOD.replace("expires: 2030-01-01T00:00:00Z", "expires: soon"));
        assertEquals(10, selectedLine());
    }

    @Test
    void aListWrittenAsTextIsExplained() {
        String shown = validate(GOOD.replace("[read]", "read"));
        assertFalse(shown.contains("Cannot construct") || shown.contains("ArrayList"), shown);
        assertTrue(shown.contains("capabilities"), shown);
        assertEquals(7, selectedLine(), shown);
    }

    @Test
    void theEditorShowsLineNumbers() {
        Fx.run(() -> editor.setText(GOOD));
        Node gutter = ui.find("#yamlLineNumbers", Node.class);
        String numbers = Fx.call(() -> gutter instanceof Text t ? t.getText()
                : gutter instanceof Label l ? l.getText() : gutter.lookupAll(".text").stream()
                .map(n -> ((Text) n).getText()).reduce("", (a, b) -> a + "\n" + b));
        for (int i = 1; i <= 10; i++) {
            assertTrue(numbers.contains(Integer.toString(i)), numbers);
        }
    }
}
