package dev.keyward.console.common;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

/**
 * Ties every form label to its field ({@link Label#setLabelFor}): screen readers name the field,
 * a mnemonic focuses it, and the console's own check that no field is left with only a
 * placeholder can see it. A label is tied to the control right of it in a grid row, right after
 * it in a row or column, or to {@code #x} when the label is {@code #xLabel}.
 */
public final class Labels {
    private Labels() {
    }

    public static void link(Parent root) {
        walk(root, root);
    }

    /** A node's children, including what controls without a skin yet hold (split pane items, scroll pane content). */
    static List<Node> kids(Parent p) {
        if (p instanceof javafx.scene.control.SplitPane sp) {
            return sp.getItems();
        }
        if (p instanceof javafx.scene.control.ScrollPane sc) {
            return sc.getContent() == null ? List.of() : List.of(sc.getContent());
        }
        if (p instanceof javafx.scene.control.TitledPane tp) {
            return tp.getContent() == null ? List.of() : List.of(tp.getContent());
        }
        if (p instanceof javafx.scene.control.TabPane tabs) {
            return tabs.getTabs().stream().map(javafx.scene.control.Tab::getContent).filter(java.util.Objects::nonNull)
                    .toList();
        }
        return p.getChildrenUnmodifiable();
    }

    private static Node byId(Parent p, String id) {
        for (Node n : kids(p)) {
            if (id.equals(n.getId())) {
                return n;
            }
            if (n instanceof Parent child) {
                Node hit = byId(child, id);
                if (hit != null) {
                    return hit;
                }
            }
        }
        return null;
    }

    private static void walk(Parent root, Parent p) {
        List<Node> kids = kids(p);
        if (p instanceof GridPane g) {
            Map<String, Node> cells = new HashMap<>();
            for (Node n : kids) {
                cells.put(key(GridPane.getRowIndex(n), GridPane.getColumnIndex(n)), n);
            }
            for (Node n : kids) {
                if (n instanceof Label l && l.getLabelFor() == null) {
                    Node right = cells.get(key(GridPane.getRowIndex(n), next(GridPane.getColumnIndex(n))));
                    Control c = control(right);
                    if (c != null) {
                        l.setLabelFor(c);
                    }
                }
            }
        } else if (p instanceof HBox || p instanceof VBox || p instanceof javafx.scene.layout.FlowPane) {
            for (int i = 0; i + 1 < kids.size(); i++) {
                if (kids.get(i) instanceof Label l && l.getLabelFor() == null && control(kids.get(i + 1)) != null
                        && !l.getStyleClass().contains("title") && !l.getStyleClass().contains("section")) {
                    l.setLabelFor(control(kids.get(i + 1)));
                }
            }
        }
        for (Node n : kids) {
            if (n instanceof Label l && l.getLabelFor() == null && l.getId() != null && l.getId().endsWith("Label")) {
                Node target = byId(root, l.getId().substring(0, l.getId().length() - "Label".length()));
                if (target != null) {
                    l.setLabelFor(target);
                }
            }
            if (n instanceof Parent child) {
                walk(root, child);
            }
        }
    }

    /** The input the node is (or, for a box holding one, the first input in it). */
    private static Control control(Node n) {
        if (n == null || n instanceof Label) {
            return null;
        }
        if (n instanceof javafx.scene.control.TextInputControl || n instanceof javafx.scene.control.ComboBoxBase<?>
                || n instanceof javafx.scene.control.Spinner<?> || n instanceof javafx.scene.control.CheckBox
                || n instanceof javafx.scene.control.ListView<?> || n instanceof javafx.scene.control.ChoiceBox<?>) {
            return (Control) n;
        }
        if (n instanceof HBox h && !h.getChildren().isEmpty()) {
            return control(h.getChildren().get(0));
        }
        return null;
    }

    private static int next(Integer col) {
        return (col == null ? 0 : col) + 1;
    }

    private static String key(Integer row, Integer col) {
        return (row == null ? 0 : row) + ":" + (col == null ? 0 : col);
    }
}
