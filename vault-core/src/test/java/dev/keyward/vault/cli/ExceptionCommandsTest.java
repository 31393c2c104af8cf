package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.engine.TestVaults;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keyward exception ... over HTTPS: baseline, what lies outside it, an exception's life. */
class ExceptionCommandsTest {
    @TempDir
    Path dir;

    @Test
    void baselineOutsideAddListUsesRevoke() {
        try (TestVaults.Opened vault = TestVaults.initialised(dir.resolve("vault"))) {
            Instant later = Instant.now().plus(Duration.ofDays(60));
            vault.engine().policies().put(vault.caller(), new Policy("ops", "", List.of(PolicyRule.grant("secret/ops/*",
                    EnumSet.of(Capability.READ), PolicyConditions.NONE, "ops", "reads", later))), "t");
            try (CliHarness h = new CliHarness(vault, dir.resolve("vault"), dir.resolve("client"))) {
                Map<String, String> env = h.env;
                assertEquals(0, cli(env, "exception", "baseline", "--live", "--reason", "Q4 review").code());
                vault.engine().policies().put(vault.caller(), new Policy("ops", "", List.of(
                        PolicyRule.grant("secret/ops/*", EnumSet.of(Capability.READ), PolicyConditions.NONE, "ops",
                                "reads", later),
                        PolicyRule.grant("secret/pay/*", EnumSet.of(Capability.READ), PolicyConditions.NONE, "ops",
                                "incident", later))), "t");
                CliHarness.Result outside = cli(env, "exception", "outside");
                assertEquals("none  ops#secret/pay/*  secret/pay/* [\"read\"]", outside.out().strip(), outside.err());

                String expires = LocalDate.now(ZoneOffset.UTC).plusDays(10).toString();
                CliHarness.Result add = cli(env, "-o", "json", "exception", "add", "--policy", "ops", "--rule", "secret/pay/*",
                        "--owner", "alice", "--reason", "incident 7", "--expires", expires, "--extra-logging",
                        "--hours", "Mon-Sun 00:00-23:59");
                assertEquals(0, add.code(), add.err());
                String id = add.out().replaceAll("(?s).*\"id\" : \"([^\"]+)\".*", "$1");
                CliHarness.Result list = cli(env, "exception", "list");
                assertTrue(list.out().contains(id + "  active  ops#secret/pay/*  owner alice  until " + expires
                        + "T00:00:00Z  controls: extra logging, hours 00:00-23:59 UTC  uses: 0"), list.out());
                assertTrue(cli(env, "exception", "outside").out().startsWith("excepted"));
                assertEquals(0, cli(env, "exception", "uses", id).code());
                assertEquals(0, cli(env, "exception", "revoke", id, "--reason", "closed").code());
                assertTrue(cli(env, "exception", "list").out().contains(id + "  revoked"));

                CliHarness.Result bad = cli(env, "exception", "add", "--policy", "ops", "--rule", "secret/pay/*", "--owner", "a",
                        "--reason", "r", "--expires", "soon");
                assertEquals(ExitCodes.REFUSED, bad.code());
                assertTrue(bad.err().contains("expires_at is an RFC 3339 time or a date"), bad.err());
                CliHarness.Result hours = cli(env, "exception", "add", "--policy", "ops", "--rule", "secret/pay/*", "--owner",
                        "a", "--reason", "r", "--expires", expires, "--hours", "Someday 9-5");
                assertEquals(ExitCodes.USAGE, hours.code());
                assertTrue(hours.err().contains("--hours is DAYS HH:MM-HH:MM [ZONE]"), hours.err());
            }
        }
    }

    @Test
    void reviewScheduleOpenShowAttest() {
        try (TestVaults.Opened vault = TestVaults.initialised(dir.resolve("vault"))) {
            Instant later = Instant.now().plus(Duration.ofDays(60));
            vault.engine().policies().put(vault.caller(), new Policy("ops", "", List.of(PolicyRule.grant("secret/ops/*",
                    EnumSet.of(Capability.READ), PolicyConditions.NONE, "ops-team", "reads", later))), "t");
            try (CliHarness h = new CliHarness(vault, dir.resolve("vault"), dir.resolve("client"))) {
                Map<String, String> env = h.env;
                CliHarness.Result sched = cli(env, "review", "schedule", "--every", "quarterly", "--deadline", "14d",
                        "--on-missed", "alert");
                assertEquals(0, sched.code(), sched.err());
                assertTrue(cli(env, "review", "schedule").out().contains("every: quarterly"));
                CliHarness.Result open = cli(env, "review", "open", "--reason", "external audit");
                assertEquals(0, open.code(), open.err());
                String id = open.out().split("\\s+")[0];
                assertTrue(open.out().contains("open  owner ops-team  0/1 attested"), open.out());
                CliHarness.Result show = cli(env, "review", "show", id);
                assertTrue(show.out().contains("ops#secret/ops/*  secret/ops/*  last used never  -> not attested"),
                        show.out());
                CliHarness.Result bad = cli(env, "review", "attest", id, "--policy", "ops", "--rule", "secret/ops/*",
                        "--decision", "maybe", "--reason", "x");
                assertEquals(ExitCodes.REFUSED, bad.code());
                assertTrue(bad.err().contains("decision is keep, reduce or revoke"), bad.err());
                CliHarness.Result ok = cli(env, "review", "attest", id, "--policy", "ops", "--rule", "secret/ops/*",
                        "--decision", "revoke", "--reason", "unused");
                assertEquals(0, ok.code(), ok.err());
                assertTrue(ok.out().contains("Attested ops#secret/ops/*: revoke (revoked: policy ops deleted (no rule"
                        + " left))."), ok.out());
                assertTrue(cli(env, "review", "list").out().contains("1/1 attested"));
            }
        }
    }

    @Test
    void reportComplianceWritesAPdfOrHtml() throws Exception {
        try (TestVaults.Opened vault = TestVaults.initialised(dir.resolve("vault"))) {
            try (CliHarness h = new CliHarness(vault, dir.resolve("vault"), dir.resolve("client"))) {
                Map<String, String> env = h.env;
                String today = LocalDate.now(ZoneOffset.UTC).toString();
                Path pdf = dir.resolve("out/report.pdf");
                CliHarness.Result r = cli(env, "report", "compliance", "--from", "2026-01-01", "--to", today, "--out",
                        pdf.toString());
                assertEquals(0, r.code(), r.err());
                assertTrue(r.out().startsWith("Wrote " + pdf), r.out());
                try (var doc = org.apache.pdfbox.Loader.loadPDF(pdf.toFile())) {
                    assertTrue(new org.apache.pdfbox.text.PDFTextStripper().getText(doc)
                            .contains("Keyward compliance report"));
                }
                Path html = dir.resolve("out/report.html");
                assertEquals(0, cli(env, "report", "compliance", "--from", "2026-01-01", "--to", today, "--out",
                        html.toString()).code());
                assertTrue(java.nio.file.Files.readString(html).contains("<h1>Keyward compliance report</h1>"));
                CliHarness.Result exists = cli(env, "report", "compliance", "--from", "2026-01-01", "--to", today, "--out",
                        pdf.toString());
                assertEquals(ExitCodes.USAGE, exists.code());
                assertTrue(exists.err().contains("exists already"), exists.err());
                assertEquals(ExitCodes.USAGE, cli(env, "report", "compliance", "--from", "2026-01-01", "--to", today,
                        "--out", dir.resolve("r.doc").toString()).code());
                CliHarness.Result badDate = cli(env, "report", "compliance", "--from", "2026-13-01", "--to", today, "--out",
                        dir.resolve("x.pdf").toString());
                assertEquals(ExitCodes.USAGE, badDate.code());
                assertTrue(badDate.err().contains("--from is a date"), badDate.err());
                CliHarness.Result empty = cli(env, "report", "compliance", "--from", today, "--to", "2026-01-01", "--out",
                        dir.resolve("y.pdf").toString());
                assertEquals(ExitCodes.REFUSED, empty.code());
                assertTrue(empty.err().contains("'from' must be before 'to'"), empty.err());
            }
        }
    }

    @Test
    void drillCompromisePrintsItsTimingTableAndLeavesTheVaultAsItWas() throws Exception {
        try (TestVaults.Opened vault = TestVaults.initialised(dir.resolve("vault"))) {
            vault.engine().secrets().write(vault.caller(), "app/db", dev.keyward.vault.api.SecretData.of(
                    Map.of("password", "canary-cli-drill-1")), null);
            try (CliHarness h = new CliHarness(vault, dir.resolve("vault"), dir.resolve("client"))) {
                Map<String, String> env = h.env;
                Path pass = dir.resolve("pass.txt");
                java.nio.file.Files.writeString(pass, TestVaults.UNSEAL + "\n");
                CliHarness.Result r = cli(env, "drill", "compromise", "--secret", "app/db", "--passphrase-file", pass.toString());
                assertEquals(0, r.code(), r.out() + r.err());
                List<String> lines = r.out().lines().toList();
                assertTrue(lines.get(0).startsWith("Compromise drill of app/db on a scratch copy"), r.out());
                assertTrue(lines.get(1).matches("step\\s+ms\\s+result\\s+what happened"), lines.get(1));
                for (String step : List.of("snapshot", "open scratch copy", "rotate", "revoke tokens",
                        "contain identity", "verify response", "verify audit", "cleanup")) {
                    assertTrue(lines.stream().anyMatch(l -> l.matches(step + "\\s+\\d+\\s+ok\\s+.*")), step + ": "
                            + r.out());
                }
                assertTrue(lines.get(lines.size() - 1).matches("total\\s+\\d+\\s+ok"), r.out());
                assertFalse(r.out().contains("canary-cli-drill-1"));
                assertEquals(1, vault.engine().secrets().readMetadata(vault.caller(), "app/db").currentVersion());
                assertTrue(cli(env, "drill", "list").out().contains("app/db  ok"));
                CliHarness.Result none = cli(env, "drill", "compromise", "--secret", "app/none", "--passphrase-file",
                        pass.toString());
                assertEquals(ExitCodes.REFUSED, none.code());
                assertTrue(none.err().contains("Not found"), none.err());
            }
        }
    }

    @Test
    void hoursAreParsed() {
        Map<String, Object> h = ExceptionCommands.hours("Fri-Mon 22:00-06:00 Europe/Berlin");
        assertEquals(List.of("FRIDAY", "SATURDAY", "SUNDAY", "MONDAY"), h.get("days"));
        assertEquals("22:00", h.get("from"));
        assertEquals("Europe/Berlin", h.get("zone"));
        assertEquals(List.of("MONDAY", "WEDNESDAY"), ExceptionCommands.hours("Mon,Wed 09:00-10:00").get("days"));
    }

    private static CliHarness.Result cli(Map<String, String> env, String... args) {
        return CliHarness.run(env, "", args);
    }
}
