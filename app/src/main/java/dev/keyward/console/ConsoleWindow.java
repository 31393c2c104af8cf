package dev.keyward.console;

import dev.keyward.console.backup.RestoreView;
import dev.keyward.console.backup.RestoreViewModel;
import dev.keyward.console.common.ConsoleSettings;
import dev.keyward.console.common.WindowGeometry;
import dev.keyward.console.init.InitView;
import dev.keyward.console.init.InitViewModel;
import dev.keyward.console.main.MainView;
import dev.keyward.console.unlock.UnlockView;
import dev.keyward.console.unlock.UnlockViewModel;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.event.Event;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javafx.util.Duration;

/**
 * The console window: shows the init wizard, the unlock screen or the main window depending on
 * the {@link ConsoleViewModel}'s phase, runs the once-a-second tick (auto-lock, reveal and
 * clipboard timeouts) and notices user input for the idle timer.
 */
public final class ConsoleWindow {
    private final ConsoleViewModel console;
    private final Stage stage;
    private final StackPane host = new StackPane();
    private final Timeline ticker;
    private UnlockView unlock;
    private InitView init;
    private MainView main;
    private RestoreView restore;
    private Runnable onUnlockShown = () -> { };

    public ConsoleWindow(ConsoleViewModel console, Stage stage) {
        this.console = console;
        this.stage = stage;
        Scene scene = new Scene(host, 1180, 760);
        scene.getStylesheets().add(ConsoleWindow.class.getResource("/dev/keyward/console/common/console.css")
                .toExternalForm());
        scene.addEventFilter(KeyEvent.ANY, this::touch);
        scene.addEventFilter(MouseEvent.MOUSE_PRESSED, this::touch);
        scene.addEventFilter(MouseEvent.MOUSE_MOVED, this::touch);
        applyTheme(scene, console.settings().theme());
        console.settingsProperty().addListener((o, a, s) -> applyTheme(scene, s.theme()));
        stage.setScene(scene);
        stage.setTitle("Keyward");
        stage.setMinWidth(900);
        stage.setMinHeight(600);
        console.phaseProperty().addListener((o, a, p) -> show(p));
        console.restoringProperty().addListener((o, a, r) -> {
            if (r) {
                restore = new RestoreView(new RestoreViewModel(console));
                host.getChildren().setAll(restore.root());
                stage.setTitle("Keyward \u2014 restore from a backup");
            } else {
                if (restore != null) {
                    restore.wipe();
                }
                restore = null;
                show(console.phase());
            }
        });
        ticker = new Timeline(new KeyFrame(Duration.seconds(1), e -> tick()));
        ticker.setCycleCount(Timeline.INDEFINITE);
        stage.setOnHidden(e -> {
            ticker.stop();
            rememberGeometry();
        });
        WindowGeometry.load(console.config().home()).filter(ConsoleWindow::fitsAScreen).ifPresent(g -> {
            stage.setX(g.x());
            stage.setY(g.y());
            stage.setWidth(g.width());
            stage.setHeight(g.height());
        });
    }

    private static boolean fitsAScreen(WindowGeometry g) {
        return !javafx.stage.Screen.getScreensForRectangle(g.x(), g.y(), g.width(), g.height()).isEmpty();
    }

    private void rememberGeometry() {
        if (Double.isNaN(stage.getX()) || stage.getWidth() <= 0) {
            return;
        }
        try {
            new WindowGeometry(stage.getX(), stage.getY(), stage.getWidth(), stage.getHeight())
                    .save(console.config().home());
        } catch (java.io.IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(ConsoleWindow.class).info("The window size was not saved: {}",
                    e.getClass().getSimpleName());
        }
    }

    /** Runs once when the unlock screen first appears (used to measure start-up time). */
    public ConsoleWindow onUnlockShown(Runnable r) {
        this.onUnlockShown = r;
        return this;
    }

    /**
     * Shows the window. The vault starts opening first, in the background, so that it opens while
     * the first screen is built and laid out: the unlock screen of an initialised directory
     * appears at once and waits for it (see {@link ConsoleViewModel#readyProperty()}).
     */
    public void start() {
        if (!console.ready()) {
            console.open();
        }
        show(console.phase());
        stage.show();
        ticker.play();
    }

    public ConsoleViewModel viewModel() {
        return console;
    }

    public javafx.stage.Stage stage() {
        return stage;
    }

    public MainView main() {
        return main;
    }

    /** The set-up wizard while it shows, else null. */
    public InitView init() {
        return init;
    }

    private void touch(Event e) {
        console.touch();
    }

    /** AtlantaFX's Primer light or dark theme (binary CSS, parsed fast) under the console's own stylesheet. */
    static void applyTheme(Scene scene, ConsoleSettings.Theme theme) {
        boolean dark = theme == ConsoleSettings.Theme.DARK;
        javafx.application.Application.setUserAgentStylesheet(dark
                ? new atlantafx.base.theme.PrimerDark().getUserAgentStylesheetBSS()
                : new atlantafx.base.theme.PrimerLight().getUserAgentStylesheetBSS());
        scene.getRoot().getStyleClass().remove("dark");
        if (dark) {
            scene.getRoot().getStyleClass().add("dark");
        }
    }

    private void tick() {
        console.tick();
        if (unlock != null) {
            unlock.tick();
        }
        if (init != null) {
            init.tick();
        }
        if (main != null) {
            main.tick();
        }
    }

    /** The restore screen while it shows, else null. */
    public RestoreView restore() {
        return restore;
    }

    private void show(ConsoleViewModel.Phase phase) {
        if (restore != null) {
            return; // the restore screen covers the set-up and unlock screens until it is closed
        }
        if (phase != ConsoleViewModel.Phase.UNLOCKED && main != null) {
            main.dispose();
            main = null;
        }
        if (phase != ConsoleViewModel.Phase.LOCKED) {
            unlock = null;
        }
        if (phase != ConsoleViewModel.Phase.NEEDS_INIT) {
            init = null;
        }
        Parent view = switch (phase) {
            case OPENING -> message(new ProgressIndicator(), "Opening the vault in " + console.config().home() + "\u2026",
                    null);
            case IN_USE, FAILED, DISCONNECTED -> {
                Button retry = new Button("Retry");
                retry.setId("retryOpen");
                retry.setOnAction(e -> {
                    if (phase == ConsoleViewModel.Phase.DISCONNECTED) {
                        console.reconnect();
                    } else {
                        console.open();
                    }
                });
                Label title = new Label(switch (phase) {
                    case IN_USE -> "The vault is in use";
                    case DISCONNECTED -> "The vault service stopped answering";
                    default -> "The vault could not be opened";
                });
                title.getStyleClass().add("title");
                yield message(title, console.problemProperty().get(), retry);
            }
            case NEEDS_INIT -> {
                init = new InitView(new InitViewModel(console));
                yield init.root();
            }
            case LOCKED -> {
                UnlockViewModel uvm = new UnlockViewModel(console);
                unlock = new UnlockView(uvm);
                uvm.refresh();
                Runnable r = onUnlockShown;
                onUnlockShown = () -> { };
                javafx.application.Platform.runLater(r);
                yield unlock.root();
            }
            case UNLOCKED -> {
                main = new MainView(console);
                yield main.root();
            }
        };
        host.getChildren().setAll(view);
        stage.setTitle(switch (phase) {
            case NEEDS_INIT -> "Keyward \u2014 set up a new vault";
            case LOCKED -> "Keyward \u2014 locked";
            default -> "Keyward";
        });
    }

    private static Parent message(javafx.scene.Node top, String text, Button action) {
        Label l = new Label(text);
        l.setId("phaseMessage");
        l.setWrapText(true);
        l.setMaxWidth(560);
        VBox box = new VBox(16, top, l);
        if (action != null) {
            box.getChildren().add(action);
        }
        box.setAlignment(Pos.CENTER);
        box.setPadding(new Insets(48));
        box.getStyleClass().add("screen");
        return box;
    }
}
