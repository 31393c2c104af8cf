package dev.keyward.console.dashboard;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.Fx;
import dev.keyward.console.UnlockedWindow;
import dev.keyward.console.common.Screen;
import dev.keyward.vault.api.AlertSeverity;
import dev.keyward.vault.api.AlertSpec;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.SecretData;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import javafx.scene.Node;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The security dashboard's charts in the real window; clicking a bar shows the audit entries behind it. */
class SecurityTileTest {
    @TempDir
    Path home;
    UnlockedWindow ui;
    long evidence;

    @BeforeEach
    void open() throws Exception {
        ui = UnlockedWindow.open(home, 1280, 1000);
        ui.vault().policies().put(ui.admin(), new Policy("team", "", List.of(PolicyRule.grant("secret/team/*",
                EnumSet.of(Capability.READ), null, "team", "reads", Instant.now().plus(Duration.ofDays(30))))), "t");
        ui.vault().secrets().write(ui.admin(), "team/db", SecretData.of(Map.of("password", "canary-dash-1")), null);
        evidence = ui.vault().audit().query(ui.admin(), dev.keyward.vault.api.AuditQuery.all(1000)).entries().stream()
                .filter(r -> r.operation().equals("secret.write")).findFirst().orElseThrow().sequence();
        ui.vault().alerts().raise(ui.admin(), new AlertSpec("first-read", AlertSeverity.MEDIUM, "admin", "secret/team/db",
                "admin read secret/team/db for the first time", List.of(evidence), Map.of()));
    }

    @AfterEach
    void close() {
        ui.close();
    }

    @Test
    void everyChartIsShownAndABarDrillsDownToItsAuditEntries() {
        ui.show(Screen.ALERTS);
        ui.show(Screen.DASHBOARD); // shown again: the tiles read the vault
        Fx.until(() -> ui.robot.lookup("#chart-anomalies").tryQuery().isPresent());
        for (String c : List.of("privilege", "anomalies", "rotation", "risk", "unused")) {
            assertTrue(ui.robot.lookup("#chart-" + c).tryQuery().isPresent(), c);
        }
        @SuppressWarnings("unchecked")
        XYChart<String, Number> anomalies = ui.find("#chart-anomalies", XYChart.class);
        String today = LocalDate.now(ZoneId.systemDefault()).toString();
        Fx.until(() -> anomalies.getData().stream().anyMatch(s -> s.getName().equals("first-read")));
        XYChart.Data<String, Number> bar = Fx.call(() -> anomalies.getData().stream()
                .filter(s -> s.getName().equals("first-read")).findFirst().orElseThrow().getData().stream()
                .filter(d -> d.getXValue().equals(today)).findFirst().orElseThrow());
        Node node = Fx.call(bar::getNode);
        Fx.run(() -> node.getOnMouseClicked().handle(null));
        ListView<?> drill = ui.find("#securityDrill", ListView.class);
        Fx.until(() -> drill.getItems().stream().anyMatch(l -> l.toString().startsWith("#" + evidence + " ")
                && l.toString().contains("secret.write")));
        Label title = ui.find("#securityDrillTitle", Label.class);
        assertTrue(title.getText().contains("Anomalies by detector"), title.getText());
        assertFalse(drill.getItems().stream().anyMatch(l -> l.toString().contains("canary-dash-1")));

        @SuppressWarnings("unchecked")
        XYChart<String, Number> privilege = ui.find("#chart-privilege", XYChart.class);
        Fx.until(() -> privilege.getData().stream().anyMatch(s -> s.getName().equals("grants granted")
                && s.getData().stream().anyMatch(d -> d.getXValue().equals(today) && d.getYValue().intValue() == 1)));
    }
}
