package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.ApprovalService;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.engine.TestVaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The drift gate opens an approval request for applying the desired policies, and keeps its exit codes. */
class DriftRequestTest {
    static final String SAM_PASS = "sam passphrase 1";

    @TempDir
    Path dir;
    TestVaults.Opened vault;
    CliHarness harness;
    Path exported;
    Path edited;

    @BeforeEach
    void start() throws Exception {
        vault = TestVaults.initialised(dir.resolve("vault"));
        Caller a = vault.caller();
        vault.engine().policies().put(a, new Policy("deploy", "the deploy pipeline", List.of(PolicyRule.grant(
                "secret/app/*", EnumSet.of(Capability.READ), PolicyConditions.NONE, "platform",
                "deploys read app config", Instant.now().plus(Duration.ofDays(30))))), "test");
        vault.engine().identities().createOperator(a, "sam", SAM_PASS.toCharArray(), List.of("admin"));
        harness = new CliHarness(vault, dir.resolve("vault"), dir.resolve("client"));
        exported = dir.resolve("policies.yaml");
        assertEquals(0, harness.cli("policy", "export", "--out", exported.toString()).code());
        edited = dir.resolve("edited.yaml");
        Files.writeString(edited, Files.readString(exported).replace("deploys read app config",
                "deploys read config"));
    }

    @AfterEach
    void stop() {
        harness.close();
        vault.close();
    }

    private void gatePolicyChanges() {
        ApprovalService ap = vault.engine().approvals();
        ap.putTrack(vault.caller(), new ApprovalService.Track("security", List.of("sam"), List.of()));
        ap.putGate(vault.caller(), new ApprovalService.Gate("policy-changes", "policy-apply", "policies",
                List.of(new ApprovalService.Threshold("security", 1)), 1, false, Duration.ofMinutes(30),
                Duration.ofHours(4)));
    }

    @Test
    void onDriftTheRequestHoldsTheDiffAndItsGrantAppliesExactlyThatChange() {
        gatePolicyChanges();
        CliHarness.Result drift = harness.cli("policy", "drift", "--desired", edited.toString(), "--open-request",
                "--reason", "JIRA-7: reword the deploy grant");
        assertEquals(Gate.FOUND, drift.code(), drift.out() + drift.err());
        assertTrue(drift.out().contains("change policy deploy"), drift.out());
        Matcher m = Pattern.compile("Approval request (\\S+) opened for applying").matcher(drift.out());
        assertTrue(m.find(), drift.out());
        String id = m.group(1);

        ApprovalService.Request req = vault.engine().approvals().show(vault.caller(), id);
        assertEquals("policy-apply", req.operation());
        assertEquals("policies", req.resource());
        assertEquals("JIRA-7: reword the deploy grant", req.justification());
        assertTrue(req.change().startsWith("change policy deploy\n"), req.change());
        assertTrue(req.change().contains("deploys read config") && req.change().contains("deploys read app config"),
                "the diff is in the request: " + req.change());
        assertEquals(1, vault.engine().policies().read(vault.caller(), "deploy").version(), "nothing applied yet");

        CliHarness.Result early = harness.cli("--approval", id, "policy", "apply", edited.toString(), "--reason", "r");
        assertFalse(early.code() == 0, "not approved yet: " + early.out());
        Caller sam = vault.engine().login("sam", SAM_PASS.toCharArray(), "test").caller();
        vault.engine().approvals().approve(sam, id, "the wording is right", SAM_PASS.toCharArray());
        CliHarness.Result applied = harness.cli("--approval", id, "policy", "apply", edited.toString(), "--reason",
                "JIRA-7");
        assertEquals(0, applied.code(), applied.out() + applied.err());
        assertEquals(2, vault.engine().policies().read(vault.caller(), "deploy").version(),
                "the grant fits the apply of the reviewed diff");

        CliHarness.Result json = harness.cli("-o", "json", "policy", "drift", "--desired", exported.toString(),
                "--open-request", "--reason", "roll back");
        assertEquals(Gate.FOUND, json.code(), json.err());
        assertTrue(json.out().contains("\"request_id\" : \"apr-"), json.out());
    }

    @Test
    void inSyncOpensNothingAndErrorsExitTwo() {
        int before = vault.engine().approvals().history(vault.caller(), 100).size();
        CliHarness.Result same = harness.cli("policy", "drift", "--desired", exported.toString(), "--open-request",
                "--reason", "nothing to do");
        assertEquals(Gate.OK, same.code(), same.err());
        assertFalse(same.out().contains("Approval request"), same.out());
        assertEquals(before, vault.engine().approvals().history(vault.caller(), 100).size());

        CliHarness.Result noReason = harness.cli("policy", "drift", "--desired", edited.toString(), "--open-request");
        assertEquals(Gate.ERROR, noReason.code());
        assertTrue(noReason.err().contains("--reason"), noReason.err());

        CliHarness.Result noGate = harness.cli("policy", "drift", "--desired", edited.toString(), "--open-request",
                "--reason", "JIRA-8");
        assertEquals(Gate.ERROR, noGate.code(), "the request could not be opened: an error, not just drift");
        assertTrue(noGate.out().contains("change policy deploy"), "the diff is still printed: " + noGate.out());
        assertTrue(noGate.err().contains("no approval request could be opened") && noGate.err().contains("gate"),
                noGate.err());
        assertEquals(before, vault.engine().approvals().history(vault.caller(), 100).size());

        CliHarness.Result plain = harness.cli("policy", "drift", "--desired", edited.toString());
        assertEquals(Gate.FOUND, plain.code(), "without the option the gate only reports");
    }
}
