package dev.keyward.console.dashboard;

import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ScreenView;
import dev.keyward.console.common.ViewLoader;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import javafx.fxml.FXML;
import javafx.scene.Parent;
import javafx.scene.chart.BarChart;
import javafx.scene.chart.StackedBarChart;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;

public final class DashboardView implements ScreenView {
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH:00").withZone(ZoneId.systemDefault());
    private final DashboardViewModel vm;
    private final Parent root;
    @FXML private javafx.scene.layout.FlowPane tiles;
    private final java.util.List<DashboardTile> contributed = new java.util.ArrayList<>();
    @FXML private Label seal;
    @FXML private Label keys;
    @FXML private Label storage;
    @FXML private Label home;
    @FXML private Label warning;
    @FXML private Label activityNote;
    @FXML private StackedBarChart<String, Number> requestsChart;
    @FXML private BarChart<Number, String> deniedChart;
    @FXML private BarChart<Number, String> pathsChart;

    public DashboardView(DashboardViewModel vm) {
        this.vm = vm;
        this.root = ViewLoader.load(Screen.DASHBOARD, this);
    }

    @FXML
    private void initialize() {
        seal.textProperty().bind(vm.sealProperty());
        keys.textProperty().bind(vm.keysProperty());
        storage.textProperty().bind(vm.storageProperty());
        warning.textProperty().bind(vm.warningProperty());
        warning.visibleProperty().bind(vm.warningProperty().isNotEmpty());
        warning.managedProperty().bind(warning.visibleProperty());
        home.setText(vm.home());
        activityNote.textProperty().bind(vm.activityNoteProperty());
        vm.activityProperty().addListener((o, a, b) -> draw(b));
        for (var make : DashboardTile.TILES) {
            DashboardTile t = make.apply(vm.console());
            contributed.add(t);
            tiles.getChildren().add(t.node());
        }
    }

    private void draw(Activity a) {
        if (a == null) {
            return;
        }
        XYChart.Series<String, Number> allowed = new XYChart.Series<>();
        allowed.setName("allowed");
        XYChart.Series<String, Number> denied = new XYChart.Series<>();
        denied.setName("denied");
        XYChart.Series<String, Number> undecided = new XYChart.Series<>();
        undecided.setName("no decision");
        for (Activity.Hour h : a.hours()) {
            String label = HOUR.format(h.start());
            allowed.getData().add(new XYChart.Data<>(label, h.allowed()));
            denied.getData().add(new XYChart.Data<>(label, h.denied()));
            undecided.getData().add(new XYChart.Data<>(label, h.undecided()));
        }
        requestsChart.getData().setAll(List.of(allowed, denied, undecided));
        deniedChart.getData().setAll(List.of(counts(a.deniedByIdentity())));
        pathsChart.getData().setAll(List.of(counts(a.topPaths())));
    }

    /** Horizontal bars, the largest at the top. */
    private static XYChart.Series<Number, String> counts(List<Activity.Count> counts) {
        XYChart.Series<Number, String> s = new XYChart.Series<>();
        for (int i = counts.size() - 1; i >= 0; i--) {
            s.getData().add(new XYChart.Data<>(counts.get(i).count(), counts.get(i).name()));
        }
        return s;
    }

    @Override
    public Parent root() {
        return root;
    }

    @Override
    public void shown() {
        vm.refresh();
        contributed.forEach(DashboardTile::refresh);
    }

    @FXML
    private void refresh() {
        vm.refresh();
    }
}
