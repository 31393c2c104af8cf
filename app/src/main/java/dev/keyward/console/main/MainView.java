package dev.keyward.console.main;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.audit.AuditView;
import dev.keyward.console.audit.AuditViewModel;
import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ScreenView;
import dev.keyward.console.common.ViewLoader;
import dev.keyward.console.dashboard.DashboardView;
import dev.keyward.console.dashboard.DashboardViewModel;
import dev.keyward.console.identities.IdentitiesView;
import dev.keyward.console.identities.IdentitiesViewModel;
import dev.keyward.console.policies.PoliciesView;
import dev.keyward.console.policies.PoliciesViewModel;
import dev.keyward.console.secrets.SecretsView;
import dev.keyward.console.secrets.SecretsViewModel;
import dev.keyward.console.settings.SettingsView;
import dev.keyward.console.settings.SettingsViewModel;
import java.util.EnumMap;
import java.util.Map;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
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

    public MainView(ConsoleViewModel console) {
        this.console = console;
        this.vm = new MainViewModel(console);
        this.root = ViewLoader.load(Screen.MAIN, this);
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
        for (Screen s : MainViewModel.SIDEBAR) {
            ToggleButton b = new ToggleButton(s.title());
            b.setId("nav-" + s.name().toLowerCase());
            b.getStyleClass().add("nav-button");
            b.setMaxWidth(Double.MAX_VALUE);
            b.setToggleGroup(group);
            b.setOnAction(e -> vm.navigate(s));
            b.setSelected(s == vm.currentProperty().get());
            sidebar.getChildren().add(b);
        }
        group.selectedToggleProperty().addListener((o, a, b) -> {
            if (b == null && a != null) {
                a.setSelected(true);
            }
        });
        operator.textProperty().bind(vm.operatorProperty());
        sealState.textProperty().bind(vm.sealStateProperty());
        hsmState.textProperty().bind(vm.hsmStateProperty());
        endpoint.textProperty().bind(vm.endpointProperty());
        treeHead.textProperty().bind(vm.treeHeadProperty());
        mode.textProperty().bind(vm.modeProperty());
        vm.currentProperty().addListener((o, a, s) -> show(s));
        show(vm.currentProperty().get());
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
        return switch (s) {
            case DASHBOARD -> new DashboardView(new DashboardViewModel(console));
            case SECRETS -> new SecretsView(new SecretsViewModel(console), console);
            case POLICIES -> new PoliciesView(new PoliciesViewModel(console));
            case IDENTITIES -> new IdentitiesView(new IdentitiesViewModel(console));
            case AUDIT -> new AuditView(new AuditViewModel(console));
            case SETTINGS -> new SettingsView(new SettingsViewModel(console));
            default -> throw new IllegalArgumentException(s.name());
        };
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
