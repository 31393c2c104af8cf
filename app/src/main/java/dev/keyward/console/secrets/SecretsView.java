package dev.keyward.console.secrets;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ScreenView;
import dev.keyward.console.common.ViewLoader;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.fxml.FXML;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.Parent;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.layout.VBox;

/** Folder tree, filtered table, and the selected secret's details. */
public final class SecretsView implements ScreenView {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private final SecretsViewModel vm;
    private final ConsoleViewModel console;
    private final Parent root;
    @FXML private TextField search;
    @FXML private Label summary;
    @FXML private ProgressIndicator loading;
    @FXML private TreeView<SecretIndex.FolderNode> folders;
    @FXML private TableView<SecretRow> table;
    @FXML private TableColumn<SecretRow, String> nameColumn;
    @FXML private TableColumn<SecretRow, String> folderColumn;
    @FXML private TableColumn<SecretRow, String> ownerColumn;
    @FXML private TableColumn<SecretRow, String> expiresColumn;
    @FXML private VBox details;
    @FXML private Label selectedPath;
    @FXML private Label owner;
    @FXML private Label tags;
    @FXML private Label criticality;
    @FXML private Label expires;
    @FXML private TableView<FieldRow> fieldTable;
    @FXML private TableColumn<FieldRow, String> fieldName;
    @FXML private TableColumn<FieldRow, String> fieldValue;
    @FXML private TableView<VersionRow> versionTable;
    @FXML private TableColumn<VersionRow, Number> versionNumber;
    @FXML private TableColumn<VersionRow, String> versionCreated;
    @FXML private TableColumn<VersionRow, String> versionState;
    @FXML private Button revealButton;
    @FXML private Label error;
    @FXML private Label info;

    public SecretsView(SecretsViewModel vm, ConsoleViewModel console) {
        this.vm = vm;
        this.console = console;
        this.root = ViewLoader.load(Screen.SECRETS, this);
    }

    @FXML
    private void initialize() {
        search.textProperty().bindBidirectional(vm.queryProperty());
        summary.textProperty().bind(vm.summaryProperty());
        loading.visibleProperty().bind(vm.loadingProperty());
        table.setItems(vm.rows());
        nameColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().name()));
        folderColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().folder()));
        ownerColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().owner()));
        expiresColumn.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().expires()));
        expiresColumn.setCellFactory(col -> new javafx.scene.control.TableCell<>() {
            @Override
            protected void updateItem(String v, boolean empty) {
                super.updateItem(v, empty);
                SecretRow row = empty || getTableRow() == null ? null : getTableRow().getItem();
                getStyleClass().removeAll("expired", "expiring");
                if (row != null && !row.expiryState().isEmpty()) {
                    getStyleClass().add(row.expiryState());
                    setText(v + (row.expiryState().equals("expired") ? " (expired)" : " (soon)"));
                } else {
                    setText(empty ? null : v);
                }
            }
        });
        table.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null) {
                vm.select(b.path());
            }
        });
        vm.treeProperty().addListener((o, a, t) -> showTree(t));
        folders.setCellFactory(tv -> new javafx.scene.control.TreeCell<>() {
            @Override
            protected void updateItem(SecretIndex.FolderNode item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null
                        : (item.path().isEmpty() ? "All secrets" : item.name()) + "  (" + item.secrets() + ")");
            }
        });
        folders.getSelectionModel().selectedItemProperty().addListener((o, a, b) ->
                vm.folderProperty().set(b == null ? "" : b.getValue().path()));
        details.visibleProperty().bind(vm.selectedPathProperty().isNotNull());
        selectedPath.textProperty().bind(vm.selectedPathProperty());
        owner.textProperty().bind(vm.ownerProperty());
        tags.textProperty().bind(vm.tagsProperty());
        criticality.textProperty().bind(vm.criticalityProperty());
        expires.textProperty().bind(vm.expiresProperty());
        fieldTable.setItems(vm.fields());
        // Ctrl+C on a field copies its value (an audited read, cleared from the clipboard like any copy);
        // Ctrl+Shift+C its kw:// reference.
        KeyCombination copy = new KeyCodeCombination(KeyCode.C, KeyCombination.SHORTCUT_DOWN);
        KeyCombination copyRef = new KeyCodeCombination(KeyCode.C, KeyCombination.SHORTCUT_DOWN,
                KeyCombination.SHIFT_DOWN);
        fieldTable.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (copyRef.match(e)) {
                e.consume();
                copyReference();
            } else if (copy.match(e)) {
                e.consume();
                copyValue();
            }
        });
        fieldName.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().name()));
        fieldValue.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().shown()));
        versionTable.setItems(vm.versions());
        versionNumber.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().version()));
        versionCreated.setCellValueFactory(c -> new ReadOnlyStringWrapper(
                c.getValue().created() == null ? "" : TIME.format(c.getValue().created())));
        versionState.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().stateText()));
        revealButton.textProperty().bind(javafx.beans.binding.Bindings.when(vm.revealedProperty())
                .then("Hide").otherwise("Reveal"));
        error.textProperty().bind(vm.errorProperty());
        info.textProperty().bind(vm.infoProperty());
        showTree(vm.treeProperty().get());
    }

    private void showTree(SecretIndex.FolderNode t) {
        TreeItem<SecretIndex.FolderNode> rootItem = item(t, 0);
        rootItem.setExpanded(true);
        folders.setRoot(rootItem);
    }

    private TreeItem<SecretIndex.FolderNode> item(SecretIndex.FolderNode n, int depth) {
        TreeItem<SecretIndex.FolderNode> it = new TreeItem<>(n);
        it.setExpanded(depth < 1);
        n.children().forEach(c -> it.getChildren().add(item(c, depth + 1)));
        return it;
    }

    @Override
    public Parent root() {
        return root;
    }

    @Override
    public void firstShown() {
        vm.reload();
    }

    @Override
    public void shown() {
        search.requestFocus();
    }

    @Override
    public boolean focusSearch() {
        search.requestFocus();
        search.selectAll();
        return true;
    }

    @Override
    public boolean newItem() {
        openEditor(null);
        return true;
    }

    @Override
    public void tick() {
        vm.tick();
    }

    @Override
    public void dispose() {
        vm.close();
    }

    public SecretsViewModel viewModel() {
        return vm;
    }

    @FXML
    private void reload() {
        vm.reload();
    }

    @FXML
    private void newSecret() {
        openEditor(null);
    }

    @FXML
    private void edit() {
        String p = vm.selectedPathProperty().get();
        if (p != null) {
            openEditor(p);
        }
    }

    private void openEditor(String path) {
        SecretEditorViewModel evm = new SecretEditorViewModel(console);
        SecretEditorView editor = new SecretEditorView(evm);
        if (path != null) {
            evm.load(path);
        } else {
            String f = vm.folderProperty().get();
            evm.pathProperty().set(f == null ? "" : f);
        }
        Dialog<ButtonType> dialog = editor.dialog(root.getScene().getWindow(), path == null ? "New secret" : "Edit secret",
                vm::saved);
        dialog.show();
    }

    @FXML
    private void toggleReveal() {
        if (vm.revealedProperty().get()) {
            vm.hide();
        } else {
            vm.reveal();
        }
    }

    private Optional<String> selectedField() {
        FieldRow f = fieldTable.getSelectionModel().getSelectedItem();
        if (f == null && vm.fields().size() == 1) {
            f = vm.fields().get(0);
        }
        return Optional.ofNullable(f).map(FieldRow::name);
    }

    @FXML
    private void copyValue() {
        selectedField().ifPresentOrElse(vm::copy, () -> info("Select a field to copy."));
    }

    @FXML
    private void copyReference() {
        selectedField().ifPresentOrElse(vm::copyReference, () -> info("Select a field to copy its reference."));
    }

    private void info(String text) {
        new Alert(Alert.AlertType.INFORMATION, text, ButtonType.OK).showAndWait();
    }

    private Optional<VersionRow> selectedVersion() {
        return Optional.ofNullable(versionTable.getSelectionModel().getSelectedItem());
    }

    private boolean confirm(String header, String text) {
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, text, ButtonType.CANCEL, ButtonType.OK);
        a.setHeaderText(header);
        a.initOwner(root.getScene().getWindow());
        ((Button) a.getDialogPane().lookupButton(ButtonType.OK)).setDefaultButton(false);
        ((Button) a.getDialogPane().lookupButton(ButtonType.CANCEL)).setDefaultButton(true);
        return a.showAndWait().filter(b -> b == ButtonType.OK).isPresent();
    }

    @FXML
    private void revealField() {
        FieldRow f = fieldTable.getSelectionModel().getSelectedItem();
        if (f == null) {
            info("Select a field to reveal.");
        } else {
            vm.revealField(f.name());
        }
    }

    @FXML
    private void showJson() {
        showText("Secret as JSON", "Values show only while revealed", vm.json(), 20);
    }

    /** A read-only text in a resizable dialog; the text is dropped when it closes. */
    private void showText(String title, String header, String content, int rows) {
        TextArea text = new TextArea(content);
        text.setEditable(false);
        text.getStyleClass().add("code");
        text.setPrefColumnCount(60);
        text.setPrefRowCount(rows);
        Dialog<ButtonType> d = new Dialog<>();
        d.initOwner(root.getScene().getWindow());
        d.setTitle(title);
        d.setHeaderText(header);
        d.getDialogPane().setContent(text);
        d.getDialogPane().getButtonTypes().setAll(ButtonType.CLOSE);
        d.setResizable(true);
        d.setOnHidden(e -> text.clear());
        d.showAndWait();
    }

    @FXML
    private void viewVersion() {
        selectedVersion().ifPresent(v -> vm.revealVersion(v.version(), sv -> {
            StringBuilder values = new StringBuilder();
            sv.data().fields().forEach((k, val) -> values.append(k).append(" = ").append(val).append('\n'));
            showText("Version " + v.version(), "The values of version " + v.version()
                    + " (this reveal is in the audit log)", values.toString(), Math.min(12, sv.data().size() + 1));
        }));
    }

    @FXML
    private void restoreVersion() {
        selectedVersion().ifPresent(v -> {
            if (confirm("Restore version " + v.version() + "?", "Its values become the current version again, as a"
                    + " new version; the versions in between stay.")) {
                vm.restoreVersion(v.version());
            }
        });
    }

    @FXML
    private void undelete() {
        selectedVersion().ifPresent(v -> {
            if (confirm("Undelete version " + v.version() + "?", "The version becomes readable again.")) {
                vm.undelete(v.version());
            }
        });
    }

    @FXML
    private void deleteVersion() {
        selectedVersion().ifPresent(v -> {
            if (confirm("Delete version " + v.version() + "?",
                    "The version is soft-deleted: it can no longer be read, but it can be undeleted.")) {
                vm.deleteVersion(v.version());
            }
        });
    }

    @FXML
    private void destroy() {
        selectedVersion().ifPresent(v -> {
            if (confirm("Destroy version " + v.version() + " for good?",
                    "Its ciphertext is removed from the vault. This cannot be undone.")) {
                vm.destroy(v.version());
            }
        });
    }
}
