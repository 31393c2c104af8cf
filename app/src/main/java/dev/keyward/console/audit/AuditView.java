package dev.keyward.console.audit;

import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ScreenView;
import dev.keyward.console.common.ViewLoader;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Label;

public final class AuditView implements ScreenView {
    private final AuditViewModel vm;
    private final Parent root;
    @FXML private Label pending;

    public AuditView(AuditViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(Screen.AUDIT, this);
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
