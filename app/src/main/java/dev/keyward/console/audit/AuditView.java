package dev.keyward.console.audit;

import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ScreenView;
import dev.keyward.console.common.ViewLoader;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.TreeHead;
import java.io.File;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.stage.FileChooser;

public final class AuditView implements ScreenView {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());
    private final AuditViewModel vm;
    private final Parent root;
    @FXML private TextField filterIdentity;
    @FXML private TextField filterPath;
    @FXML private TextField filterOperation;
    @FXML private ComboBox<String> filterDecision;
    @FXML private TableView<AuditRecord> entryTable;
    @FXML private TableColumn<AuditRecord, String> colSeq;
    @FXML private TableColumn<AuditRecord, String> colTime;
    @FXML private TableColumn<AuditRecord, String> colIdentity;
    @FXML private TableColumn<AuditRecord, String> colOperation;
    @FXML private TableColumn<AuditRecord, String> colResource;
    @FXML private TableColumn<AuditRecord, String> colDecision;
    @FXML private TableColumn<AuditRecord, String> colOutcome;
    @FXML private TextField headFingerprint;
    @FXML private Label headSize;
    @FXML private Label pageInfo;
    @FXML private Label error;
    @FXML private TextArea detail;
    @FXML private ProgressBar verifyProgress;
    @FXML private Label verifyResult;
    @FXML private ListView<TreeHead> headList;
    @FXML private Button exportButton;
    @FXML private Button checkBundleButton;
    @FXML private TextField recordedFingerprint;
    @FXML private ProgressBar exportProgress;
    @FXML private Label exportResult;

    public AuditView(AuditViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(Screen.AUDIT, this);
    }

    @FXML
    private void initialize() {
        filterDecision.getItems().setAll("", "ALLOW", "DENY", "NONE");
        entryTable.setItems(vm.entries());
        colSeq.setCellValueFactory(c -> new ReadOnlyStringWrapper(Long.toString(c.getValue().sequence())));
        colTime.setCellValueFactory(c -> new ReadOnlyStringWrapper(TIME.format(c.getValue().time())));
        colIdentity.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().identityName()));
        colOperation.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().operation()));
        colResource.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().resource()));
        colDecision.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().decision()));
        colOutcome.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().outcome()
                + (c.getValue().errorClass() == null ? "" : " (" + c.getValue().errorClass() + ")")));
        colOutcome.setCellFactory(col -> new javafx.scene.control.TableCell<>() {
            @Override
            protected void updateItem(String v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty ? null : v);
                getStyleClass().remove("error");
                if (!empty && v != null && v.startsWith("FAILURE")) {
                    getStyleClass().add("error");
                }
            }
        });
        headFingerprint.textProperty().bind(vm.headFingerprintProperty());
        headSize.textProperty().bind(vm.headSizeProperty());
        headList.getSelectionModel().selectedItemProperty().addListener((o, a, h) -> vm.showHead(h));
        vm.exportFailedProperty().addListener((o, a, failed) -> style(exportResult, failed));
        vm.verifyFailedProperty().addListener((o, a, failed) -> style(verifyResult, failed));
        entryTable.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> vm.showEntry(b));
        pageInfo.textProperty().bind(vm.pageInfoProperty());
        error.textProperty().bind(vm.errorProperty());
        detail.textProperty().bind(vm.detailProperty());
        verifyProgress.progressProperty().bind(vm.verifyProgressProperty());
        verifyResult.textProperty().bind(vm.verifyResultProperty());
        exportProgress.progressProperty().bind(vm.exportProgressProperty());
        exportResult.textProperty().bind(vm.exportResultProperty());
        exportButton.disableProperty().bind(vm.exportingProperty());
        checkBundleButton.disableProperty().bind(vm.exportingProperty());
        headList.setItems(vm.heads());
        headList.setCellFactory(l -> new ListCell<>() {
            @Override
            protected void updateItem(TreeHead h, boolean empty) {
                super.updateItem(h, empty);
                setText(empty || h == null ? null : "size " + h.treeSize() + "  " + TIME.format(h.timestamp()) + "\n"
                        + h.fingerprint());
            }
        });
    }

    private static void style(Label l, boolean failed) {
        l.getStyleClass().removeAll("error-box", "ok");
        l.getStyleClass().add(failed ? "error-box" : "ok");
        if (failed) {
            l.getStyleClass().add("error");
        } else {
            l.getStyleClass().remove("error");
        }
    }

    @Override
    public boolean focusSearch() {
        filterIdentity.requestFocus();
        return true;
    }

    @FXML
    private void copyFingerprint() {
        vm.copyFingerprint();
    }

    /** The ViewModel (for tests that drive what a file chooser would). */
    public AuditViewModel viewModel() {
        return vm;
    }

    @Override
    public Parent root() {
        return root;
    }

    @Override
    public void firstShown() {
        search();
        vm.loadHeads();
    }

    @FXML
    private void search() {
        vm.search(filterIdentity.getText(), filterPath.getText(), filterOperation.getText(), filterDecision.getValue());
    }

    @FXML
    private void nextPage() {
        vm.nextPage();
    }

    @FXML
    private void verify() {
        vm.verify();
    }

    @FXML
    private void exportBundle() {
        java.nio.file.Path dir = vm.prepareExportDirectory();
        if (dir == null) {
            return;
        }
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Export audit evidence bundle");
        chooser.setInitialDirectory(dir.toFile());
        chooser.setInitialFileName(vm.suggestedExportName());
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("Evidence bundle (ZIP)", "*.zip"));
        File f = chooser.showSaveDialog(root.getScene().getWindow());
        if (f != null) {
            vm.exportBundle(f.toPath());
        }
    }

    @FXML
    private void checkBundle() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Check an audit evidence bundle");
        java.nio.file.Path dir = vm.exportDirectory();
        if (java.nio.file.Files.isDirectory(dir)) {
            chooser.setInitialDirectory(dir.toFile());
        }
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("Evidence bundle (ZIP)", "*.zip"));
        File f = chooser.showOpenDialog(root.getScene().getWindow());
        if (f != null) {
            vm.verifyBundle(f.toPath(), recordedFingerprint.getText());
        }
    }

    @FXML
    private void issueHead() {
        vm.issueHead();
    }
}
