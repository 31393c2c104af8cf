package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AlertSeverity;
import dev.keyward.vault.api.AlertSpec;
import dev.keyward.vault.engine.TestVaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keyward alerts ...} against a real endpoint: list, show, ack, resolve, false-positive, status, config, undo. */
class AlertCommandsTest {
    @TempDir
    Path dir;

    @Test
    void operatorsWorkThroughAlertsFromTheCommandLine() throws Exception {
        try (TestVaults.Opened vault = TestVaults.initialised(dir.resolve("vault"))) {
            String id = vault.engine().alerts().raise(vault.caller(), new AlertSpec("break-glass",
                    AlertSeverity.CRITICAL, "alice", "secret/pay/db", "alice used break-glass on secret/pay/db",
                    List.of(3L), Map.of("grant", "g-1")));
            try (CliHarness h = new CliHarness(vault, dir.resolve("vault"), dir.resolve("client"))) {
                CliHarness.Result list = h.cli("alerts", "list", "--state", "open");
                assertEquals(0, list.code(), list.err());
                assertTrue(list.out().contains(id) && list.out().contains("break-glass") && list.out().contains("critical"),
                        list.out());
                CliHarness.Result show = h.cli("alerts", "show", id);
                assertEquals(0, show.code(), show.err());
                assertTrue(show.out().contains("runbook:") && show.out().contains("evidence:  audit entries [3]"),
                        show.out());
                assertEquals(0, h.cli("alerts", "ack", id, "--reason", "calling alice").code());
                CliHarness.Result resolved = h.cli("alerts", "resolve", id, "--reason", "an approved emergency");
                assertEquals(0, resolved.code(), resolved.err());
                assertTrue(resolved.out().contains("resolved"), resolved.out());
                CliHarness.Result again = h.cli("alerts", "false-positive", id, "--reason", "late");
                assertEquals(ExitCodes.REFUSED, again.code());
                assertTrue(again.err().contains("already resolved"), again.err());
                CliHarness.Result json = h.cli("-o", "json", "alerts", "list", "--detector", "break-glass");
                assertTrue(json.out().contains("\"state\" : \"RESOLVED\"") || json.out().contains("\"state\":\"RESOLVED\""),
                        json.out());

                Path bad = dir.resolve("bad.yaml");
                Files.writeString(bad, "version: 1\ndetectors:\n  moon-phase: true\n");
                CliHarness.Result refused = h.cli("alerts", "config", "--apply", bad.toString());
                assertEquals(ExitCodes.REFUSED, refused.code());
                assertTrue(refused.err().contains("Unknown detector 'moon-phase'"), refused.err());
                Path good = dir.resolve("good.yaml");
                Files.writeString(good, "version: 1\ncontainment:\n  new-source:\n    high: [revoke-tokens, lock]\n");
                CliHarness.Result applied = h.cli("alerts", "config", "--apply", good.toString());
                assertEquals(0, applied.code(), applied.err());
                assertTrue(applied.out().contains("new-source") && applied.out().contains("lock"), applied.out());
                CliHarness.Result status = h.cli("alerts", "status");
                assertEquals(0, status.code(), status.err());
                assertTrue(status.out().contains("vault read-only: no"), status.out());
                CliHarness.Result undo = h.cli("alerts", "undo", "nope", "--reason", "x");
                assertEquals(ExitCodes.REFUSED, undo.code());
                assertTrue(undo.err().contains("is not an action id"), undo.err());
            }
        }
    }
}
