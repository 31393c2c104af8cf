package dev.keyward.console.dashboard;

import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ScreenView;
import dev.keyward.console.common.ViewLoader;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Label;

public final class DashboardView implements ScreenView {
    private final DashboardViewModel vm;
    private final Parent root;
    @FXML private Label seal;
    @FXML private Label keys;
    @FXML private Label storage;
    @FXML private Label home;
    @FXML private Label warning;
    @FXML private Label chartsPending;

    public DashboardView(DashboardViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(Screen.DASHBOARD, this);
    }

    @FXML
    private void initialize() {
        seal.textProperty().bind(vm.sealProperty());
        keys.textProperty().bind(vm.keysProperty());
        storage.textProperty().bind(vm.storageProperty());
        warning.textProperty().bind(vm.warningProperty());
        warning.visibleProperty().bind(vm.warningProperty().isNotEmpty());
        warning.managedProperty().bind(warning.visibleProperty());
        home.setText(vm.home());
        chartsPending.setText(DashboardViewModel.CHARTS_PENDING);
    }

    @Override
    public Parent root() {
        return root;
    }

    @Override
    public void shown() {
        vm.refresh();
    }
}
