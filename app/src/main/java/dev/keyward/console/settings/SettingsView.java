package dev.keyward.console.settings;

import dev.keyward.console.common.ConsoleSettings;
import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ScreenView;
import dev.keyward.console.common.Validation;
import dev.keyward.console.common.ViewLoader;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.PasswordField;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextField;
import org.controlsfx.validation.ValidationSupport;

public final class SettingsView implements ScreenView {
    private final SettingsViewModel vm;
    private final Parent root;
    @FXML private Label configFile;
    @FXML private Spinner<Integer> autoLock;
    @FXML private ComboBox<ConsoleSettings.Theme> theme;
    @FXML private CheckBox endpointOn;
    @FXML private TextField port;
    @FXML private CheckBox mutualTls;
    @FXML private Label endpointStatus;
    @FXML private Label message;
    @FXML private Label hsm;
    @FXML private Label keyTerm;
    @FXML private Button rotateDataKeyButton;
    @FXML private Button rewrapButton;
    @FXML private ProgressBar rewrapProgress;
    @FXML private Label rewrapStatus;
    @FXML private PasswordField rootCredential;
    @FXML private Button rotateRootButton;
    @FXML private Label keyMessage;
    private final KeyLifecycleViewModel keys;

    public SettingsView(SettingsViewModel vm) {
        this.vm = vm;
        this.keys = vm.keys();
        this.root = ViewLoader.load(Screen.SETTINGS, this);
    }

    @FXML
    private void initialize() {
        configFile.setText("Saved in " + vm.configFile());
        autoLock.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(SettingsViewModel.MIN_LOCK_MINUTES,
                SettingsViewModel.MAX_LOCK_MINUTES, vm.autoLockMinutesProperty().get()));
        autoLock.setEditable(true);
        autoLock.valueProperty().addListener((o, a, b) -> vm.autoLockMinutesProperty().set(b));
        theme.getItems().setAll(ConsoleSettings.Theme.values());
        theme.valueProperty().bindBidirectional(vm.themeProperty());
        endpointOn.selectedProperty().bindBidirectional(vm.endpointProperty());
        port.textProperty().bindBidirectional(vm.portProperty());
        mutualTls.selectedProperty().bindBidirectional(vm.mutualTlsProperty());
        endpointStatus.textProperty().bind(vm.endpointStatusProperty());
        message.textProperty().bind(vm.messageProperty());
        hsm.textProperty().bind(vm.hsmProperty());
        keyTerm.textProperty().bind(keys.termProperty());
        rewrapStatus.textProperty().bind(keys.rewrapProperty());
        rewrapProgress.progressProperty().bind(keys.rewrapProgressProperty());
        keyMessage.textProperty().bind(keys.messageProperty());
        rotateDataKeyButton.disableProperty().bind(keys.workingProperty());
        rewrapButton.disableProperty().bind(keys.workingProperty());
        rotateRootButton.disableProperty().bind(keys.workingProperty());
        ValidationSupport vs = new ValidationSupport();
        Validation.<String>register(vs, port, vm::checkPort);
    }

    @FXML
    private void apply() {
        vm.apply();
    }

    @FXML
    private void rotateDataKey() {
        keys.rotateDataKey();
    }

    @FXML
    private void rewrap() {
        keys.rewrap();
    }

    @FXML
    private void rotateRoot() {
        char[] c = rootCredential.getText().toCharArray();
        rootCredential.clear();
        keys.rotateRoot(c.length == 0 ? null : c);
    }

    @Override
    public void firstShown() {
        vm.loadHsm();
        keys.load();
    }

    @Override
    public Parent root() {
        return root;
    }
}
