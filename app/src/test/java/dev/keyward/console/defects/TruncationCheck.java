package dev.keyward.console.defects;

import dev.keyward.console.Fx;
import dev.keyward.console.Ui;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Labeled;
import javafx.scene.text.Text;

/** Finds labels, buttons and column headers whose text JavaFX shortened with an ellipsis. */
final class TruncationCheck {
    private TruncationCheck() {
    }

    /** "Button 'Reveal' shows 'R…'", for every visible labeled node under {@code root} that is cut. */
    static List<String> truncated(Parent root) {
        return Fx.call(() -> {
            root.applyCss();
            root.layout();
            List<String> out = new ArrayList<>();
            walk(root, out);
            return out;
        });
    }

    static void assertNotTruncated(Parent root) {
        List<String> cut = truncated(root);
        if (!cut.isEmpty()) {
            throw new AssertionError("cut off: " + cut);
        }
    }

    private static void walk(Node n, List<String> out) {
        if (!n.isVisible()) {
            return;
        }
        if (n instanceof Labeled l && l.getText() != null && !l.getText().isEmpty() && Ui.shown(l)) {
            for (Node c : l.getChildrenUnmodifiable()) {
                if (c instanceof Text t && t.getText() != null && !t.getText().equals(l.getText())
                        && t.getText().endsWith(l.getEllipsisString())) {
                    out.add(l.getClass().getSimpleName() + (l.getId() == null ? "" : " #" + l.getId()) + " '"
                            + l.getText() + "' shows '" + t.getText() + "'");
                }
            }
        }
        if (n instanceof Parent p) {
            for (Node c : p.getChildrenUnmodifiable()) {
                walk(c, out);
            }
        }
    }
}
