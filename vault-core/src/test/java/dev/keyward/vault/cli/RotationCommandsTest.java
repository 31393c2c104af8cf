package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.engine.TestVaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * keyward rotation config | show | preview | run | trigger | history | list and keyward status, over
 * real HTTPS against a served vault; a pipeline identity with only 'rotate' sends a deployment event.
 */
class RotationCommandsTest {
    static final String CANARY = "canary-cli-4b8e02";
    @TempDir
    Path dir;
    final ObjectMapper json = new ObjectMapper();

    @Test
    void configurePreviewRunHistoryListStatusAndADeploymentEvent() throws Exception {
        try (TestVaults.Opened v = TestVaults.initialised(dir.resolve("vault"));
             CliHarness h = new CliHarness(v, dir.resolve("vault"), dir.resolve("client"))) {
            v.engine().secrets().write(v.caller(), "app/db", SecretData.of(Map.of("password", CANARY)), null);

            CliHarness.Result bad = h.cli("rotation", "config", "app/db", "--rotator", "generated", "--cron",
                    "61 * * * *");
            assertEquals(ExitCodes.REFUSED, bad.code(), bad.out() + bad.err());
            assertTrue(bad.err().contains("Invalid cron expression"), bad.err());
            assertFalse(bad.err().contains("Exception") || bad.err().contains("\tat "), bad.err());
            CliHarness.Result window = h.cli("rotation", "config", "app/db", "--rotator", "generated",
                    "--interval", "1d", "--window", "2d");
            assertTrue(window.err().contains("longer than the interval"), window.err());
            CliHarness.Result unknown = h.cli("rotation", "config", "app/db", "--rotator", "nope");
            assertTrue(unknown.err().contains("Unknown rotator"), unknown.err());
            assertEquals(ExitCodes.REFUSED, h.cli("rotation", "show", "app/db").code(), "nothing was stored");

            CliHarness.Result set = h.cli("rotation", "config", "app/db", "--rotator", "generated", "--param",
                    "length=40", "--interval", "30d", "--window", "2h", "--routine-grace", "0s");
            assertEquals(0, set.code(), set.err());
            assertTrue(set.out().contains("every 30d"), set.out());

            CliHarness.Result preview = h.cli("-o", "json", "rotation", "preview", "--cron", "0 3 * * 1", "--zone",
                    "Europe/Berlin", "--count", "3");
            assertEquals(0, preview.code(), preview.err());
            assertEquals(3, json.readTree(preview.out()).path("runs").size());
            CliHarness.Result stored = h.cli("-o", "json", "rotation", "preview", "app/db", "--count", "2");
            JsonNode runs = json.readTree(stored.out()).path("runs");
            assertEquals(Duration.ofDays(30), Duration.between(Instant.parse(runs.get(0).asText()),
                    Instant.parse(runs.get(1).asText())));

            CliHarness.Result run = h.cli("rotation", "run", "app/db", "--reason", "rotate after the audit", "--wait");
            assertEquals(0, run.code(), run.out() + run.err());
            assertTrue(run.out().contains("finished, version 2"), run.out());
            String rotated = v.engine().secrets().read(v.caller(), "app/db", 0).data().field("password");
            assertEquals(40, rotated.length());
            assertFalse(run.out().contains(rotated) || run.out().contains(CANARY));

            CliHarness.Result history = h.cli("rotation", "history", "app/db");
            assertTrue(history.out().contains("manual") && history.out().contains("finished"), history.out());
            CliHarness.Result show = h.cli("-o", "json", "rotation", "show", "app/db");
            assertEquals("generated", json.readTree(show.out()).path("config").path("rotator").asText());
            assertEquals("30d", json.readTree(show.out()).path("config").path("schedule").path("interval").asText());

            // a pipeline identity that holds only 'rotate' on the secret sends a deployment event
            v.engine().policies().put(v.caller(), new Policy("deployer", "deployments rotate app/db", List.of(
                    PolicyRule.grant("secret/app/db", EnumSet.of(Capability.ROTATE), PolicyConditions.NONE, "ci",
                            "deployments rotate their database password", Instant.now().plus(Duration.ofDays(30))))),
                    "test");
            v.engine().identities().putAppRole(v.caller(), IdentityService.AppRoleSpec.of("deployer",
                    List.of("deployer")));
            String roleId = v.engine().identities().roleId(v.caller(), "deployer");
            String secretId = v.engine().identities().issueSecretId(v.caller(), "deployer",
                    new IdentityService.SecretIdSpec(null, null, null, null, null)).secretId();
            String pipeline = v.engine().loginAppRole(roleId, secretId, "127.0.0.1").token();
            CliHarness.Result trig = h.with("KEYWARD_TOKEN", pipeline, "rotation", "trigger", "app/db", "--reason",
                    "release 1.4.2");
            assertEquals(0, trig.code(), trig.out() + trig.err());
            CliHarness.Result denied = h.with("KEYWARD_TOKEN", pipeline, "rotation", "trigger", "app/other");
            assertEquals(ExitCodes.DENIED, denied.code(), denied.out() + denied.err());
            CliHarness.Result notConfig = h.with("KEYWARD_TOKEN", pipeline, "rotation", "config", "app/db",
                    "--rotator", "generated");
            assertEquals(ExitCodes.DENIED, notConfig.code(), "rotate does not allow changing the config");
            JsonNode last = null;
            for (int i = 0; i < 100; i++) {
                last = json.readTree(h.cli("-o", "json", "rotation", "history", "app/db").out()).path("runs").get(0);
                if (last.path("trigger").asText().equals("deployment") && last.path("ended_at").isTextual()) {
                    break;
                }
                Thread.sleep(100);
            }
            assertEquals("deployment", last.path("trigger").asText());
            assertEquals("finished", last.path("state").asText());

            // a failing hook: needs attention after its one attempt, and keyward status says so
            Path hook = dir.resolve("hook.sh");
            Files.writeString(hook, "#!/bin/sh\ncat > /dev/null\nexit 7\n");
            Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
            v.engine().secrets().write(v.caller(), "app/hooked", SecretData.of(Map.of("password", CANARY)), null);
            assertEquals(0, h.cli("rotation", "config", "app/hooked", "--rotator", "hook", "--param", "command="
                    + hook, "--max-attempts", "1").code());
            CliHarness.Result failed = h.cli("rotation", "run", "app/hooked", "--reason", "try", "--wait");
            assertEquals(ExitCodes.REFUSED, failed.code(), failed.out() + failed.err());
            assertTrue(failed.out().contains("needs-attention") && failed.out().contains("status 7"), failed.out());
            CliHarness.Result list = h.cli("rotation", "list");
            assertTrue(list.out().contains("app/hooked") && list.out().contains("needs-attention"), list.out());
            CliHarness.Result status = h.cli("status");
            assertTrue(status.out().contains("app/hooked (needs-attention)"), status.out());
            assertEquals(CANARY, v.engine().secrets().read(v.caller(), "app/hooked", 0).data().field("password"));
            assertNotEquals(CANARY, rotated);
        }
    }
}
