package dev.keyward.console.defects;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyward.console.Fx;
import dev.keyward.console.Ui;
import dev.keyward.console.UnlockedWindow;
import dev.keyward.console.common.ConsoleSettings;
import dev.keyward.console.common.Screen;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.ComboBoxBase;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.TableView;
import javafx.scene.control.TextInputControl;
import javafx.scene.layout.BackgroundFill;
import javafx.scene.paint.Color;
import javafx.scene.text.Text;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.util.WaitForAsyncUtils;

/**
 * In the dark theme placeholders were unreadable, and many fields had only a placeholder. Every
 * field has a label, and a placeholder that shows has enough contrast (WCAG 4.5:1) in the dark theme.
 */
class DarkThemeTest {
    private static final List<Screen> SCREENS = List.of(Screen.DASHBOARD, Screen.SECRETS, Screen.POLICIES,
            Screen.IDENTITIES, Screen.AUDIT, Screen.BACKUP, Screen.SETTINGS);
    @TempDir
    Path home;
    UnlockedWindow ui;

    @BeforeEach
    void open() throws Exception {
        ui = UnlockedWindow.open(home);
        ConsoleSettings dark = ui.console().settings().withTheme(ConsoleSettings.Theme.DARK);
        Fx.run(() -> {
            try {
                ui.console().updateSettings(dark);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @AfterEach
    void close() {
        ui.close();
    }

    /** The control a label should name: the field itself, or the spinner / combo box / date picker it is part of. */
    private static Control labelled(TextInputControl f) {
        for (Node p = f.getParent(); p != null; p = p.getParent()) {
            if (p instanceof Spinner<?> || p instanceof ComboBoxBase<?>) {
                return (Control) p;
            }
        }
        return f;
    }

    private static boolean inTable(Node n) {
        for (Node p = n.getParent(); p != null; p = p.getParent()) {
            if (p instanceof TableView<?>) {
                return true;
            }
        }
        return false;
    }

    private static List<TextInputControl> fields(Parent root) {
        List<TextInputControl> out = new ArrayList<>();
        root.lookupAll(".text-input").forEach(n -> {
            if (n instanceof TextInputControl t && Ui.shown(t) && !inTable(t)) {
                out.add(t);
            }
        });
        return out;
    }

    private static String name(Control c) {
        return c.getClass().getSimpleName() + (c.getId() != null ? " #" + c.getId()
                : c.getParent() != null && c.getParent().getId() != null ? " in #" + c.getParent().getId() : "");
    }

    @Test
    void everyFieldOnEveryScreenHasALabel() {
        List<String> unlabelled = new ArrayList<>();
        for (Screen s : SCREENS) {
            ui.show(s);
            WaitForAsyncUtils.waitForFxEvents();
            unlabelled.addAll(Fx.call(() -> {
                Parent root = ui.window.stage().getScene().getRoot();
                root.applyCss();
                Set<Node> named = root.lookupAll(".label").stream().filter(n -> n instanceof Label)
                        .map(n -> ((Label) n).getLabelFor()).filter(java.util.Objects::nonNull)
                        .collect(Collectors.toSet());
                return fields(root).stream().map(DarkThemeTest::labelled).distinct()
                        .filter(c -> !named.contains(c)).map(c -> s + ": " + name(c)).toList();
            }));
        }
        assertEquals(List.of(), unlabelled);
    }

    private static double luminance(Color c) {
        double[] rgb = {c.getRed(), c.getGreen(), c.getBlue()};
        for (int i = 0; i < 3; i++) {
            rgb[i] = rgb[i] <= 0.03928 ? rgb[i] / 12.92 : Math.pow((rgb[i] + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    }

    static double contrast(Color a, Color b) {
        double la = luminance(a);
        double lb = luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    @Test
    void placeholdersAreReadableInTheDarkTheme() {
        List<String> faint = new ArrayList<>();
        for (Screen s : SCREENS) {
            ui.show(s);
            WaitForAsyncUtils.waitForFxEvents();
            faint.addAll(Fx.call(() -> {
                Parent root = ui.window.stage().getScene().getRoot();
                root.applyCss();
                root.layout();
                List<String> out = new ArrayList<>();
                for (TextInputControl f : fields(root)) {
                    if (f.getPromptText() == null || f.getPromptText().isEmpty() || !f.getText().isEmpty()
                            || f.getBackground() == null) {
                        continue;
                    }
                    Color bg = null;
                    for (BackgroundFill fill : f.getBackground().getFills()) {
                        if (fill.getFill() instanceof Color c && c.getOpacity() > 0.5) {
                            bg = c;
                        }
                    }
                    for (Node n : f.lookupAll("Text")) {
                        if (n instanceof Text t && f.getPromptText().equals(t.getText()) && t.isVisible()
                                && t.getFill() instanceof Color fg && bg != null && contrast(fg, bg) < 4.5) {
                            out.add(s + ": " + name(labelled(f)) + " '" + f.getPromptText() + "' "
                                    + String.format("%.2f", contrast(fg, bg)) + ":1");
                        }
                    }
                }
                return out;
            }));
        }
        assertEquals(List.of(), faint);
    }
}
