package dev.keyward.console.defects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.Fx;
import dev.keyward.console.Ui;
import dev.keyward.console.UnlockedWindow;
import dev.keyward.console.common.Screen;
import dev.keyward.vault.api.IdentityService;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.TextInputControl;
import javafx.scene.input.KeyCode;
import javafx.scene.text.Text;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shown-once secret_id dialog was one line that had to be scrolled. It shows role_id and
 * secret_id in full, each with its own Copy, stays open after copying, and Esc closes it.
 */
class SecretIdDialogTest {
    @TempDir
    Path home;
    UnlockedWindow ui;
    String roleId;

    @BeforeEach
    void open() throws Exception {
        ui = UnlockedWindow.open(home);
        ui.vault().identities().putAppRole(ui.admin(), IdentityService.AppRoleSpec.of("ci", List.of()));
        roleId = ui.vault().identities().roleId(ui.admin(), "ci");
    }

    @AfterEach
    void close() {
        ui.close();
    }

    private static List<TextInputControl> inputs(Parent root) {
        return root.lookupAll(".text-input").stream().filter(n -> n instanceof TextInputControl)
                .map(n -> (TextInputControl) n).toList();
    }

    private static boolean showsAll(TextInputControl f) {
        Text probe = new Text(f.getText());
        probe.setFont(f.getFont());
        double room = f.getWidth() - f.getInsets().getLeft() - f.getInsets().getRight();
        return probe.getLayoutBounds().getWidth() <= room + 0.5 || f instanceof javafx.scene.control.TextArea ta
                && ta.isWrapText();
    }

    private Button button(Parent root, String startsWith) {
        return Fx.call(() -> root.lookupAll(".button").stream()
                .filter(n -> n instanceof Button b && b.getText() != null && b.getText().startsWith(startsWith))
                .map(n -> (Button) n).findFirst().orElseThrow(() -> new AssertionError("no button " + startsWith)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void roleIdAndSecretIdAreShownInFullEachWithACopyAndTheDialogStaysOpen() {
        ui.show(Screen.IDENTITIES);
        javafx.scene.control.TableView<IdentityService.AppRoleInfo> roles = ui.find("#roleTable",
                javafx.scene.control.TableView.class);
        Fx.until(() -> !roles.getItems().isEmpty());
        Fx.run(() -> roles.getSelectionModel().select(0));
        Button issue = Fx.call(() -> ui.robot.lookup(".button").queryAll().stream()
                .filter(n -> n instanceof Button b && b.getText() != null && b.getText().startsWith("Issue secret_id")
                        && Ui.shown(b)).map(n -> (Button) n).findFirst().orElseThrow());
        ui.robot.clickOn(issue);
        Fx.until(() -> ui.dialog() != null);
        Window dialog = ui.dialog();
        Parent root = dialog.getScene().getRoot();
        List<TextInputControl> fields = Fx.call(() -> inputs(root));
        TextInputControl roleField = fields.stream().filter(f -> f.getText().equals(roleId)).findFirst()
                .orElseThrow(() -> new AssertionError("no field holds exactly the role_id: "
                        + fields.stream().map(TextInputControl::getText).toList().size() + " fields"));
        TextInputControl secretField = fields.stream().filter(f -> f != roleField && !f.getText().isBlank())
                .findFirst().orElseThrow(() -> new AssertionError("no field holds the secret_id alone"));
        String secretId = Fx.call(secretField::getText);
        assertNotNull(ui.vault().auth().loginAppRole(roleId, secretId, "test"), "it is the whole secret_id");
        assertTrue(Fx.call(() -> showsAll(roleField)), "the role_id is shown without scrolling");
        assertTrue(Fx.call(() -> showsAll(secretField)), "the secret_id is shown without scrolling");

        ui.robot.clickOn(button(root, "Copy role_id"));
        Fx.until(() -> ui.clipboard.current().map(roleId::equals).orElse(false));
        assertTrue(Fx.call(dialog::isShowing), "the dialog stays open after a copy");
        ui.robot.clickOn(button(root, "Copy secret_id"));
        Fx.until(() -> ui.clipboard.current().map(secretId::equals).orElse(false));
        assertTrue(Fx.call(dialog::isShowing), "the dialog stays open after a copy");

        ui.robot.press(KeyCode.ESCAPE).release(KeyCode.ESCAPE);
        Fx.until(() -> !dialog.isShowing());
        assertEquals(List.of(), Fx.call(() -> inputs(root).stream().map(TextInputControl::getText)
                .filter(t -> !t.isEmpty()).toList()), "nothing keeps the secret_id after the dialog closes");
    }

}
