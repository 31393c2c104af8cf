package dev.keyward.console.main;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ScreenView;
import dev.keyward.console.common.ViewLoader;
import java.util.EnumMap;
import java.util.Map;
import javafx.fxml.FXML;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.feather.Feather;
import javafx.scene.Parent;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/** The main window: sidebar, toolbar (lock, seal now), content and status bar. */
public final class MainView {
    private final ConsoleViewModel console;
    private final MainViewModel vm;
    private final Parent root;
    private final Map<Screen, ScreenView> views = new EnumMap<>(Screen.class);
    @FXML private VBox sidebar;
    @FXML private StackPane content;
    @FXML private Label operator;
    @FXML private Label sealState;
    @FXML private Label hsmState;
    @FXML private Label endpoint;
    @FXML private Label treeHead;
    @FXML private Label mode;
    @FXML private Button lockButton;
    @FXML private Button sealButton;

    public MainView(ConsoleViewModel console) {
        this.console = console;
        this.vm = new MainViewModel(console);
        this.root = ViewLoader.load(Screen.MAIN, this);
        root.addEventFilter(KeyEvent.KEY_PRESSED, this::shortcut);
    }

    public Parent root() {
        return root;
    }

    public MainViewModel viewModel() {
        return vm;
    }

    @FXML
    private void initialize() {
        ToggleGroup group = new ToggleGroup();
        for (Nav n : Nav.values()) {
            Screen s = n.screen();
            ToggleButton b = new ToggleButton(s.title(), new FontIcon(n.icon()));
            b.setId("nav-" + s.name().toLowerCase());
            b.getStyleClass().add("nav-button");
            b.setMaxWidth(Double.MAX_VALUE);
            b.setMinWidth(Region.USE_PREF_SIZE);
            b.setToggleGroup(group);
            b.setOnAction(e -> vm.navigate(s));
            b.setSelected(s == vm.currentProperty().get());
            if (n == Nav.SECRETS) {
                Label badge = new Label();
                badge.setId("expiryBadge");
                badge.getStyleClass().add("nav-badge");
                var cat = console.catalog();
                badge.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> Integer.toString(
                        cat.expiredProperty().get() + cat.expiringProperty().get()), cat.expiredProperty(),
                        cat.expiringProperty()));
                badge.visibleProperty().bind(badge.textProperty().isNotEqualTo("0"));
                badge.managedProperty().bind(badge.visibleProperty());
                badge.setTooltip(new javafx.scene.control.Tooltip("Secrets expired or expiring within 30 days"));
                withBadge(b, n, badge);
            }
            if (n == Nav.APPROVALS) {
                approvalsBadge(b, n);
            }
            sidebar.getChildren().add(b);
        }
        group.selectedToggleProperty().addListener((o, a, b) -> {
            if (b == null && a != null) {
                a.setSelected(true);
            }
        });
        lockButton.setGraphic(new FontIcon(Feather.LOCK));
        sealButton.setGraphic(new FontIcon(Feather.POWER));
        operator.textProperty().bind(vm.operatorProperty());
        sealState.textProperty().bind(vm.sealStateProperty());
        hsmState.textProperty().bind(vm.hsmStateProperty());
        endpoint.textProperty().bind(vm.endpointProperty());
        treeHead.textProperty().bind(vm.treeHeadProperty());
        mode.textProperty().bind(vm.modeProperty());
        vm.currentProperty().addListener((o, a, s) -> show(s));
        show(vm.currentProperty().get());
    }

    /** The entry's icon followed by its badge. */
    private static void withBadge(ToggleButton b, Nav n, Label badge) {
        javafx.scene.layout.HBox graphic = new javafx.scene.layout.HBox(6, new FontIcon(n.icon()), badge);
        graphic.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        b.setGraphic(graphic);
        b.setContentDisplay(javafx.scene.control.ContentDisplay.LEFT);
    }

    /** The count of requests waiting for this operator's review, asked at start and every 30 seconds. */
    private void approvalsBadge(ToggleButton b, Nav n) {
        Label badge = new Label();
        badge.setId("approvalsBadge");
        badge.getStyleClass().add("nav-badge");
        var count = dev.keyward.console.approvals.ApprovalsBadge.of(console);
        badge.textProperty().bind(count.getReadOnlyProperty().asString());
        badge.visibleProperty().bind(count.getReadOnlyProperty().greaterThan(0));
        badge.managedProperty().bind(badge.visibleProperty());
        badge.setTooltip(new javafx.scene.control.Tooltip("Requests waiting for your review"));
        withBadge(b, n, badge);
        dev.keyward.console.approvals.ApprovalsBadge.refresh(console);
        javafx.animation.Timeline poll = new javafx.animation.Timeline();
        poll.getKeyFrames().add(new javafx.animation.KeyFrame(javafx.util.Duration.seconds(30), e -> {
            if (!dev.keyward.console.approvals.ApprovalsBadge.refresh(console)) {
                poll.stop(); // the console closed
            }
        }));
        poll.setCycleCount(javafx.animation.Animation.INDEFINITE);
        poll.play();
        console.phaseProperty().addListener((o, was, now) -> {
            if (now != ConsoleViewModel.Phase.UNLOCKED) {
                poll.stop();
            }
        });
    }

    private void show(Screen s) {
        ScreenView v = views.get(s);
        boolean first = v == null;
        if (first) {
            v = create(s);
            views.put(s, v);
        }
        content.getChildren().setAll(v.root());
        sidebar.getChildren().stream().filter(n -> n instanceof ToggleButton)
                .map(n -> (ToggleButton) n)
                .forEach(b -> b.setSelected(b.getId().equals("nav-" + s.name().toLowerCase())));
        if (first) {
            v.firstShown();
        }
        v.shown();
    }

    private ScreenView create(Screen s) {
        return Nav.of(s).orElseThrow(() -> new IllegalArgumentException(s.name())).create(console);
    }

    /** The View of a screen that has been shown. */
    public ScreenView view(Screen s) {
        return views.get(s);
    }

    public Screen current() {
        return vm.currentProperty().get();
    }

    public void tick() {
        views.values().forEach(ScreenView::tick);
    }

    public void dispose() {
        views.values().forEach(ScreenView::dispose);
        views.clear();
    }

    private static final KeyCombination FIND = new KeyCodeCombination(KeyCode.F, KeyCombination.SHORTCUT_DOWN);
    private static final KeyCombination NEW = new KeyCodeCombination(KeyCode.N, KeyCombination.SHORTCUT_DOWN);
    private static final KeyCombination LOCK = new KeyCodeCombination(KeyCode.L, KeyCombination.SHORTCUT_DOWN);

    /** Ctrl+F (search of the screen), Ctrl+N (new item of the screen), Ctrl+L (lock), anywhere in the window. */
    private void shortcut(KeyEvent e) {
        ScreenView v = views.get(current());
        if (FIND.match(e) && v != null && v.focusSearch() || NEW.match(e) && v != null && v.newItem()) {
            e.consume();
        } else if (LOCK.match(e)) {
            e.consume();
            vm.lock();
        }
    }

    @FXML
    private void lock() {
        vm.lock();
    }

    /** Asks first: sealing stops every client (in attached mode, the service's pipelines too). */
    @FXML
    private void sealNow() {
        ButtonType seal = new ButtonType("Seal now", ButtonBar.ButtonData.OK_DONE);
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, vm.sealConsequence(), ButtonType.CANCEL, seal);
        a.initOwner(root.getScene().getWindow());
        a.setTitle("Seal the vault");
        a.setHeaderText("Seal the vault now?");
        a.getDialogPane().setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        ((Button) a.getDialogPane().lookupButton(seal)).setDefaultButton(false);
        ((Button) a.getDialogPane().lookupButton(ButtonType.CANCEL)).setDefaultButton(true);
        a.getDialogPane().lookupButton(seal).getStyleClass().add("danger");
        a.showAndWait().filter(b -> b == seal).ifPresent(b -> vm.sealNow());
    }
}
