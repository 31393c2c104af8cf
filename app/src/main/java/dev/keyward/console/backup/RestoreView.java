package dev.keyward.console.backup;

import dev.keyward.console.common.PasswordFields;
import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ViewLoader;
import java.io.File;
import java.util.Arrays;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;

/** The restore screen's View (see {@link RestoreViewModel}); it covers the set-up or unlock screen while it shows. */
public final class RestoreView {
    private final RestoreViewModel vm;
    private final Parent root;
    @FXML private Label target;
    @FXML private TextField file;
    @FXML private Button chooseButton;
    @FXML private Label header;
    @FXML private VBox credentialPane;
    @FXML private Label credentialLabel;
    @FXML private PasswordField secret;
    @FXML private TextArea shares;
    @FXML private Button backButton;
    @FXML private Button restoreButton;
    @FXML private ProgressBar progressBar;
    @FXML private Label progressLabel;
    @FXML private Label error;
    @FXML private VBox resultPane;
    @FXML private TextArea result;

    public RestoreView(RestoreViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(Screen.RESTORE, this);
    }

    public Parent root() {
        return root;
    }

    @FXML
    private void initialize() {
        target.setText(vm.target());
        file.textProperty().bindBidirectional(vm.fileProperty());
        header.textProperty().bind(vm.headerProperty());
        credentialPane.visibleProperty().bind(vm.needsProperty().isNotEqualTo(RestoreViewModel.Needs.NOTHING_YET)
                .and(vm.resultProperty().isNull()));
        credentialPane.managedProperty().bind(credentialPane.visibleProperty());
        vm.needsProperty().addListener((o, a, n) -> {
            credentialLabel.setText(RestoreViewModel.credentialLabel(n));
            boolean many = n == RestoreViewModel.Needs.SHARES;
            shares.setVisible(many);
            shares.setManaged(many);
            secret.setVisible(!many);
            secret.setManaged(!many);
            credentialLabel.setLabelFor(many ? shares : secret);
        });
        shares.setVisible(false);
        shares.setManaged(false);
        credentialLabel.setLabelFor(secret);
        progressBar.progressProperty().bind(vm.progressProperty());
        progressLabel.textProperty().bind(vm.progressTextProperty());
        error.textProperty().bind(vm.errorProperty());
        restoreButton.disableProperty().bind(vm.runningProperty().or(vm.resultProperty().isNotNull()));
        backButton.disableProperty().bind(vm.runningProperty());
        chooseButton.disableProperty().bind(vm.runningProperty());
        file.disableProperty().bind(vm.runningProperty());
        resultPane.visibleProperty().bind(vm.resultProperty().isNotNull());
        resultPane.managedProperty().bind(resultPane.visibleProperty());
        vm.resultProperty().addListener((o, a, b) -> {
            result.setText(b == null ? "" : RestoreViewModel.describe(b, vm.home()));
            if (b != null) {
                wipe();
            }
        });
    }

    @FXML
    private void choose() {
        FileChooser c = new FileChooser();
        c.setTitle("Backup to restore");
        c.getExtensionFilters().add(new FileChooser.ExtensionFilter("Keyward backups (*.kwbak)", "*.kwbak"));
        File f = c.showOpenDialog(root.getScene().getWindow());
        if (f != null) {
            vm.fileProperty().set(f.getAbsolutePath());
        }
    }

    @FXML
    private void restore() {
        char[] s;
        if (shares.isVisible()) {
            CharSequence cs = shares.getText();
            s = new char[cs.length()];
            for (int i = 0; i < s.length; i++) {
                s[i] = cs.charAt(i);
            }
        } else {
            s = PasswordFields.chars(secret);
        }
        try {
            vm.restore(s);
        } finally {
            Arrays.fill(s, '\0');
        }
    }

    @FXML
    private void back() {
        wipe();
        vm.close();
    }

    /** Clears the passphrase, PIN or shares typed. */
    public void wipe() {
        secret.clear();
        shares.clear();
    }
}
