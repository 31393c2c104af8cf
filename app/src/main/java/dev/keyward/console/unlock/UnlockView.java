package dev.keyward.console.unlock;

import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ViewLoader;
import javafx.application.Platform;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.TextField;
import javafx.scene.layout.VBox;

/** Unseal and operator login. */
public final class UnlockView {
    private final UnlockViewModel vm;
    private final Parent root;
    @FXML private Label description;
    @FXML private VBox unsealPane;
    @FXML private VBox loginPane;
    @FXML private PasswordField unsealPassphrase;
    @FXML private Button unsealButton;
    @FXML private TextField operatorName;
    @FXML private PasswordField operatorPassphrase;
    @FXML private Button loginButton;
    @FXML private Label error;
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
        wait.textProperty().bind(vm.waitProperty());
        busy.visibleProperty().bind(vm.busyProperty());
        unsealButton.disableProperty().bind(vm.busyProperty().or(vm.canSubmitProperty().not()));
        loginButton.disableProperty().bind(vm.busyProperty().or(vm.canSubmitProperty().not()));
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
    private void login() {
        vm.login(operatorName.getText(), chars(operatorPassphrase));
        operatorPassphrase.clear();
    }

    public void tick() {
        vm.tick();
    }

    private static char[] chars(PasswordField f) {
        CharSequence cs = f.getCharacters();
        char[] out = new char[cs.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = cs.charAt(i);
        }
        return out;
    }

    public void wipe() {
        unsealPassphrase.clear();
        operatorPassphrase.clear();
    }
}
