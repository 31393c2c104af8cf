package dev.keyward.console.settings;

import dev.keyward.console.common.ConsoleSettings;
import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ScreenView;
import dev.keyward.console.common.ViewLoader;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;

public final class SettingsView implements ScreenView {
    private final SettingsViewModel vm;
    private final Parent root;
    @FXML private Spinner<Integer> autoLock;
    @FXML private ComboBox<ConsoleSettings.Theme> theme;
    @FXML private Label message;

    public SettingsView(SettingsViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(Screen.SETTINGS, this);
    }

    @FXML
    private void initialize() {
        autoLock.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(SettingsViewModel.MIN_LOCK_MINUTES,
                SettingsViewModel.MAX_LOCK_MINUTES, vm.autoLockMinutesProperty().get()));
        autoLock.setEditable(true);
        autoLock.valueProperty().addListener((o, a, b) -> vm.autoLockMinutesProperty().set(b));
        theme.getItems().setAll(ConsoleSettings.Theme.values());
        theme.valueProperty().bindBidirectional(vm.themeProperty());
        message.textProperty().bind(vm.messageProperty());
    }

    @FXML
    private void apply() {
        vm.apply();
    }

    @Override
    public Parent root() {
        return root;
    }
}
