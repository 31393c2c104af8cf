package dev.keyward.console.identities;

import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ScreenView;
import dev.keyward.console.common.ViewLoader;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Label;

public final class IdentitiesView implements ScreenView {
    private final IdentitiesViewModel vm;
    private final Parent root;
    @FXML private Label pending;

    public IdentitiesView(IdentitiesViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(Screen.IDENTITIES, this);
    }

    @FXML
    private void initialize() {
        pending.setText(vm.pendingText());
    }

    @Override
    public Parent root() {
        return root;
    }
}
