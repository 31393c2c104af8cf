package dev.keyward.console.common;

import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.ButtonBase;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumnBase;
import javafx.scene.control.TableView;
import javafx.scene.layout.Region;
import javafx.scene.text.Text;

/**
 * Keeps short texts whole: buttons, check boxes and form labels never shrink below their text
 * (their rows wrap instead, see the FXML's flow panes), and table columns are at least as wide as
 * their header. Runs once per loaded screen.
 */
public final class Layout {
    private static final int SHORT_LABEL = 40;

    private Layout() {
    }

    public static void keepTextsWhole(Parent root) {
        for (Node n : Labels.kids(root)) {
            if (n instanceof ButtonBase b) {
                b.setMinWidth(Region.USE_PREF_SIZE);
            } else if (n instanceof Label l && !l.isWrapText() && l.getText() != null
                    && l.getText().length() <= SHORT_LABEL && !l.textProperty().isBound()) {
                l.setMinWidth(Region.USE_PREF_SIZE);
            } else if (n instanceof TableView<?> t) {
                t.getColumns().forEach(Layout::fitHeader);
            }
            if (n instanceof Parent p) {
                keepTextsWhole(p);
            }
        }
    }

    private static void fitHeader(TableColumnBase<?, ?> c) {
        if (c.getText() != null) {
            Text probe = new Text(c.getText());
            probe.setStyle("-fx-font-weight: bold; -fx-font-size: 13px;");
            double w = probe.getLayoutBounds().getWidth() + 28;
            if (c.getMinWidth() < w) {
                c.setMinWidth(w);
            }
            if (c.getMaxWidth() < w) {
                c.setMaxWidth(w + 40);
            }
        }
        c.getColumns().forEach(Layout::fitHeader);
    }
}
