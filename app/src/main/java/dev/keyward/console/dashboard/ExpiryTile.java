package dev.keyward.console.dashboard;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.secrets.SecretCatalog;
import javafx.beans.binding.Bindings;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;

/** Secrets past their expiry date and those expiring within 30 days, from the console's catalog. */
final class ExpiryTile implements DashboardTile {
    private final ConsoleViewModel console;
    private final VBox box = new VBox();

    ExpiryTile(ConsoleViewModel console) {
        this.console = console;
        SecretCatalog c = console.catalog();
        Label title = new Label("EXPIRY");
        title.getStyleClass().add("tile-label");
        Label value = new Label();
        value.setId("expiryTile");
        value.getStyleClass().add("tile-value");
        value.textProperty().bind(Bindings.createStringBinding(() -> c.expiredProperty().get() + " expired, "
                + c.expiringProperty().get() + " within " + SecretCatalog.WARN_DAYS + " days",
                c.expiredProperty(), c.expiringProperty()));
        box.getChildren().addAll(title, value);
        box.getStyleClass().add("tile");
        c.expiredProperty().addListener((o, a, b) -> mark());
        c.expiringProperty().addListener((o, a, b) -> mark());
        mark();
    }

    private void mark() {
        SecretCatalog c = console.catalog();
        box.getStyleClass().remove("warning-tile");
        if (c.expiredProperty().get() + c.expiringProperty().get() > 0) {
            box.getStyleClass().add("warning-tile");
        }
    }

    @Override
    public Node node() {
        return box;
    }

    @Override
    public void refresh() {
        // the catalog is read at login and on the secrets screen's Reload
    }
}
