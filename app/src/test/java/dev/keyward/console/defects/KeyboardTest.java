package dev.keyward.console.defects;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.Fx;
import dev.keyward.console.Ui;
import dev.keyward.console.UnlockedWindow;
import dev.keyward.console.common.Screen;
import dev.keyward.console.secrets.FieldRow;
import dev.keyward.console.secrets.SecretRow;
import dev.keyward.vault.api.SecretData;
import java.nio.file.Path;
import java.util.Map;
import javafx.scene.control.ButtonBase;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl+F, Ctrl+N, Ctrl+L, copy of the selected field, Esc on dialogs, and a visible focus ring in the sidebar. */
class KeyboardTest {
    private static final String CANARY = "keyboard-canary-77";
    @TempDir
    Path home;
    UnlockedWindow ui;

    @BeforeEach
    void open() throws Exception {
        ui = UnlockedWindow.open(home);
        ui.vault().secrets().write(ui.admin(), "team/api", SecretData.of(Map.of("value", CANARY)), null);
        ui.show(Screen.SECRETS);
    }

    @AfterEach
    void close() {
        ui.close();
    }

    private void shortcut(KeyCode key) {
        ui.robot.press(KeyCode.SHORTCUT, key).release(key, KeyCode.SHORTCUT);
    }

    @Test
    @SuppressWarnings("unchecked")
    void ctrlFFocusesTheFilterFromAnywhereOnTheSecretsScreen() {
        TableView<SecretRow> table = ui.find("#table", TableView.class);
        Fx.until(() -> !table.getItems().isEmpty());
        ui.robot.clickOn(table);
        Fx.until(table::isFocused);
        shortcut(KeyCode.F);
        Fx.until(() -> ui.find("#search", TextField.class).isFocused());
    }

    @Test
    void ctrlNOpensANewSecretAndEscClosesIt() {
        ui.robot.clickOn("#table");
        shortcut(KeyCode.N);
        Fx.until(() -> ui.dialog() != null && Ui.visible(ui.robot, "#editPath"));
        ui.robot.press(KeyCode.ESCAPE).release(KeyCode.ESCAPE);
        Fx.until(() -> ui.dialog() == null);
    }

    @Test
    void ctrlLLocks() {
        ui.robot.clickOn("#table");
        shortcut(KeyCode.L);
        Ui.waitPhase(ui.console(), ConsoleViewModel.Phase.LOCKED);
    }

    @Test
    @SuppressWarnings("unchecked")
    void ctrlCInTheFieldTableCopiesTheSelectedFieldsValue() {
        TableView<SecretRow> table = ui.find("#table", TableView.class);
        Fx.until(() -> !table.getItems().isEmpty());
        Fx.run(() -> table.getSelectionModel().select(0));
        TableView<FieldRow> fields = ui.find("#fieldTable", TableView.class);
        Fx.until(() -> fields.getItems().size() == 1);
        Fx.run(() -> {
            fields.requestFocus();
            fields.getSelectionModel().select(0);
        });
        Fx.until(fields::isFocused);
        shortcut(KeyCode.C);
        Fx.until(() -> ui.clipboard.current().map(CANARY::equals).orElse(false));
    }

    /** Pixels that differ between two pictures of the same size. */
    private static int differing(javafx.scene.image.WritableImage a, javafx.scene.image.WritableImage b) {
        int n = 0;
        for (int y = 0; y < (int) Math.min(a.getHeight(), b.getHeight()); y++) {
            for (int x = 0; x < (int) Math.min(a.getWidth(), b.getWidth()); x++) {
                if (a.getPixelReader().getArgb(x, y) != b.getPixelReader().getArgb(x, y)) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void theFocusedSidebarEntryIsVisiblyMarked() {
        // The selected entry (Secrets is shown) is the one the keyboard lands on first: its focus must show.
        ButtonBase secrets = ui.find("#nav-secrets", ButtonBase.class);
        ButtonBase audit = ui.find("#nav-audit", ButtonBase.class);
        ui.robot.moveTo(ui.find("#lockButton", javafx.scene.Node.class));
        Fx.run(secrets::requestFocus);
        Fx.until(secrets::isFocused);
        javafx.scene.image.WritableImage focused = Fx.call(() -> secrets.snapshot(null, null));
        Fx.run(audit::requestFocus);
        Fx.until(() -> !secrets.isFocused());
        javafx.scene.image.WritableImage plain = Fx.call(() -> secrets.snapshot(null, null));
        int changed = differing(focused, plain);
        assertTrue(changed > 40, "the focused, selected sidebar entry looks (almost) the same as when it is not "
                + "focused: " + changed + " pixels differ");
    }
}
