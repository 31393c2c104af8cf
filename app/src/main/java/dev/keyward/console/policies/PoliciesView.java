package dev.keyward.console.policies;

import dev.keyward.console.common.LineNumbers;
import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ScreenView;
import dev.keyward.console.common.ViewLoader;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.PolicyService.IdentityRef;
import dev.keyward.vault.api.PolicyService.PolicyInfo;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputDialog;

public final class PoliciesView implements ScreenView {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
            .withZone(ZoneId.systemDefault());
    private final PoliciesViewModel vm;
    private final Parent root;
    @FXML private ListView<PolicyInfo> policyList;
    @FXML private TextArea yamlEditor;
    @FXML private Label yamlMessage;
    @FXML private Label error;
    @FXML private TableView<PolicyInfo> historyTable;
    @FXML private TableColumn<PolicyInfo, String> historyVersion;
    @FXML private TableColumn<PolicyInfo, String> historyWhen;
    @FXML private TableColumn<PolicyInfo, String> historyAuthor;
    @FXML private TableColumn<PolicyInfo, String> historyReason;
    @FXML private TextArea diffArea;
    @FXML private ComboBox<IdentityRef.Type> explainType;
    @FXML private TextField explainIdentity;
    @FXML private ComboBox<Operation> explainOperation;
    @FXML private TextField explainPath;
    @FXML private Label explainResult;

    public PoliciesView(PoliciesViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(Screen.POLICIES, this);
    }

    @FXML
    private void initialize() {
        policyList.setItems(vm.policies());
        policyList.setCellFactory(l -> new ListCell<>() {
            @Override
            protected void updateItem(PolicyInfo p, boolean empty) {
                super.updateItem(p, empty);
                setText(empty || p == null ? null : p.name() + "  v" + p.version() + (p.builtIn() ? "  (built-in)" : ""));
            }
        });
        policyList.getSelectionModel().selectedItemProperty().addListener((o, a, b) ->
                vm.select(b == null ? null : b.name()));
        yamlEditor.textProperty().bindBidirectional(vm.yamlProperty());
        LineNumbers.attach(yamlEditor, "yamlLineNumbers");
        yamlMessage.textProperty().bind(vm.yamlMessageProperty());
        error.textProperty().bind(vm.errorProperty());
        vm.errorLineProperty().addListener((o, a, line) -> showErrorLine(line.intValue()));
        historyTable.setItems(vm.history());
        historyVersion.setCellValueFactory(c -> new ReadOnlyStringWrapper("v" + c.getValue().version()));
        historyWhen.setCellValueFactory(c -> new ReadOnlyStringWrapper(
                c.getValue().changedAt() == null ? "" : TIME.format(c.getValue().changedAt())));
        historyAuthor.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().author()));
        historyReason.setCellValueFactory(c -> new ReadOnlyStringWrapper(
                c.getValue().policy() == null ? "(deleted) " + c.getValue().reason() : c.getValue().reason()));
        historyTable.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null) {
                vm.diffToCurrent(b.version());
            }
        });
        diffArea.textProperty().bind(vm.diffProperty());
        explainType.getItems().setAll(IdentityRef.Type.values());
        explainType.setValue(IdentityRef.Type.OPERATOR);
        explainOperation.getItems().setAll(Operation.values());
        explainOperation.setValue(Operation.SECRET_READ);
        explainResult.textProperty().bind(vm.explanationProperty());
    }

    /** Puts the caret on the error's line and selects it. */
    private void showErrorLine(int line) {
        if (line <= 0) {
            yamlEditor.getStyleClass().remove("has-error");
            return;
        }
        yamlEditor.getStyleClass().add("has-error");
        String text = yamlEditor.getText();
        int start = 0;
        for (int l = 1; l < line && start >= 0; l++) {
            start = text.indexOf('\n', start) + 1;
            if (start == 0) {
                start = text.length();
                break;
            }
        }
        int end = text.indexOf('\n', start);
        yamlEditor.requestFocus();
        yamlEditor.selectRange(start, end < 0 ? text.length() : end);
    }

    /** The line the caret is on (1-based), for tests and the status line. */
    public int caretLine() {
        String t = yamlEditor.getText();
        int caret = Math.min(yamlEditor.getCaretPosition(), t.length());
        return (int) t.substring(0, caret).chars().filter(ch -> ch == '\n').count() + 1;
    }

    @Override
    public Parent root() {
        return root;
    }

    @Override
    public void firstShown() {
        vm.reload();
    }

    @FXML
    private void reload() {
        vm.reload();
    }

    @FXML
    private void validate() {
        vm.validate();
    }

    @FXML
    private void apply() {
        TextInputDialog d = new TextInputDialog();
        d.initOwner(root.getScene().getWindow());
        d.setHeaderText("Apply the policy document");
        d.setContentText("Reason (kept with each new version):");
        d.showAndWait().ifPresent(vm::apply);
    }

    @FXML
    private void rollback() {
        PolicyInfo v = historyTable.getSelectionModel().getSelectedItem();
        if (v == null) {
            return;
        }
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "The content of v" + v.version()
                + " becomes current again as a new version.", ButtonType.CANCEL, ButtonType.OK);
        a.initOwner(root.getScene().getWindow());
        a.setHeaderText("Roll " + v.name() + " back to v" + v.version() + "?");
        if (a.showAndWait().filter(b -> b == ButtonType.OK).isPresent()) {
            vm.rollback(v.version(), "rollback to v" + v.version() + " from the console");
        }
    }

    @FXML
    private void explain() {
        vm.explain(explainType.getValue(), explainIdentity.getText(), explainOperation.getValue(),
                explainPath.getText());
    }
}
