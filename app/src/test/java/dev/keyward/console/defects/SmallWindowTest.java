package dev.keyward.console.defects;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyward.console.Fx;
import dev.keyward.console.UnlockedWindow;
import dev.keyward.console.common.Screen;
import dev.keyward.console.secrets.SecretRow;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.MetadataUpdate;
import dev.keyward.vault.api.SecretData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javafx.scene.control.TableView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.util.WaitForAsyncUtils;

/** At 1024x700 no button, column header, label or status bar entry is cut to "R…" or "Copy …". */
class SmallWindowTest {
    @TempDir
    Path home;
    UnlockedWindow ui;

    @BeforeEach
    void open() throws Exception {
        ui = UnlockedWindow.open(home, 1024, 700);
        var c = ui.admin();
        ui.vault().secrets().write(c, "payments/stripe/api-key", SecretData.of(Map.of("value", "x", "account", "y")),
                null);
        // "high", not "critical": reading a critical secret needs an approval (docs/approvals.md).
        ui.vault().secrets().writeMetadata(c, "payments/stripe/api-key", new MetadataUpdate(null, null, null, Map.of(
                "owner", "payments-team", "tags", "pci, external", "criticality", "high", "expires",
                "2027-03-31")));
        ui.vault().identities().putAppRole(c, IdentityService.AppRoleSpec.of("ci-deploy", List.of()));
        ui.vault().audit().issueHead(c);
    }

    @AfterEach
    void close() {
        ui.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void nothingIsCutOffOnAnyScreen() {
        List<String> cut = new ArrayList<>();
        for (Screen s : List.of(Screen.DASHBOARD, Screen.SECRETS, Screen.POLICIES, Screen.IDENTITIES, Screen.AUDIT,
                Screen.BACKUP, Screen.SETTINGS)) {
            ui.show(s);
            if (s == Screen.SECRETS) {
                TableView<SecretRow> table = ui.find("#table", TableView.class);
                Fx.until(() -> !table.getItems().isEmpty());
                Fx.run(() -> table.getSelectionModel().select(0));
                Fx.until(() -> !ui.find("#fieldTable", TableView.class).getItems().isEmpty());
            }
            WaitForAsyncUtils.sleep(800, java.util.concurrent.TimeUnit.MILLISECONDS);
            WaitForAsyncUtils.waitForFxEvents();
            TruncationCheck.truncated(ui.window.stage().getScene().getRoot()).forEach(t -> cut.add(s + ": " + t));
        }
        assertEquals(List.of(), cut);
    }

    @Test
    void theUnlockAndRestoreScreensAreNotCutOff() {
        Fx.run(ui.console()::lock);
        Fx.until(() -> ui.robot.lookup("#restoreButton").tryQuery().isPresent());
        List<String> cut = new ArrayList<>();
        WaitForAsyncUtils.waitForFxEvents();
        TruncationCheck.truncated(ui.window.stage().getScene().getRoot()).forEach(t -> cut.add("UNLOCK: " + t));
        ui.robot.clickOn("#restoreButton");
        Fx.until(() -> ui.window.restore() != null);
        Fx.run(() -> ui.find("#file", javafx.scene.control.TextField.class).setText(home.resolve("missing.kwbak")
                .toString()));
        Fx.until(() -> !ui.find("#error", javafx.scene.control.Label.class).getText().isEmpty());
        WaitForAsyncUtils.sleep(500, java.util.concurrent.TimeUnit.MILLISECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        TruncationCheck.truncated(ui.window.stage().getScene().getRoot()).forEach(t -> cut.add("RESTORE: " + t));
        assertEquals(List.of(), cut);
    }
}
