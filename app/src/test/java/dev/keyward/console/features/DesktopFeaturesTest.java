package dev.keyward.console.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.Fx;
import dev.keyward.console.UnlockedWindow;
import dev.keyward.console.common.Screen;
import dev.keyward.console.common.WindowGeometry;
import dev.keyward.console.secrets.FieldRow;
import dev.keyward.console.secrets.SecretRow;
import dev.keyward.console.secrets.SecretsView;
import dev.keyward.console.secrets.SecretsViewModel;
import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.MetadataUpdate;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.SecretVersion;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What desktop vault users expect: search by owner, tags and field names, expiry warnings, per-field and old-version reveal, restore, JSON, window geometry. */
class DesktopFeaturesTest {
    @TempDir
    Path home;
    UnlockedWindow ui;
    SecretsViewModel vm;
    TableView<SecretRow> table;

    @BeforeEach
    @SuppressWarnings("unchecked")
    void open() throws Exception {
        ui = UnlockedWindow.open(home);
        var c = ui.admin();
        var s = ui.vault().secrets();
        LocalDate today = LocalDate.ofInstant(ui.clock.instant(), ZoneOffset.UTC);
        s.write(c, "payments/stripe", SecretData.of(Map.of("api_key", "k1", "account", "acct_1")), null);
        s.write(c, "payments/stripe", SecretData.of(Map.of("api_key", "k2", "account", "acct_1")), null);
        s.writeMetadata(c, "payments/stripe", new MetadataUpdate(null, null, null, Map.of("owner", "payments-team",
                "tags", "pci, external", "expires", today.minusDays(1).toString(), "fields", "api_key,account")));
        s.write(c, "ml/model-token", SecretData.of(Map.of("value", "t")), null);
        s.writeMetadata(c, "ml/model-token", new MetadataUpdate(null, null, null, Map.of("owner", "ml-team",
                "expires", today.plusDays(10).toString())));
        s.write(c, "ci/github", SecretData.of(Map.of("value", "g")), null);
        ui.show(Screen.SECRETS);
        vm = ((SecretsView) ui.window.main().view(Screen.SECRETS)).viewModel();
        table = ui.find("#table", TableView.class);
        Fx.until(() -> table.getItems().size() == 3 && table.getItems().stream().anyMatch(r -> !r.owner().isEmpty()));
    }

    @AfterEach
    void close() {
        ui.close();
    }

    private List<String> search(String q) {
        Fx.run(() -> vm.queryProperty().set(q));
        Fx.until(() -> vm.summaryProperty().get().startsWith(table.getItems().size() + " of"));
        return Fx.call(() -> table.getItems().stream().map(SecretRow::path).toList());
    }

    @Test
    void searchLooksAtPathOwnerTagsAndFieldNames() {
        assertEquals(List.of("ml/model-token"), search("ml-team"));
        assertEquals(List.of("payments/stripe"), search("pci"));
        assertEquals(List.of("payments/stripe"), search("api_key"));
        assertEquals(List.of("ci/github"), search("github"));
        assertEquals(3, search("").size());
    }

    @Test
    void expiryShowsInTheColumnTheBadgeAndTheDashboardTile() {
        SecretRow stripe = Fx.call(() -> table.getItems().stream().filter(r -> r.path().equals("payments/stripe"))
                .findFirst().orElseThrow());
        assertEquals("expired", stripe.expiryState());
        SecretRow ml = Fx.call(() -> table.getItems().stream().filter(r -> r.path().equals("ml/model-token"))
                .findFirst().orElseThrow());
        assertEquals("expiring", ml.expiryState());
        Fx.until(() -> "2".equals(ui.find("#expiryBadge", Label.class).getText()));
        ui.show(Screen.DASHBOARD);
        Fx.until(() -> ui.find("#expiryTile", Label.class).getText().startsWith("1 expired, 1 within 30 days"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void oneFieldRevealsAloneAnOldVersionRevealsAuditedAndRestoresAsANewVersion() {
        Fx.run(() -> vm.select("payments/stripe"));
        TableView<FieldRow> fields = ui.find("#fieldTable", TableView.class);
        Fx.until(() -> fields.getItems().size() == 2);
        Fx.run(() -> vm.revealField("account"));
        Fx.until(() -> fields.getItems().stream().anyMatch(FieldRow::revealed));
        assertEquals(List.of("acct_1"), Fx.call(() -> fields.getItems().stream().filter(FieldRow::revealed)
                .map(FieldRow::value).toList()));
        assertTrue(Fx.call(vm::json).contains("\"account\" : \"acct_1\""), Fx.call(vm::json));
        assertFalse(Fx.call(vm::json).contains("k2"), "a value not revealed stays masked in the JSON view");

        AtomicReference<SecretVersion> old = new AtomicReference<>();
        Fx.run(() -> vm.revealVersion(1, old::set));
        Fx.until(() -> old.get() != null);
        assertEquals("k1", old.get().data().field("api_key"));
        Fx.run(() -> vm.restoreVersion(1));
        Fx.until(() -> vm.infoProperty().get().contains("restored as version 3"));
        SecretVersion now = ui.vault().secrets().read(ui.admin(), "payments/stripe", 0);
        assertEquals(3, now.metadata().version());
        assertEquals("k1", now.data().field("api_key"));
        List<String> why = ui.vault().audit().query(ui.admin(), new AuditQuery(null, null, null,
                "secret/payments/stripe", "secret.read", null, -1, 200)).entries().stream()
                .map(r -> String.valueOf(r.justification())).toList();
        assertTrue(why.contains("console: reveal version 1"), why.toString());
        assertTrue(why.contains("console: restore version 1"), why.toString());
        assertTrue(why.contains("console: reveal (account)"), why.toString());
    }

    @Test
    void theWindowGeometryIsRememberedInTheSettingsFile() throws Exception {
        new WindowGeometry(40, 30, 1100, 720).save(home);
        assertEquals(new WindowGeometry(40, 30, 1100, 720), WindowGeometry.load(home).orElseThrow());
        Fx.run(() -> {
            ui.window.stage().setWidth(1050);
            ui.window.stage().setHeight(710);
        });
        Fx.run(() -> ui.window.stage().close());
        WindowGeometry saved = WindowGeometry.load(home).orElseThrow();
        assertEquals(1050, saved.width(), 1);
        assertEquals(710, saved.height(), 1);
    }
}
