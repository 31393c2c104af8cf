package dev.keyward.console;

import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TextInputControl;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/** What the TestFX tests do with the real window: type, look, wait. */
public final class Ui {
    private Ui() {
    }

    /** Waits for the console's phase; on failure says which phase it is in and which errors show. */
    public static void waitPhase(ConsoleViewModel console, ConsoleViewModel.Phase p) {
        try {
            Fx.until(() -> console.phase() == p);
        } catch (AssertionError e) {
            String shown = Fx.call(() -> new FxRobot().lookup(".error").queryAll().stream()
                    .filter(n -> n instanceof Label).map(n -> ((Label) n).getText()).toList().toString());
            throw new AssertionError("phase " + console.phase() + " instead of " + p + "; errors shown: " + shown
                    + "; problem: " + console.problemProperty().get(), e);
        }
    }

    /** Whether the node is in a scene and it and all its parents are visible. */
    public static boolean visible(FxRobot robot, String query) {
        return Fx.call(() -> robot.lookup(query).tryQuery().map(Ui::shown).orElse(false));
    }

    public static boolean shown(Node n) {
        for (Node p = n; p != null; p = p.getParent()) {
            if (!p.isVisible()) {
                return false;
            }
        }
        return n.getScene() != null;
    }

    public static String text(FxRobot robot, String query) {
        return Fx.call(() -> robot.lookup(query).queryAs(Label.class).getText());
    }

    /** Clicks a text field and types into it, waiting until the field holds exactly the text. */
    public static void type(FxRobot robot, String query, String text) {
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
            throw new AssertionError(query + " holds [" + Fx.call(field::getText) + "], focus owner "
                    + Fx.call(() -> String.valueOf(field.getScene().getFocusOwner())), e);
        }
    }
}
