package dev.keyward.console.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.Fx;
import dev.keyward.console.UnlockedWindow;
import dev.keyward.console.common.Screen;
import dev.keyward.vault.api.AlertService.Alert;
import dev.keyward.vault.api.AlertService.AlertState;
import dev.keyward.vault.api.AlertSeverity;
import dev.keyward.vault.api.AlertSpec;
import dev.keyward.vault.api.SecretData;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Alerts screen, driven through the real window: the list, the detail with its evidence, working an alert. */
class AlertsScreenTest {
    @TempDir
    Path home;
    UnlockedWindow ui;
    String alertId;
    long evidence;

    @BeforeEach
    void open() throws Exception {
        ui = UnlockedWindow.open(home);
        ui.vault().secrets().write(ui.admin(), "pay/db", SecretData.of(Map.of("password", "canary-console-1")), null);
        evidence = ui.vault().audit().query(ui.admin(), dev.keyward.vault.api.AuditQuery.all(1000)).entries().stream()
                .filter(r -> r.operation().equals("secret.write")).findFirst().orElseThrow().sequence();
        alertId = ui.vault().alerts().raise(ui.admin(), new AlertSpec("break-glass", AlertSeverity.CRITICAL, "admin",
                "secret/pay/db", "admin used break-glass on secret/pay/db", List.of(evidence), Map.of()));
    }

    @AfterEach
    void close() {
        ui.close();
    }

    /** Presses a button as a click would (fire: the button may lie outside the headless window's visible part). */
    private void press(String id) {
        Button b = ui.find(id, Button.class);
        Fx.run(b::fire);
    }

    private static void waitFor(java.util.function.BooleanSupplier ok, java.util.function.Supplier<String> why) {
        long end = System.nanoTime() + 30_000_000_000L;
        while (!Fx.call(ok::getAsBoolean)) {
            if (System.nanoTime() > end) {
                throw new AssertionError(why.get());
            }
            Fx.run(() -> { });
        }
    }

    @SuppressWarnings("unchecked")
    @Test
    void anOperatorReadsTheEvidenceAndAcknowledgesThenResolvesAnAlert() {
        ui.show(Screen.ALERTS);
        TableView<Alert> table = ui.find("#alertTable", TableView.class);
        Fx.until(() -> table.getItems().size() == 1);
        Fx.run(() -> table.getSelectionModel().select(0));
        TextArea detail = ui.find("#alertDetail", TextArea.class);
        Fx.until(() -> detail.getText().contains("#" + evidence) && detail.getText().contains("secret.write"));
        assertTrue(detail.getText().contains("Runbook: "), detail.getText());
        assertTrue(!detail.getText().contains("canary-console-1"), "never a value");

        press("#ackButton");
        Label error = ui.find("#alertsError", Label.class);
        Fx.until(() -> error.getText().startsWith("Say why"));

        TextField reason = ui.find("#alertReason", TextField.class);
        Fx.run(() -> reason.setText("calling the admin"));
        press("#ackButton");
        waitFor(() -> table.getItems().isEmpty(), () -> "the open list still holds it; error: '" + error.getText()
                + "', info: '" + ui.find("#alertsInfo", Label.class).getText() + "', state: "
                + ui.vault().alerts().showAlert(ui.admin(), alertId).state());
        assertEquals(AlertState.ACKNOWLEDGED, ui.vault().alerts().showAlert(ui.admin(), alertId).state());
        Label info = ui.find("#alertsInfo", Label.class);
        Fx.until(() -> info.getText().contains("acknowledged"));
        Fx.until(() -> detail.getText().contains("acknowledged by admin: calling the admin"));

        press("#resolveButton");
        Fx.until(() -> ui.vault().alerts().showAlert(ui.admin(), alertId).state() == AlertState.RESOLVED);
        press("#falsePositiveButton");
        Fx.until(() -> error.getText().contains("already resolved")); // a refusal shows inline
    }
}
