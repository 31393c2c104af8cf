package dev.keyward.console.policies;

import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ScreenView;
import dev.keyward.console.common.ViewLoader;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Label;

public final class PoliciesView implements ScreenView {
    private final PoliciesViewModel vm;
    private final Parent root;
    @FXML private Label pending;

    public PoliciesView(PoliciesViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(Screen.POLICIES, this);
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
