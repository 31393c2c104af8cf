package dev.keyward.console.defects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.Fx;
import dev.keyward.console.UnlockedWindow;
import java.nio.file.Path;
import javafx.geometry.Bounds;
import javafx.geometry.Rectangle2D;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.TextField;
import javafx.stage.Screen;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secret editor had a fixed size: adding fields pushed Path off the top and cut off Save. It
 * resizes and scrolls, keeps Path and Save on screen, and focuses its first field.
 */
class SecretEditorLayoutTest {
    @TempDir
    Path home;
    UnlockedWindow ui;

    @BeforeEach
    void open() throws Exception {
        ui = UnlockedWindow.open(home);
        ui.show(dev.keyward.console.common.Screen.SECRETS);
    }

    @AfterEach
    void close() {
        ui.close();
    }

    private static boolean inside(Node n, Rectangle2D area) {
        Bounds b = n.localToScreen(n.getBoundsInLocal());
        return b != null && b.getMinY() >= area.getMinY() - 1 && b.getMaxY() <= area.getMaxY() + 1
                && b.getMinX() >= area.getMinX() - 1 && b.getMaxX() <= area.getMaxX() + 1;
    }

    @Test
    void manyFieldsScrollWhilePathAndSaveStayOnScreenAndThePathHasFocus() {
        ui.robot.clickOn("#newSecret");
        Fx.until(() -> ui.dialog() != null);
        Window dialog = ui.dialog();
        TextField path = ui.find("#editPath", TextField.class);
        Fx.until(path::isFocused);
        for (int i = 0; i < 24; i++) {
            ui.robot.clickOn("#addFieldButton");
        }
        Fx.until(() -> ui.robot.lookup("#fieldName24").tryQuery().isPresent());
        Button save = ui.find("#saveSecret", Button.class);
        Rectangle2D screen = Fx.call(() -> Screen.getPrimary().getVisualBounds());
        Rectangle2D window = Fx.call(() -> new Rectangle2D(dialog.getX(), dialog.getY(), dialog.getWidth(),
                dialog.getHeight()));
        assertTrue(Fx.call(() -> inside(save, window) && inside(save, screen)), "Save is cut off: " + window);
        assertTrue(Fx.call(() -> inside(path, window) && inside(path, screen)), "Path is pushed off: " + window);
        assertTrue(Fx.call(() -> ((Stage) dialog).isResizable()), "the editor can be resized");
        assertEquals(Boolean.TRUE, Fx.call(() -> dialog.getHeight() <= screen.getHeight()));
    }
}
