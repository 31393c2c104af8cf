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
import javafx.scene.control.DatePicker;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
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
    @FXML private DatePicker editExpires;
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
        editExpires.getEditor().textProperty().bindBidirectional(vm.expiresProperty());
        editExpires.setConverter(new javafx.util.converter.LocalDateStringConverter(
                java.time.format.DateTimeFormatter.ISO_LOCAL_DATE, java.time.format.DateTimeFormatter.ISO_LOCAL_DATE));
        editExpires.valueProperty().addListener((o, a, d) -> {
            String text = d == null ? "" : d.toString();
            if (!text.equals(vm.expiresProperty().get()) && (d != null || vm.checkExpiry(vm.expiresProperty().get())
                    .isEmpty())) {
                vm.expiresProperty().set(text);
            }
        });
        error.textProperty().bind(vm.errorProperty());
        vm.fields().addListener((ListChangeListener<SecretEditorViewModel.Field>) c -> rebuild());
        showValues.selectedProperty().addListener((o, a, b) -> rebuild());
        rebuild();
        ValidationSupport vs = new ValidationSupport();
        Validation.<String>register(vs, editPath, vm::checkPath);
        Validation.<String>register(vs, editExpires.getEditor(), vm::checkExpiry);
    }

    private void rebuild() {
        fieldRows.getChildren().clear();
        int i = 0;
        for (SecretEditorViewModel.Field f : vm.fields()) {
            TextField name = new TextField();
            name.setPromptText("e.g. password");
            name.setId("fieldName" + i);
            name.setPrefColumnCount(10);
            name.textProperty().bindBidirectional(f.nameProperty());
            TextField value = showValues.isSelected() ? new TextField() : new PasswordField();
            value.setId("fieldValue" + i);
            value.textProperty().bindBidirectional(f.valueProperty());
            HBox.setHgrow(value, Priority.ALWAYS);
            Label nameLabel = new Label("Name");
            nameLabel.setLabelFor(name);
            Label valueLabel = new Label("Value");
            valueLabel.setLabelFor(value);
            Button generate = new Button("Generate\u2026");
            generate.setId("generate" + i);
            generate.setMinWidth(Region.USE_PREF_SIZE);
            generate.setOnAction(e -> GeneratorDialog.ask(root.getScene().getWindow()).ifPresent(v -> {
                f.valueProperty().set(v);
            }));
            Button remove = new Button("Remove");
            remove.setMinWidth(Region.USE_PREF_SIZE);
            remove.setOnAction(e -> vm.removeField(f));
            HBox row = new HBox(6, nameLabel, name, valueLabel, value, generate, remove);
            row.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
            fieldRows.getChildren().add(row);
            i++;
        }
    }

    /** The first field to type into: the path of a new secret, else the first value. */
    private javafx.scene.Node firstField() {
        if (!vm.editingProperty().get()) {
            return editPath;
        }
        return fieldRows.getChildren().isEmpty() ? editOwner
                : ((HBox) fieldRows.getChildren().get(0)).getChildren().get(3);
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
        d.setResizable(true);
        javafx.geometry.Rectangle2D screen = javafx.stage.Screen.getPrimary().getVisualBounds();
        d.getDialogPane().setMaxHeight(screen.getHeight() * 0.92);
        d.getDialogPane().setMaxWidth(screen.getWidth() * 0.95);
        d.setOnShown(e -> javafx.application.Platform.runLater(() -> firstField().requestFocus()));
        d.setOnHidden(e -> {
            vm.clearValues();
            fieldRows.getChildren().clear();
        });
        return d;
    }
}
