package dev.keyward.console;

import dev.keyward.console.common.Screen;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Vault;
import java.nio.file.Path;
import javafx.scene.Node;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;

/**
 * The real console window on a real, unlocked vault in a temporary directory, for TestFX tests of
 * one screen: the admin is logged in, the clock and the clipboard are the test's.
 */
public final class UnlockedWindow implements AutoCloseable {
    public final MutableClock clock = MutableClock.now();
    public final MemoryClipboard clipboard = new MemoryClipboard();
    public final ConsoleWindow window;
    public final FxRobot robot = new FxRobot();

    private UnlockedWindow(Path home, int width, int height) throws Exception {
        Fx.start();
        ConsoleViewModel console = TestConsoles.unlocked(TestConsoles.config(home, clock, clipboard).embeddedOnly());
        FxToolkit.setupStage(Stage::hide);
        window = Fx.call(() -> {
            Stage stage = new Stage();
            ConsoleWindow w = new ConsoleWindow(console, stage);
            w.start();
            if (width > 0) {
                stage.setWidth(width);
                stage.setHeight(height);
            }
            return w;
        });
        Fx.until(() -> window.main() != null);
    }

    public static UnlockedWindow open(Path home) throws Exception {
        return new UnlockedWindow(home, 0, 0);
    }

    /** The window at a given size (e.g. 1024x700). */
    public static UnlockedWindow open(Path home, int width, int height) throws Exception {
        return new UnlockedWindow(home, width, height);
    }

    public ConsoleViewModel console() {
        return window.viewModel();
    }

    public Vault vault() {
        return console().vault();
    }

    /** The admin's caller, for setting up data through the api. */
    public Caller admin() {
        return console().caller("test set-up");
    }

    public void show(Screen s) {
        Fx.run(() -> window.main().viewModel().navigate(s));
    }

    /** The node for a query, in any window (dialogs included). */
    public <T extends Node> T find(String query, Class<T> type) {
        return Fx.call(() -> robot.lookup(query).queryAs(type));
    }

    /** A showing window other than the main one (a dialog), or null. */
    public Window dialog() {
        return Fx.call(() -> Window.getWindows().stream().filter(w -> w.isShowing() && w != window.stage())
                .filter(w -> w instanceof Stage s && s.getOwner() != null).reduce((a, b) -> b).orElse(null));
    }

    @Override
    public void close() {
        Fx.run(() -> {
            for (Window w : new java.util.ArrayList<>(Window.getWindows())) {
                if (w != window.stage() && w instanceof Stage s && s.getOwner() != null) {
                    s.close();
                }
            }
            window.stage().close();
        });
        window.viewModel().close();
    }
}
