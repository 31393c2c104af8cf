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
import javafx.scene.control.Label;
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

    public SettingsView(SettingsViewModel vm) {
        this.vm = vm;
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
        ValidationSupport vs = new ValidationSupport();
        Validation.<String>register(vs, port, vm::checkPort);
    }

    @FXML
    private void apply() {
        vm.apply();
    }

    @Override
    public void firstShown() {
        vm.loadHsm();
    }

    @Override
    public Parent root() {
        return root;
    }
}
