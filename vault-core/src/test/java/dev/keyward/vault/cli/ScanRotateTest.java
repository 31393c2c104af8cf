package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.ApprovalService;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.MetadataUpdate;
import dev.keyward.vault.api.RotationService;
import dev.keyward.vault.api.RotationService.RotationRecord;
import dev.keyward.vault.api.RotationTrigger;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.engine.TestVaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leak scan offers rotation of what it found, and with --rotate starts it through the rotation service. */
class ScanRotateTest {
    static final String DB = "canary-scan-rotate-db-5c4b3a";
    static final String CRITICAL = "canary-scan-rotate-pay-9e8d7c";
    static final String PLAIN = "canary-scan-rotate-plain-1f2e3d";

    @TempDir
    Path dir;
    TestVaults.Opened vault;
    CliHarness harness;
    Path repo;

    @BeforeEach
    void start() throws Exception {
        vault = TestVaults.initialised(dir.resolve("vault"));
        Caller a = vault.caller();
        RotationService rot = vault.engine().rotation();
        RotationService.RotationConfig generated = new RotationService.RotationConfig("generated", Map.of(), null,
                null, null, true, 3, null, null, null, null);
        vault.engine().secrets().write(a, "svc/db", SecretData.of(Map.of("password", DB)), null);
        rot.configure(a, "svc/db", generated);
        vault.engine().secrets().write(a, "svc/pay", SecretData.of(Map.of("password", CRITICAL)), null);
        vault.engine().secrets().writeMetadata(a, "svc/pay", new MetadataUpdate(null, null, null,
                Map.of("criticality", "critical")));
        rot.configure(a, "svc/pay", generated);
        vault.engine().secrets().write(a, "svc/plain", SecretData.of(Map.of("token", PLAIN)), null);
        ApprovalService ap = vault.engine().approvals();
        ap.putTrack(a, new ApprovalService.Track("security", List.of("sam"), List.of()));
        ap.putGate(a, new ApprovalService.Gate("critical-rotations", "rotate-now", "secret/svc/*",
                List.of(new ApprovalService.Threshold("security", 1)), 1, false, Duration.ofMinutes(30),
                Duration.ofHours(4)));
        harness = new CliHarness(vault, dir.resolve("vault"), dir.resolve("client"));

        repo = Files.createDirectories(dir.resolve("repo"));
        ScanCommandTest.git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve("config.env"), "DB_PASSWORD=" + DB + "\nPAY=" + CRITICAL + "\n");
        Files.writeString(repo.resolve("token.txt"), PLAIN + "\n");
        ScanCommandTest.git(repo, "add", ".");
        ScanCommandTest.git(repo, "commit", "-q", "-m", "oops");
        Files.writeString(repo.resolve("config.env"), "DB_PASSWORD=${DB_PASSWORD}\n");
        ScanCommandTest.git(repo, "commit", "-q", "-am", "from the environment");
    }

    @AfterEach
    void stop() {
        harness.close();
        vault.close();
    }

    private static void assertNoValue(CliHarness.Result r) {
        for (String v : List.of(DB, CRITICAL, PLAIN)) {
            assertFalse(r.out().contains(v) || r.err().contains(v), "a found value was printed");
        }
    }

    @Test
    void theScanPrintsTheCommandThatRotatesEachFoundSecret() {
        CliHarness.Result r = harness.cli("scan", repo.toString());
        assertEquals(Gate.FOUND, r.code(), r.out() + r.err());
        assertNoValue(r);
        assertTrue(r.out().contains("Rotate these secrets (their current values are exposed): svc/db, svc/pay, "
                + "svc/plain"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("  keyward rotation run svc/db --reason 'leak scan \\S+: its"
                + " current value was found in commit [0-9a-f]{12} config.env:1'")), r.out());
        assertTrue(r.out().contains("  keyward rotation run svc/plain --reason 'leak scan "), r.out());
        assertTrue(r.out().contains("--rotate"), r.out());
        assertEquals(0, vault.engine().rotation().history(vault.caller(), "svc/db", 10).size(), "only offered");
    }

    @Test
    void rotateStartsTheRotationsThroughTheRotationServiceAndCriticalOnesWaitForApproval() throws Exception {
        CliHarness.Result r = harness.cli("--justification", "leaked into a repository", "scan", "--rotate",
                repo.toString());
        assertEquals(Gate.FOUND, r.code(), "still a finding for CI: " + r.out() + r.err());
        assertNoValue(r);
        assertTrue(r.out().contains("of secret/svc/db started (manual)"), r.out());
        assertTrue(r.err().contains("secret/svc/pay was not rotated: rotate-now on secret/svc/pay needs approval: "
                + "request apr-"), "a critical secret's rotation goes through approvals: " + r.err());
        assertTrue(r.err().contains("secret/svc/plain was not rotated: it has no rotation configured"),
                r.err());

        RotationRecord run = awaitRun("svc/db");
        assertEquals(RotationTrigger.MANUAL, run.trigger());
        assertEquals("finished", run.state());
        assertTrue(run.reason().startsWith("leak scan ") && run.reason().contains("config.env:1"), run.reason());
        assertEquals("admin", run.by());
        assertNotEquals(DB, vault.engine().secrets().read(vault.caller(), "svc/db", 0).data().field("password"));
        assertEquals(1, vault.engine().secrets().readMetadata(vault.caller(), "svc/pay").currentVersion(),
                "not rotated without an approval");
        assertEquals(0, vault.engine().rotation().history(vault.caller(), "svc/pay", 10).size());
        assertEquals(1, vault.engine().approvals().history(vault.caller(), 50).stream()
                .filter(q -> q.operation().equals("rotate-now") && q.resource().equals("secret/svc/pay")).count());
        assertFalse(TestVaults.auditEntries(vault.engine()).stream().anyMatch(e -> e.toString().contains(DB)
                || e.toString().contains(CRITICAL) || e.toString().contains(PLAIN)), "no value in the audit log");

        CliHarness.Result json = harness.cli("-o", "json", "scan", "--rotate", repo.toString());
        assertEquals(Gate.FOUND, json.code());
        var o = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
        assertEquals(2, o.path("rotations").size(), "svc/db's leaked value is no longer current: " + json.out());
        assertTrue(o.path("rotate_commands").get(0).asText().startsWith("keyward rotation run svc/pay --reason"),
                json.out());
        assertTrue(o.path("rotations").get(0).path("error").asText().contains("waits for approval"), json.out());
    }

    private RotationRecord awaitRun(String path) throws InterruptedException {
        long until = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < until) {
            List<RotationRecord> h = vault.engine().rotation().history(vault.caller(), path, 10);
            if (!h.isEmpty() && h.get(0).endedAt() != null) {
                return h.get(0);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the rotation of " + path + " did not end");
    }
}
