package dev.keyward.console.common;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.TextArea;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.scene.shape.Rectangle;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;

/**
 * A line-number gutter beside a (non-wrapping) text area, scrolled with it. The numbers are one
 * {@link Text} node in the area's font, moved by the area's scroll position.
 */
public final class LineNumbers {
    private LineNumbers() {
    }

    /** Puts {@code area} in its parent's place inside a box with a gutter; returns the gutter's text. */
    public static Text attach(TextArea area, String id) {
        Parent parent = area.getParent();
        Text numbers = new Text();
        numbers.setId(id);
        numbers.getStyleClass().add("line-numbers");
        numbers.setTextAlignment(TextAlignment.RIGHT);
        numbers.fontProperty().bind(area.fontProperty());
        Pane gutter = new Pane(numbers);
        gutter.getStyleClass().add("line-gutter");
        gutter.setMinWidth(Pane.USE_PREF_SIZE);
        Rectangle clip = new Rectangle();
        clip.widthProperty().bind(gutter.widthProperty());
        clip.heightProperty().bind(gutter.heightProperty());
        gutter.setClip(clip);
        gutter.setPadding(new Insets(0, 6, 0, 6));
        Runnable update = () -> {
            int lines = (int) area.getText().chars().filter(c -> c == '\n').count() + 1;
            StringBuilder sb = new StringBuilder();
            for (int i = 1; i <= lines; i++) {
                sb.append(i).append('\n');
            }
            numbers.setText(sb.toString());
            gutter.setPrefWidth(numbers.getLayoutBounds().getWidth() + 14);
        };
        area.textProperty().addListener((o, a, b) -> update.run());
        area.fontProperty().addListener((o, a, b) -> update.run());
        area.scrollTopProperty().addListener((o, a, b) -> place(area, numbers));
        area.skinProperty().addListener((o, a, b) -> place(area, numbers));
        area.heightProperty().addListener((o, a, b) -> place(area, numbers));
        update.run();
        int at = parent instanceof VBox v ? v.getChildren().indexOf(area) : -1;
        Priority grow = VBox.getVgrow(area);
        HBox box = new HBox(gutter, area);
        box.setAlignment(Pos.TOP_LEFT);
        HBox.setHgrow(area, Priority.ALWAYS);
        if (parent instanceof VBox v && at >= 0) {
            v.getChildren().add(at, box);
            VBox.setVgrow(box, grow);
        }
        box.setMaxHeight(Double.MAX_VALUE);
        area.setMaxHeight(Double.MAX_VALUE);
        return numbers;
    }

    private static void place(TextArea area, Text numbers) {
        Node content = area.lookup(".content");
        double top = content == null ? 6 : content.localToScene(0, 0).getY() - area.localToScene(0, 0).getY()
                + area.getScrollTop();
        numbers.setTranslateY(top - area.getScrollTop());
        numbers.setLayoutY(numbers.getBaselineOffset());
    }
}
