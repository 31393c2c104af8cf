package dev.keyward.console.dashboard;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.vault.api.AuditRecord;
import java.util.List;
import java.util.Map;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.Node;
import javafx.scene.chart.BarChart;
import javafx.scene.chart.CategoryAxis;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.StackedBarChart;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.VBox;

/**
 * The security dashboard: five charts ({@link SecurityCharts}) and, under them, the audit entries
 * behind the bar last clicked (the drill-down).
 */
final class SecurityTile implements DashboardTile {
    private static final Map<String, String> TITLES = Map.of(SecurityCharts.PRIVILEGE, "Privilege usage (grants used vs"
            + " granted)", SecurityCharts.ANOMALIES, "Anomalies by detector", SecurityCharts.ROTATION,
            "Rotations: succeeded and failed", SecurityCharts.RISK, "Identities by risk", SecurityCharts.UNUSED,
            "Unused grants by policy");
    private static final List<String> ORDER = List.of(SecurityCharts.PRIVILEGE, SecurityCharts.ANOMALIES,
            SecurityCharts.ROTATION, SecurityCharts.RISK, SecurityCharts.UNUSED);

    private final ConsoleViewModel console;
    private final VBox box = new VBox(8);
    private final FlowPane chartPane = new FlowPane(12, 12);
    private final ObservableList<String> drilled = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper drillTitle = new ReadOnlyStringWrapper("Click a bar for the audit entries behind it.");
    private SecurityCharts data;

    SecurityTile(ConsoleViewModel console) {
        this.console = console;
        Label title = new Label("SECURITY");
        title.getStyleClass().add("tile-label");
        Label drill = new Label();
        drill.setId("securityDrillTitle");
        drill.textProperty().bind(drillTitle);
        ListView<String> list = new ListView<>(drilled);
        list.setId("securityDrill");
        list.setPrefHeight(140);
        chartPane.setId("securityCharts");
        box.getChildren().addAll(title, chartPane, drill, list);
        box.getStyleClass().add("tile");
        box.setId("securityTile");
    }

    @Override
    public Node node() {
        return box;
    }

    @Override
    public void refresh() {
        console.background().run(() -> SecurityCharts.read(console.vault(), console.caller(null), console.clock()),
                this::show, e -> drillTitle.set("The security charts could not be read: " + e));
    }

    /** The entries behind the bars (for tests): the last drill-down's lines. */
    ObservableList<String> drilled() {
        return drilled;
    }

    ReadOnlyStringProperty drillTitleProperty() {
        return drillTitle.getReadOnlyProperty();
    }

    SecurityCharts data() {
        return data;
    }

    private void show(SecurityCharts d) {
        data = d;
        chartPane.getChildren().clear();
        for (String name : ORDER) {
            SecurityCharts.Chart c = d.charts().get(name);
            CategoryAxis x = new CategoryAxis();
            NumberAxis y = new NumberAxis();
            XYChart<String, Number> chart = name.equals(SecurityCharts.ANOMALIES) || name.equals(SecurityCharts.ROTATION)
                    ? new StackedBarChart<>(x, y) : new BarChart<>(x, y);
            chart.setId("chart-" + name);
            chart.setTitle(TITLES.get(name));
            chart.setAnimated(false);
            chart.setPrefSize(340, 220);
            if (c != null) {
                c.series().forEach((series, values) -> {
                    XYChart.Series<String, Number> s = new XYChart.Series<>();
                    s.setName(series);
                    values.forEach((category, v) -> {
                        XYChart.Data<String, Number> point = new XYChart.Data<>(category, v);
                        point.nodeProperty().addListener((o, a, n) -> {
                            if (n != null) {
                                n.setOnMouseClicked(e -> drill(name, category, series));
                                n.getStyleClass().add("drillable");
                            }
                        });
                        s.getData().add(point);
                    });
                    chart.getData().add(s);
                });
            }
            chartPane.getChildren().add(chart);
        }
    }

    /** Shows the audit entries behind one bar. */
    void drill(String chart, String category, String series) {
        SecurityCharts d = data;
        if (d == null) {
            return;
        }
        List<Long> seqs = d.behind(chart, category, series);
        drillTitle.set(TITLES.get(chart) + ": " + series + ", " + category + " - " + seqs.size() + " audit entries");
        console.background().run(() -> SecurityCharts.entriesBehind(console.vault(), console.caller(null), seqs),
                entries -> drilled.setAll(entries.stream().map(SecurityTile::line).toList()),
                e -> drillTitle.set("The audit entries could not be read: " + e));
    }

    static String line(AuditRecord r) {
        return "#" + r.sequence() + "  " + r.time() + "  " + (r.identityName() == null ? "-" : r.identityName()) + "  "
                + r.operation() + "  " + (r.resource() == null ? "" : r.resource()) + "  " + r.decision() + " "
                + r.outcome();
    }
}
