package dev.keyward.console.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import javafx.fxml.FXMLLoader;
import javafx.scene.Parent;

/** Loads a screen's FXML with its View as the controller. */
public final class ViewLoader {
    private ViewLoader() {
    }

    public static Parent load(Screen screen, Object view) {
        FXMLLoader loader = new FXMLLoader(ViewLoader.class.getResource(screen.fxml()));
        loader.setController(view);
        try {
            Parent root = loader.load();
            Labels.link(root);
            Layout.keepTextsWhole(root);
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load " + screen.fxml(), e);
        }
    }
}
