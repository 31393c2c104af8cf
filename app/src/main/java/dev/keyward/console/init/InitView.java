package dev.keyward.console.init;

import dev.keyward.console.common.Screen;
import dev.keyward.console.common.Validation;
import dev.keyward.console.common.ViewLoader;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.RadioButton;
import javafx.scene.control.TextField;
import org.controlsfx.validation.ValidationSupport;

/** The first-run wizard. */
public final class InitView {
    private final InitViewModel vm;
    private final Parent root;
    @FXML private RadioButton sealPassphrase;
    @FXML private RadioButton sealHsm;
    @FXML private RadioButton sealShamir;
    @FXML private Label hsmReason;
    @FXML private Label shamirReason;
    @FXML private Label home;
    @FXML private PasswordField unsealPassphrase;
    @FXML private PasswordField unsealConfirm;
    @FXML private ProgressBar strengthBar;
    @FXML private Label strengthLabel;
    @FXML private TextField adminName;
    @FXML private PasswordField adminPassphrase;
    @FXML private PasswordField adminConfirm;
    @FXML private Label error;
    @FXML private Button createButton;
    @FXML private ProgressIndicator busy;

    public InitView(InitViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(Screen.INIT, this);
        root.sceneProperty().addListener((o, a, scene) -> {
            if (scene == null) {
                wipe();
            }
        });
    }

    public Parent root() {
        return root;
    }

    @FXML
    private void initialize() {
        home.setText("New vault in " + vm.home());
        sealPassphrase.setSelected(true);
        sealHsm.setDisable(!vm.available(InitViewModel.SealChoice.HSM));
        sealShamir.setDisable(!vm.available(InitViewModel.SealChoice.SHAMIR));
        hsmReason.setText(vm.unavailableReason(InitViewModel.SealChoice.HSM));
        shamirReason.setText(vm.unavailableReason(InitViewModel.SealChoice.SHAMIR));
        unsealPassphrase.textProperty().addListener((o, a, b) -> vm.passphraseChanged(b));
        strengthBar.progressProperty().bind(vm.strengthProperty());
        strengthLabel.textProperty().bind(vm.strengthLabelProperty());
        vm.strengthProperty().addListener((o, a, b) -> {
            strengthBar.getStyleClass().removeAll("weak", "fair", "strong");
            strengthBar.getStyleClass().add(b.doubleValue() < 0.5 ? "weak" : b.doubleValue() < 0.75 ? "fair" : "strong");
        });
        error.textProperty().bind(vm.errorProperty());
        busy.visibleProperty().bind(vm.busyProperty());
        createButton.disableProperty().bind(vm.busyProperty());
        adminName.setText("admin");
        ValidationSupport vs = new ValidationSupport();
        Validation.<String>register(vs, unsealPassphrase, vm::checkPassphrase);
        Validation.<String>register(vs, unsealConfirm, v -> vm.checkConfirmation(unsealPassphrase.getText(), v));
        Validation.<String>register(vs, adminName, vm::checkAdminName);
        Validation.<String>register(vs, adminPassphrase, vm::checkPassphrase);
        Validation.<String>register(vs, adminConfirm, v -> vm.checkConfirmation(adminPassphrase.getText(), v));
    }

    @FXML
    private void create() {
        vm.create(chars(unsealPassphrase), chars(unsealConfirm), adminName.getText(), chars(adminPassphrase),
                chars(adminConfirm));
    }

    private static char[] chars(PasswordField f) {
        CharSequence cs = f.getCharacters();
        char[] out = new char[cs.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = cs.charAt(i);
        }
        return out;
    }

    /** Clears every passphrase field (when the wizard is left). */
    public void wipe() {
        unsealPassphrase.clear();
        unsealConfirm.clear();
        adminPassphrase.clear();
        adminConfirm.clear();
    }
}
