package dev.keyward.console.secrets;

import java.util.Locale;
import java.util.Optional;
import javafx.geometry.Insets;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.RadioButton;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.stage.Window;

/** The password generator of the secret editor: characters of chosen classes, or a word passphrase. */
final class GeneratorDialog {
    private GeneratorDialog() {
    }

    static Optional<String> ask(Window owner) {
        RadioButton password = new RadioButton("Password");
        password.setId("genPassword");
        RadioButton passphrase = new RadioButton("Passphrase (words)");
        passphrase.setId("genPassphrase");
        ToggleGroup mode = new ToggleGroup();
        password.setToggleGroup(mode);
        passphrase.setToggleGroup(mode);
        password.setSelected(true);
        Spinner<Integer> length = new Spinner<>(8, 128, 24);
        length.setId("genLength");
        length.setEditable(true);
        Spinner<Integer> words = new Spinner<>(4, 20, 6);
        words.setId("genWords");
        words.setEditable(true);
        CheckBox lower = new CheckBox("a-z");
        CheckBox upper = new CheckBox("A-Z");
        CheckBox digits = new CheckBox("0-9");
        CheckBox symbols = new CheckBox("!#$%");
        for (CheckBox c : new CheckBox[] {lower, upper, digits, symbols}) {
            c.setSelected(true);
        }
        TextField preview = new TextField();
        preview.setId("genPreview");
        preview.setEditable(false);
        preview.getStyleClass().add("code");
        preview.setPrefColumnCount(36);
        Label bits = new Label();
        bits.setId("genBits");
        Runnable regenerate = () -> {
            try {
                PasswordGenerator.Spec spec = passphrase.isSelected()
                        ? PasswordGenerator.Spec.passphrase(words.getValue())
                        : new PasswordGenerator.Spec(length.getValue(), lower.isSelected(), upper.isSelected(),
                                digits.isSelected(), symbols.isSelected(), 0, null);
                preview.setText(PasswordGenerator.generate(spec));
                bits.setText(String.format(Locale.ROOT, "about %.0f bits", spec.bits()));
            } catch (IllegalArgumentException e) {
                preview.clear();
                bits.setText(e.getMessage());
            }
        };
        mode.selectedToggleProperty().addListener((o, a, b) -> regenerate.run());
        length.valueProperty().addListener((o, a, b) -> regenerate.run());
        words.valueProperty().addListener((o, a, b) -> regenerate.run());
        for (CheckBox c : new CheckBox[] {lower, upper, digits, symbols}) {
            c.selectedProperty().addListener((o, a, b) -> regenerate.run());
        }
        length.disableProperty().bind(passphrase.selectedProperty());
        words.disableProperty().bind(password.selectedProperty());
        GridPane g = new GridPane();
        g.setHgap(10);
        g.setVgap(8);
        g.setPadding(new Insets(4));
        g.addRow(0, new Label("Kind"), new HBox(12, password, passphrase));
        g.addRow(1, label("Length", length), length);
        g.addRow(2, new Label("Characters"), new HBox(10, lower, upper, digits, symbols));
        g.addRow(3, label("Words", words), words);
        g.addRow(4, label("Result", preview), preview);
        g.addRow(5, new Label(""), bits);
        ButtonType again = new ButtonType("Again", ButtonBar.ButtonData.OTHER);
        ButtonType use = new ButtonType("Use it", ButtonBar.ButtonData.OK_DONE);
        Dialog<String> d = new Dialog<>();
        d.initOwner(owner);
        d.setTitle("Generate a value");
        d.getDialogPane().setContent(g);
        d.getDialogPane().getButtonTypes().setAll(ButtonType.CANCEL, again, use);
        d.getDialogPane().lookupButton(again).addEventFilter(javafx.event.ActionEvent.ACTION, e -> {
            e.consume();
            regenerate.run();
        });
        d.setResultConverter(b -> b == use && !preview.getText().isEmpty() ? preview.getText() : null);
        d.setOnHidden(e -> preview.clear());
        regenerate.run();
        return d.showAndWait();
    }

    private static Label label(String text, javafx.scene.Node field) {
        Label l = new Label(text);
        l.setLabelFor(field);
        return l;
    }
}
