package dev.keyward.console.backup;

import dev.keyward.console.common.PasswordFields;
import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ScreenView;
import dev.keyward.console.common.ViewLoader;
import java.io.File;
import java.nio.file.Path;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.RadioButton;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;

/** The Backup screen's View (see {@link BackupViewModel}). */
public final class BackupView implements ScreenView {
    private final BackupViewModel vm;
    private final Parent root;
    @FXML private Label whereNote;
    @FXML private TextField file;
    @FXML private Button chooseButton;
    @FXML private RadioButton forUnseal;
    @FXML private RadioButton forPassphrase;
    @FXML private Label protectionNote;
    @FXML private GridPane passphrasePane;
    @FXML private PasswordField passphrase;
    @FXML private PasswordField confirm;
    @FXML private ProgressBar strengthBar;
    @FXML private Label strengthLabel;
    @FXML private CheckBox acceptWeak;
    @FXML private Button backupButton;
    @FXML private ProgressBar progressBar;
    @FXML private Label progressLabel;
    @FXML private Label error;
    @FXML private VBox resultPane;
    @FXML private TextArea result;
    @FXML private Label schedule;

    public BackupView(BackupViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(Screen.BACKUP, this);
    }

    @FXML
    private void initialize() {
        whereNote.setText(vm.whereNote());
        file.textProperty().bindBidirectional(vm.fileProperty());
        vm.withPassphraseProperty().bind(forPassphrase.selectedProperty());
        passphrasePane.visibleProperty().bind(forPassphrase.selectedProperty());
        passphrasePane.managedProperty().bind(passphrasePane.visibleProperty());
        protectionNote.textProperty().bind(javafx.beans.binding.Bindings.when(forPassphrase.selectedProperty())
                .then("Restorable with the backup passphrase alone (Argon2id), on any machine. Keep it apart from the file.")
                .otherwise("Restorable only with this vault's unseal material: its passphrase, HSM PIN and token, or enough shares."));
        passphrase.textProperty().addListener((o, a, b) -> vm.passphraseChanged(passphrase.getCharacters()));
        strengthBar.progressProperty().bind(vm.strengthProperty());
        strengthLabel.textProperty().bind(vm.strengthLabelProperty());
        vm.strengthProperty().addListener((o, a, b) -> {
            strengthBar.getStyleClass().removeAll("weak", "fair", "strong");
            strengthBar.getStyleClass().add(b.doubleValue() < 0.5 ? "weak" : b.doubleValue() < 0.75 ? "fair" : "strong");
        });
        acceptWeak.visibleProperty().bind(vm.weakProperty());
        acceptWeak.managedProperty().bind(acceptWeak.visibleProperty());
        vm.acceptWeakProperty().bind(acceptWeak.selectedProperty());
        progressBar.progressProperty().bind(vm.progressProperty());
        progressLabel.textProperty().bind(vm.progressTextProperty());
        error.textProperty().bind(vm.errorProperty());
        backupButton.disableProperty().bind(vm.runningProperty());
        chooseButton.disableProperty().bind(vm.runningProperty());
        resultPane.visibleProperty().bind(vm.resultProperty().isNotNull());
        resultPane.managedProperty().bind(resultPane.visibleProperty());
        vm.resultProperty().addListener((o, a, b) -> result.setText(b == null ? "" : BackupViewModel.describe(b)));
        schedule.textProperty().bind(vm.scheduleProperty());
    }

    @FXML
    private void choose() {
        FileChooser c = new FileChooser();
        c.setTitle("Backup file");
        c.getExtensionFilters().add(new FileChooser.ExtensionFilter("Keyward backups (*.kwbak)", "*.kwbak"));
        Path current = Path.of(vm.fileProperty().get().isBlank() ? vm.suggestedFile()
                : vm.fileProperty().get());
        if (current.getParent() != null && current.getParent().toFile().isDirectory()) {
            c.setInitialDirectory(current.getParent().toFile());
        }
        c.setInitialFileName(current.getFileName().toString());
        File f = c.showSaveDialog(root.getScene().getWindow());
        if (f != null) {
            vm.fileProperty().set(f.getAbsolutePath());
        }
    }

    @FXML
    private void backUp() {
        char[] p = PasswordFields.chars(passphrase);
        char[] c = PasswordFields.chars(confirm);
        if (vm.backUp(p, c) != null) {
            passphrase.clear();
            confirm.clear();
        }
    }

    @Override
    public Parent root() {
        return root;
    }

    @Override
    public void firstShown() {
        if (vm.fileProperty().get().isBlank()) {
            vm.fileProperty().set(vm.suggestedFile());
        }
        vm.loadSchedule();
    }

    @Override
    public void dispose() {
        passphrase.clear();
        confirm.clear();
    }
}
