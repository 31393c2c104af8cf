package dev.keyward.console;

import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultOptions;
import dev.keyward.vault.api.VaultStatus;
import javafx.application.Application;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;

/** The console: for now a window with the embedded vault's status. */
public final class ConsoleApp extends Application {
    private Vault vault;

    @Override
    public void start(Stage stage) {
        Label status = new Label();
        try {
            vault = Keyward.open(VaultOptions.at(KeywardHome.resolve()));
            VaultStatus s = vault.lifecycle().status();
            status.setText(!s.initialized() ? "Vault not initialised" : s.sealed() ? "Vault sealed" : "Vault unsealed");
        } catch (KeywardException e) {
            status.setText(e.getMessage());
        }
        VBox root = new VBox(12, new Label("Keyward"), status);
        root.setPadding(new Insets(24));
        stage.setTitle("Keyward");
        stage.setScene(new Scene(root, 480, 200));
        stage.show();
    }

    @Override
    public void stop() {
        if (vault != null) {
            vault.close();
        }
    }
}
