package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.ApprovalService;
import dev.keyward.vault.api.ApprovalService.Gate;
import dev.keyward.vault.api.ApprovalService.Threshold;
import dev.keyward.vault.api.ApprovalService.Track;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.MetadataUpdate;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.engine.TestVaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Approvals end to end over HTTPS: the CLI against a real endpoint, every reviewer with their own token. */
class ApprovalCliTest {
    static final String PASS = "operator passphrase ";
    static final String CANARY = "canary-critical-4417";
    static final Pattern ID = Pattern.compile("apr-[0-9a-f]{20}");

    @TempDir
    Path dir;
    TestVaults.Opened vault;
    CliHarness harness;
    ApprovalService ap;
    Caller admin;

    @BeforeEach
    void start() {
        vault = TestVaults.initialised(dir.resolve("vault"));
        admin = vault.caller();
        ap = vault.engine().approvals();
        for (String n : List.of("alice", "bob", "carol", "dave")) {
            vault.engine().identities().createOperator(admin, n, (PASS + n).toCharArray(), List.of("security-engineer"));
        }
        harness = new CliHarness(vault, dir.resolve("vault"), dir.resolve("client"));
    }

    @AfterEach
    void stop() {
        harness.close();
        vault.close();
    }

    String token(String who) {
        return vault.engine().login(who, (PASS + who).toCharArray(), "test").token();
    }

    /** The CLI as {@code who}; a grant ({@code --approval ID} anywhere in args) goes before the command. */
    CliHarness.Result as(String who, String... args) {
        java.util.List<String> a = new java.util.ArrayList<>(java.util.Arrays.asList(args));
        int at = a.indexOf("--approval");
        if (at >= 0 && !a.get(0).equals("approve") && !a.get(0).equals("approvals")) {
            String id = a.remove(at + 1);
            a.remove(at);
            a.add(0, id);
            a.add(0, "--approval");
        }
        return harness.with("KEYWARD_TOKEN", token(who), a.toArray(String[]::new));
    }

    CliHarness.Result review(String who, String... args) throws Exception {
        Path f = dir.resolve(who + ".pass");
        Files.writeString(f, PASS + who);
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--passphrase-file";
        all[args.length + 1] = f.toString();
        return as(who, all);
    }

    static String idIn(String text) {
        Matcher m = ID.matcher(text);
        assertTrue(m.find(), text);
        return m.group();
    }

    void tracks() {
        assertEquals(0, harness.cli("approvals", "track", "security", "--operators", "alice,bob").code());
        assertEquals(0, harness.cli("approvals", "track", "operations", "--operators", "carol").code());
    }

    @Test
    void aCriticalReadWaitsForApprovalThenSucceedsOnce() throws Exception {
        tracks();
        CliHarness.Result gate = harness.cli("approvals", "gate", "prod-reads", "--operation", "read-critical",
                "--resource", "secret/prod/*", "--threshold", "security=1", "--threshold", "operations=1");
        assertEquals(0, gate.code(), gate.err());
        vault.engine().secrets().write(admin, "prod/db", SecretData.of(Map.of("password", CANARY)), null);
        vault.engine().secrets().writeMetadata(admin, "prod/db", new MetadataUpdate(null, null, null,
                Map.of("criticality", "critical")));

        CliHarness.Result waits = as("dave", "kv", "get", "--justification", "incident 17", "prod/db");
        assertEquals(ExitCodes.DENIED, waits.code());
        String id = idIn(waits.err());
        assertTrue(waits.err().contains("waits for approval") || waits.err().contains("needs approval"), waits.err());

        // Over plain HTTPS the 403 names the request on its own too.
        VaultClient.Reply raw = new VaultClient(harness.env.get("KEYWARD_ADDRESS"),
                Path.of(harness.env.get("KEYWARD_CA_CERT")), null, null).call("GET", "secret/data/prod/db",
                token("dave"), null);
        assertEquals(403, raw.status());
        assertEquals(id, raw.json().path("approval_request_id").asText());

        CliHarness.Result inbox = as("alice", "approvals", "inbox");
        assertTrue(inbox.out().contains(id), inbox.out());
        assertEquals(ExitCodes.DENIED, review("dave", "approve", id).code(), "self-approval");
        assertTrue(review("alice", "approve", id, "--reason", "ok").out().contains("pending"));
        assertTrue(review("carol", "approve", id).out().contains("approved"));

        CliHarness.Result once = as("dave", "kv", "get", "--approval", id, "--field", "password", "prod/db");
        assertEquals(0, once.code(), once.err());
        assertEquals(CANARY, once.out().strip());
        assertEquals(ExitCodes.DENIED, as("dave", "kv", "get", "--approval", id, "prod/db").code(), "used once");

        CliHarness.Result show = harness.cli("approvals", "show", id);
        assertTrue(show.out().contains("status: used") && show.out().contains("vote: carol approved"), show.out());
        List<AuditRecord> log = TestVaults.auditEntries(vault.engine());
        assertTrue(log.stream().anyMatch(a -> a.operation().equals("secret.read") && id.equals(a.approvalId())
                && a.outcome().equals("SUCCESS")));
        log.forEach(a -> assertFalse(a.toString().contains(CANARY)));
    }

    @Test
    void aPolicyChangeNeedsTwoTracks() throws Exception {
        tracks();
        assertEquals(0, harness.cli("approvals", "gate", "policy-changes", "--operation", "policy-apply",
                "--threshold", "security=1", "--threshold", "operations=1").code());
        Path yaml = dir.resolve("p.yaml");
        Files.writeString(yaml, """
                keyward: 1
                policies:
                  - name: reports
                    rules:
                      - path: secret/reports/*
                        capabilities: [read]
                        owner: analytics
                        justification: monthly reports
                        expires: "2030-01-01T00:00:00Z"
                """);
        CliHarness.Result first = as("dave", "policy", "apply", yaml.toString(), "--reason", "monthly reports");
        assertEquals(ExitCodes.DENIED, first.code(), first.out() + first.err());
        String id = idIn(first.err());
        CliHarness.Result show = as("alice", "approvals", "show", id);
        assertTrue(show.out().contains("secret/reports/*"), "the reviewer sees the diff: " + show.out());
        review("alice", "approve", id);
        assertEquals(ExitCodes.DENIED, as("dave", "policy", "apply", yaml.toString(), "--reason", "x", "--approval", id)
                .code(), "one track is not enough");
        review("carol", "approve", id);
        CliHarness.Result applied = as("dave", "policy", "apply", yaml.toString(), "--reason", "x", "--approval", id);
        assertEquals(0, applied.code(), applied.err());
        assertEquals(1, vault.engine().policies().read(admin, "reports").version());
    }

    @Test
    void aPipelineOwnersElevationIsUsedByOneRunAndGoneAfterIt() throws Exception {
        tracks();
        assertEquals(0, harness.cli("approvals", "gate", "elevations", "--operation", "elevation", "--resource",
                "approle:*", "--threshold", "security=1", "--max-duration", "30m").code());
        Instant later = Instant.now().plus(Duration.ofDays(30));
        vault.engine().policies().put(admin, new Policy("release", "", List.of(PolicyRule.grant("secret/release/*",
                EnumSet.of(Capability.READ), PolicyConditions.NONE, "platform", "release signing", later))), "t");
        vault.engine().secrets().write(admin, "release/signing", SecretData.of(Map.of("key", CANARY)), null);
        Caller bob = vault.engine().login("bob", (PASS + "bob").toCharArray(), "test").caller();
        vault.engine().identities().putAppRole(bob, IdentityService.AppRoleSpec.of("pipeline", List.of("default")));
        String roleId = vault.engine().identities().roleId(admin, "pipeline");

        CliHarness.Result req = as("bob", "request", "elevation", "approle:pipeline", "--change", "policy:release",
                "--reason", "release 4.0", "--duration", "10m");
        assertEquals(0, req.code(), req.err());
        String id = idIn(req.out());
        CliHarness.Result own = review("bob", "approve", id);
        assertEquals(ExitCodes.DENIED, own.code(), "the pipeline's owner and requester never approves");
        assertEquals(0, review("alice", "approve", id).code());

        Map<String, String> env = new HashMap<>(harness.env);
        env.remove("KEYWARD_TOKEN");
        env.put("KEYWARD_SECRET_ID", vault.engine().identities().issueSecretId(admin, "pipeline",
                IdentityService.SecretIdSpec.defaults()).secretId());
        CliHarness.Result run = CliHarness.run(env, "", "run", "--role-id", roleId, "--request", id, "--env",
                "KEY=kw://release/signing#key", "--", "sh", "-c", "echo \"length=${#KEY}\"");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("length=" + CANARY.length()), run.out());
        assertTrue(ap.elevations(admin).isEmpty(), "dropped when the job exited");

        env.put("KEYWARD_SECRET_ID", vault.engine().identities().issueSecretId(admin, "pipeline",
                IdentityService.SecretIdSpec.defaults()).secretId());
        CliHarness.Result again = CliHarness.run(env, "", "run", "--role-id", roleId, "--request", id, "--env",
                "KEY=kw://release/signing#key", "--", "true");
        assertTrue(again.code() != 0, "one job only: " + again.err());
        env.put("KEYWARD_SECRET_ID", vault.engine().identities().issueSecretId(admin, "pipeline",
                IdentityService.SecretIdSpec.defaults()).secretId());
        CliHarness.Result without = CliHarness.run(env, "", "run", "--role-id", roleId, "--env",
                "KEY=kw://release/signing#key", "--", "true");
        assertEquals(ExitCodes.DENIED, without.code(), "gone after it: " + without.err());
        List<String> chain = TestVaults.auditEntries(vault.engine()).stream()
                .filter(a -> id.equals(a.details().get("request"))).map(AuditRecord::operation).toList();
        assertTrue(chain.containsAll(List.of("approval.request", "approval.approve", "approval.elevation.start",
                "approval.elevation.end")), chain.toString());
    }

    @Test
    void breakGlassAlertsEveryApproverAndBadInputIsRefusedPlainly() throws Exception {
        tracks();
        ap.putGate(admin, new Gate("soft-destroy", "destroy", "secret/*", List.of(new Threshold("security", 2)), 1,
                true, Duration.ofMinutes(10), null));
        vault.engine().secrets().write(admin, "tmp/x", SecretData.of(Map.of("v", "1")), null);
        assertEquals(ExitCodes.DENIED, as("dave", "kv", "destroy", "--versions", "1", "tmp/x").code());
        CliHarness.Result bg = as("dave", "approvals", "break-glass", "destroy", "secret/tmp/x", "--reason",
                "pasted into a ticket");
        assertEquals(0, bg.code(), bg.err());
        String id = idIn(bg.out());
        CliHarness.Result destroy = as("dave", "kv", "destroy", "--versions", "1", "--approval", id, "tmp/x");
        assertEquals(0, destroy.code(), destroy.err());
        for (String a : List.of("alice", "bob")) {
            assertTrue(as(a, "approvals", "notices").out().contains("break-glass"), a);
        }

        CliHarness.Result unknown = review("alice", "approve", "apr-00000000000000000000");
        assertTrue(unknown.code() != 0 && unknown.err().contains("There is no approval request"), unknown.err());
        String pending = idIn(as("dave", "request", "destroy", "secret/tmp/x", "--reason", "again").out());
        CliHarness.Result malformed = as("alice", "approve", pending, "--signature", "%%%");
        assertEquals(ExitCodes.REFUSED, malformed.code());
        assertTrue(malformed.err().contains("signature"), malformed.err());
        Path wrong = dir.resolve("wrong.pass");
        Files.writeString(wrong, "not alice's passphrase");
        CliHarness.Result wrongKey = as("alice", "approve", pending, "--passphrase-file", wrong.toString());
        assertEquals(ExitCodes.DENIED, wrongKey.code());
        assertTrue(wrongKey.err().contains("passphrase"), wrongKey.err());
        assertTrue(ap.show(admin, pending).votes().isEmpty(), "nothing changed");
        assertTrue(harness.cli("approvals", "gate", "x", "--operation", "nonsense", "--threshold", "security=1")
                .err().contains("neither a gated operation"));
    }
}
