package dev.keyward.console.defects;

import dev.keyward.console.Fx;
import dev.keyward.console.UnlockedWindow;
import dev.keyward.console.common.Screen;
import dev.keyward.console.secrets.FieldRow;
import dev.keyward.console.secrets.SecretRow;
import dev.keyward.vault.api.SecretData;
import java.nio.file.Path;
import java.util.Map;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A message goes away once what it says is no longer true. */
class StaleMessagesTest {
    @TempDir
    Path home;
    UnlockedWindow ui;

    @BeforeEach
    void open() throws Exception {
        ui = UnlockedWindow.open(home);
        ui.vault().secrets().write(ui.admin(), "a/one", SecretData.of(Map.of("value", "1")), null);
        ui.vault().secrets().write(ui.admin(), "b/two", SecretData.of(Map.of("value", "2")), null);
    }

    @AfterEach
    void close() {
        ui.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theCopiedMessageGoesWhenAnotherSecretIsSelected() {
        ui.show(Screen.SECRETS);
        TableView<SecretRow> table = ui.find("#table", TableView.class);
        Fx.until(() -> table.getItems().size() == 2);
        Fx.run(() -> table.getSelectionModel().select(0));
        TableView<FieldRow> fields = ui.find("#fieldTable", TableView.class);
        Fx.until(() -> fields.getItems().size() == 1);
        Fx.run(() -> fields.getSelectionModel().select(0));
        ui.robot.clickOn("#copyButton");
        Label info = ui.find("#info", Label.class);
        Fx.until(() -> info.getText().startsWith("Copied"));
        Fx.run(() -> table.getSelectionModel().select(1));
        Fx.until(() -> "b/two".equals(ui.find("#selectedPath", Label.class).getText()));
        Fx.until(() -> info.getText().isEmpty());
    }

    @Test
    void aValidationResultGoesWhenThePolicyDocumentIsEdited() {
        ui.show(Screen.POLICIES);
        TextArea editor = ui.find("#yamlEditor", TextArea.class);
        Fx.until(() -> editor.getText().startsWith("keyward: 1"));
        ui.robot.clickOn("#validateButton");
        Label message = ui.find("#yamlMessage", Label.class);
        Fx.until(() -> message.getText().startsWith("Valid"));
        Fx.run(() -> editor.appendText("\n# a comment"));
        Fx.until(() -> message.getText().isEmpty());
    }

    @Test
    void theSavedMessageGoesWhenASettingChangesAgain() {
        ui.show(Screen.SETTINGS);
        ui.robot.clickOn("#applyButton");
        Label message = ui.find("#message", Label.class);
        Fx.until(() -> message.getText().startsWith("Saved"));
        Fx.run(() -> ui.find("#mutualTls", javafx.scene.control.CheckBox.class).fire());
        Fx.until(() -> message.getText().isEmpty());
    }

    @Test
    void theEditorsErrorGoesOnceTheFieldIsFixed() {
        ui.show(Screen.SECRETS);
        ui.robot.clickOn("#newSecret");
        Fx.until(() -> ui.dialog() != null);
        Fx.run(() -> ui.find("#editPath", javafx.scene.control.TextField.class).setText("bad//path"));
        ui.robot.clickOn("#saveSecret");
        Label error = Fx.call(() -> (Label) ui.dialog().getScene().getRoot().lookup("#error"));
        Fx.until(() -> !error.getText().isEmpty());
        Fx.run(() -> ui.find("#editPath", javafx.scene.control.TextField.class).setText("good/path"));
        Fx.until(() -> error.getText().isEmpty());
    }
}
