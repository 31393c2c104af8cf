package dev.keyward.console.unlock;

import static dev.keyward.console.common.PasswordFields.chars;

import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ViewLoader;
import javafx.application.Platform;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

/** Unseal (passphrase, HSM PIN or Shamir shares) and operator login. */
public final class UnlockView {
    private final UnlockViewModel vm;
    private final Parent root;
    @FXML private Label description;
    @FXML private HBox openingBox;
    @FXML private VBox unsealPane;
    @FXML private Label credentialLabel;
    @FXML private VBox sharePane;
    @FXML private ProgressBar shareBar;
    @FXML private Label shareProgress;
    @FXML private Button startOverButton;
    @FXML private VBox loginPane;
    @FXML private PasswordField unsealPassphrase;
    @FXML private Button unsealButton;
    @FXML private Button serveButton;
    @FXML private TextField operatorName;
    @FXML private PasswordField operatorPassphrase;
    @FXML private Button loginButton;
    @FXML private Label error;
    @FXML private Label serviceHint;
    @FXML private Label wait;
    @FXML private ProgressIndicator busy;

    public UnlockView(UnlockViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(Screen.UNLOCK, this);
        root.sceneProperty().addListener((o, a, scene) -> {
            if (scene == null) {
                wipe();
            } else {
                focusLater();
            }
        });
    }

    public Parent root() {
        return root;
    }

    @FXML
    private void initialize() {
        description.textProperty().bind(vm.sealDescriptionProperty());
        unsealPane.visibleProperty().bind(vm.stepProperty().isEqualTo(UnlockViewModel.Step.UNSEAL));
        unsealPane.managedProperty().bind(unsealPane.visibleProperty());
        loginPane.visibleProperty().bind(vm.stepProperty().isEqualTo(UnlockViewModel.Step.LOGIN));
        loginPane.managedProperty().bind(loginPane.visibleProperty());
        error.textProperty().bind(vm.errorProperty());
        serviceHint.textProperty().bind(vm.serviceHintProperty());
        serviceHint.visibleProperty().bind(vm.serviceHintProperty().isNotEmpty());
        serviceHint.managedProperty().bind(serviceHint.visibleProperty());
        wait.textProperty().bind(vm.waitProperty());
        busy.visibleProperty().bind(vm.busyProperty());
        openingBox.visibleProperty().bind(vm.openingProperty());
        openingBox.managedProperty().bind(openingBox.visibleProperty());
        credentialLabel.textProperty().bind(vm.credentialLabelProperty());
        sharePane.visibleProperty().bind(vm.kindProperty().isEqualTo(UnlockViewModel.Kind.SHARE));
        sharePane.managedProperty().bind(sharePane.visibleProperty());
        shareBar.progressProperty().bind(vm.shareFractionProperty());
        shareProgress.textProperty().bind(vm.shareProgressProperty());
        startOverButton.visibleProperty().bind(vm.sharesEnteredProperty());
        startOverButton.managedProperty().bind(startOverButton.visibleProperty());
        startOverButton.disableProperty().bind(vm.busyProperty());
        unsealButton.textProperty().bind(vm.kindProperty().map(k -> k == UnlockViewModel.Kind.SHARE ? "Add share"
                : "Unseal"));
        unsealButton.disableProperty().bind(vm.busyProperty().or(vm.canSubmitProperty().not())
                .or(vm.openingProperty()));
        serveButton.visibleProperty().bind(vm.canStartServiceProperty());
        serveButton.managedProperty().bind(serveButton.visibleProperty());
        serveButton.disableProperty().bind(vm.busyProperty().or(vm.canSubmitProperty().not())
                .or(vm.openingProperty()));
        loginButton.disableProperty().bind(vm.busyProperty().or(vm.canSubmitProperty().not()));
        vm.shareProgressProperty().addListener((o, a, b) -> unsealPassphrase.clear());
        vm.stepProperty().addListener((o, a, s) -> {
            unsealPassphrase.clear();
            focusLater();
        });
        vm.errorProperty().addListener((o, a, b) -> {
            if (!b.isEmpty()) {
                unsealPassphrase.clear();
                operatorPassphrase.clear();
            }
        });
    }

    private void focusLater() {
        Platform.runLater(() -> {
            if (vm.stepProperty().get() == UnlockViewModel.Step.UNSEAL) {
                unsealPassphrase.requestFocus();
            } else if (operatorName.getText().isEmpty()) {
                operatorName.requestFocus();
            } else {
                operatorPassphrase.requestFocus();
            }
        });
    }

    @FXML
    private void unseal() {
        vm.unseal(chars(unsealPassphrase));
        unsealPassphrase.clear();
    }

    @FXML
    private void startService() {
        vm.startService(chars(unsealPassphrase));
        unsealPassphrase.clear();
    }

    @FXML
    private void startOver() {
        unsealPassphrase.clear();
        vm.startOver();
    }

    @FXML
    private void login() {
        vm.login(operatorName.getText(), chars(operatorPassphrase));
        operatorPassphrase.clear();
    }

    public void tick() {
        vm.tick();
    }

    public void wipe() {
        unsealPassphrase.clear();
        operatorPassphrase.clear();
    }

    @FXML
    private void restoreFromBackup() {
        vm.restoreFromBackup();
    }
}
