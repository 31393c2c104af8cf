package dev.keyward.console.secrets;

import dev.keyward.console.common.Screen;
import dev.keyward.console.common.Validation;
import dev.keyward.console.common.ViewLoader;
import java.util.function.Consumer;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.controlsfx.validation.ValidationSupport;

/** The field editor for creating and editing a secret. Values are masked unless "Show values" is ticked. */
public final class SecretEditorView {
    private final SecretEditorViewModel vm;
    private final Parent root;
    @FXML private TextField editPath;
    @FXML private TextField editOwner;
    @FXML private TextField editTags;
    @FXML private ComboBox<String> editCriticality;
    @FXML private TextField editExpires;
    @FXML private VBox fieldRows;
    @FXML private CheckBox showValues;
    @FXML private Label error;

    public SecretEditorView(SecretEditorViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(Screen.SECRET_EDITOR, this);
    }

    @FXML
    private void initialize() {
        editPath.textProperty().bindBidirectional(vm.pathProperty());
        editPath.disableProperty().bind(vm.editingProperty());
        editOwner.textProperty().bindBidirectional(vm.ownerProperty());
        editTags.textProperty().bindBidirectional(vm.tagsProperty());
        editCriticality.getItems().setAll(SecretLabels.CRITICALITIES);
        editCriticality.valueProperty().bindBidirectional(vm.criticalityProperty());
        editExpires.textProperty().bindBidirectional(vm.expiresProperty());
        error.textProperty().bind(vm.errorProperty());
        vm.fields().addListener((ListChangeListener<SecretEditorViewModel.Field>) c -> rebuild());
        showValues.selectedProperty().addListener((o, a, b) -> rebuild());
        rebuild();
        ValidationSupport vs = new ValidationSupport();
        Validation.<String>register(vs, editPath, vm::checkPath);
        Validation.<String>register(vs, editExpires, vm::checkExpiry);
    }

    private void rebuild() {
        fieldRows.getChildren().clear();
        int i = 0;
        for (SecretEditorViewModel.Field f : vm.fields()) {
            TextField name = new TextField();
            name.setPromptText("field name");
            name.setId("fieldName" + i);
            name.textProperty().bindBidirectional(f.nameProperty());
            TextField value = showValues.isSelected() ? new TextField() : new PasswordField();
            value.setPromptText("value");
            value.setId("fieldValue" + i);
            value.textProperty().bindBidirectional(f.valueProperty());
            HBox.setHgrow(value, Priority.ALWAYS);
            Button remove = new Button("Remove");
            remove.setOnAction(e -> vm.removeField(f));
            HBox row = new HBox(8, name, value, remove);
            fieldRows.getChildren().add(row);
            i++;
        }
    }

    @FXML
    private void addField() {
        vm.addField();
    }

    /** A dialog around the editor: Save validates and writes; the dialog closes only on success. */
    public Dialog<ButtonType> dialog(Window owner, String title, Consumer<String> onSaved) {
        Dialog<ButtonType> d = new Dialog<>();
        d.initOwner(owner);
        d.setTitle(title);
        d.getDialogPane().setContent(root);
        d.getDialogPane().getButtonTypes().setAll(ButtonType.CANCEL, ButtonType.OK);
        Button save = (Button) d.getDialogPane().lookupButton(ButtonType.OK);
        save.setText("Save");
        save.setId("saveSecret");
        save.disableProperty().bind(vm.busyProperty());
        save.addEventFilter(javafx.event.ActionEvent.ACTION, e -> {
            e.consume();
            vm.save(p -> {
                d.setResult(ButtonType.OK);
                d.close();
                onSaved.accept(p);
            });
        });
        d.setOnHidden(e -> {
            vm.clearValues();
            fieldRows.getChildren().clear();
        });
        return d;
    }
}
