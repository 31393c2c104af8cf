package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.ApprovalRequiredException;
import dev.keyward.vault.api.ApprovalService;
import dev.keyward.vault.api.ApprovalService.BreakGlassSpec;
import dev.keyward.vault.api.ApprovalService.Gate;
import dev.keyward.vault.api.ApprovalService.Request;
import dev.keyward.vault.api.ApprovalService.RequestSpec;
import dev.keyward.vault.api.ApprovalService.Threshold;
import dev.keyward.vault.api.ApprovalService.Track;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.MetadataUpdate;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.SecretData;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests, signed reviews, grants, elevation and break-glass on a real vault. */
class ApprovalsTest {
    static final String PASS = "a long passphrase ";

    @TempDir
    Path dir;
    MutableClock clock;
    TestVaults.Opened vault;
    Engine e;
    ApprovalService ap;
    Caller admin;

    @BeforeEach
    void setUp() {
        clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        vault = TestVaults.initialised(TestVaults.config(dir, clock));
        e = vault.engine();
        admin = vault.caller();
        ap = e.approvals();
        for (String n : List.of("alice", "bob", "carol", "dave")) {
            e.identities().createOperator(admin, n, (PASS + n).toCharArray(), List.of("security-engineer"));
        }
        ap.putTrack(admin, new Track("security", List.of("alice", "bob", "dave"), List.of()));
        ap.putTrack(admin, new Track("operations", List.of("carol"), List.of()));
        e.secrets().write(admin, "prod/db", SecretData.of(Map.of("password", "canary-value-7781")), null);
        e.secrets().writeMetadata(admin, "prod/db", new MetadataUpdate(null, null, null,
                Map.of("criticality", "critical")));
    }

    @AfterEach
    void tearDown() {
        vault.close();
    }

    PolicyRule rule(String path, PolicyConditions c) {
        return PolicyRule.grant(path, EnumSet.of(Capability.READ), c, "platform", "deploys read their keys",
                clock.instant().plus(Duration.ofDays(100)));
    }

    Caller login(String name) {
        return e.login(name, (PASS + name).toCharArray(), "test").caller();
    }

    static Caller presenting(Caller c, String approvalId) {
        return new Caller(c.token(), c.authMethod(), c.sourceAddress(), c.justification(), approvalId);
    }

    Request approve(String who, String id) {
        return ap.approve(login(who), id, "looked at it", (PASS + who).toCharArray());
    }

    private void twoTrackGate(String op, String resource) {
        ap.putGate(admin, new Gate("g-" + op, op, resource, List.of(new Threshold("security", 1),
                new Threshold("operations", 1)), 1, false, Duration.ofMinutes(30), Duration.ofHours(4)));
    }

    @Test
    void aCriticalReadWaitsForTwoTracksThenSucceedsOnce() {
        twoTrackGate("read-critical", "secret/prod/*");
        Caller dave = login("dave").withJustification("incident 42: check the db password");
        ApprovalRequiredException wait = assertThrows(ApprovalRequiredException.class,
                () -> e.secrets().read(dave, "prod/db", 0));
        String id = wait.requestId();
        assertNotNull(id);
        // Asking again names the same request.
        assertEquals(id, assertThrows(ApprovalRequiredException.class, () -> e.secrets().read(dave, "prod/db", 0))
                .requestId());
        assertEquals(List.of(id), ap.waitingForMe(login("alice")).stream().map(Request::id).toList());
        assertThrows(AccessDeniedException.class, () -> approve("dave", id), "self-approval");
        assertEquals("pending", approve("alice", id).status());
        assertThrows(InvalidRequestException.class, () -> approve("alice", id), "one vote per approver");
        // bob is security too: a second security approval does not fill the operations track.
        assertEquals("pending", approve("bob", id).status());
        assertEquals("approved", approve("carol", id).status());

        assertThrows(ApprovalRequiredException.class, () -> e.secrets().read(presenting(login("alice"), id), "prod/db", 0),
                "the grant is dave's");
        assertEquals("canary-value-7781", e.secrets().read(presenting(dave, id), "prod/db", 0).data().fields()
                .get("password"));
        assertThrows(ApprovalRequiredException.class, () -> e.secrets().read(presenting(dave, id), "prod/db", 0),
                "single use");
        assertEquals("used", ap.show(admin, id).status());

        List<AuditRecord> log = TestVaults.auditEntries(e);
        List<String> ops = log.stream().filter(r -> id.equals(r.details().get("request"))
                || id.equals(r.approvalId())).map(AuditRecord::operation).toList();
        assertTrue(ops.containsAll(List.of("approval.request", "approval.approve", "approval.grant.use",
                "secret.read")), ops.toString());
        assertTrue(log.stream().anyMatch(r -> r.operation().equals("approval.approve")
                && r.details().get("signature") != null && r.details().get("key_id") != null));
        log.forEach(r -> assertFalse(r.toString().contains("canary-value-7781")));
    }

    @Test
    void aCriticalSecretWithoutAGateIsClosed() {
        Caller dave = login("dave").withJustification("why not");
        ApprovalRequiredException ex = assertThrows(ApprovalRequiredException.class,
                () -> e.secrets().read(dave, "prod/db", 0));
        assertTrue(ex.getMessage().contains("no gate"), ex.getMessage());
        e.secrets().write(admin, "dev/x", SecretData.of(Map.of("v", "1")), null);
        assertEquals("1", e.secrets().read(dave, "dev/x", 0).data().fields().get("v"));
    }

    @Test
    void aPolicyChangeNeedsTwoTracksAndTheExactDiff() {
        twoTrackGate("policy-apply", "*");
        Caller dave = login("dave");
        Policy p = new Policy("deploy", "", List.of(rule("secret/deploy/*", PolicyConditions.NONE)));
        ApprovalRequiredException ex = assertThrows(ApprovalRequiredException.class,
                () -> e.policies().put(dave, p, "the deploy pipeline needs its secrets"));
        Request r = ap.show(admin, ex.requestId());
        assertTrue(r.change().contains("secret/deploy/*"), r.change());
        assertEquals("dave", r.author());
        approve("alice", r.id());
        approve("carol", r.id());
        Policy other = new Policy("deploy", "", List.of(rule("secret/*", PolicyConditions.NONE)));
        assertThrows(ApprovalRequiredException.class, () -> e.policies().put(presenting(dave, r.id()), other, "sneaky"),
                "a grant for another diff");
        assertEquals(1, e.policies().put(presenting(dave, r.id()), p, "approved").version());
    }

    @Test
    void theAuthorOfAChangeCannotReviewIt() {
        twoTrackGate("policy-apply", "*");
        Request r = ap.request(login("dave"), new RequestSpec("policy-apply", "policies", "policy x\n+ a", "bob",
                "bob wrote it, dave files it", null, null, 1));
        AccessDeniedException ex = assertThrows(AccessDeniedException.class, () -> approve("bob", r.id()));
        assertTrue(ex.getMessage().contains("author"));
        assertTrue(ap.show(admin, r.id()).votes().isEmpty());
    }

    @Test
    void aPipelineOwnersElevationIsApprovedUsedOnceAndGone() {
        ap.putGate(admin, new Gate("elevate", "elevation", "approle:*", List.of(new Threshold("security", 1)), 1,
                false, Duration.ofMinutes(30), Duration.ofHours(1)));
        e.policies().put(admin, new Policy("deploy", "", List.of(rule("secret/deploy/*", PolicyConditions.NONE))), "deploy reads");
        e.secrets().write(admin, "deploy/key", SecretData.of(Map.of("k", "v1")), null);
        Caller bob = login("bob");
        e.identities().putAppRole(bob, IdentityService.AppRoleSpec.of("pipeline", List.of("default")));
        Request r = ap.request(bob, new RequestSpec("elevation", "approle:pipeline", "policy:deploy", null,
                "release 3.2", Duration.ofMinutes(10), null, 1));
        assertTrue(ap.waitingForMe(login("bob")).isEmpty(), "the owner never reviews it");
        assertEquals("approved", approve("alice", r.id()).status());

        Caller robot = machine("pipeline");
        assertThrows(AccessDeniedException.class, () -> e.secrets().read(robot, "deploy/key", 0));
        ap.startElevation(robot, r.id());
        assertEquals("v1", e.secrets().read(robot, "deploy/key", 0).data().fields().get("k"));
        assertThrows(InvalidRequestException.class, () -> ap.startElevation(robot, r.id()), "used once");
        ap.endElevation(robot, r.id());
        assertThrows(AccessDeniedException.class, () -> e.secrets().read(robot, "deploy/key", 0));
        assertTrue(ap.elevations(admin).isEmpty());
    }

    @Test
    void theCreatorOfAnAutomationIdentityCannotApproveItsElevation() {
        ap.putGate(admin, new Gate("elevate", "elevation", "approle:*", List.of(new Threshold("security", 1)), 1,
                false, null, null));
        e.identities().putAppRole(login("bob"), IdentityService.AppRoleSpec.of("pipeline", List.of("default")));
        Request r = ap.request(login("carol"), new RequestSpec("elevation", "approle:pipeline", "policy:default", null,
                "carol runs it today", null, null, 1));
        AccessDeniedException ex = assertThrows(AccessDeniedException.class, () -> approve("bob", r.id()));
        assertTrue(ex.getMessage().contains("created"), ex.getMessage());
    }

    @Test
    void anElevationEndsAtExpiryEvenIfNobodyActs() {
        ap.putGate(admin, new Gate("elevate", "elevation", "approle:*", List.of(new Threshold("security", 1)), 1,
                false, Duration.ofMinutes(30), null));
        e.policies().put(admin, new Policy("deploy", "", List.of(rule("secret/deploy/*", PolicyConditions.NONE))), "deploy reads");
        e.secrets().write(admin, "deploy/key", SecretData.of(Map.of("k", "v1")), null);
        e.identities().putAppRole(admin, IdentityService.AppRoleSpec.of("pipeline", List.of("default")));
        Request r = ap.request(login("bob"), new RequestSpec("elevation", "approle:pipeline", "policy:deploy", null,
                "nightly", Duration.ofMinutes(5), null, 1));
        approve("alice", r.id());
        Caller robot = machine("pipeline");
        ap.startElevation(robot, r.id());
        clock.advance(Duration.ofMinutes(6));
        Caller robot2 = machine("pipeline");
        assertThrows(AccessDeniedException.class, () -> e.secrets().read(robot2, "deploy/key", 0),
                "expired elevations never count, swept or not");
        assertEquals(1, e.approvalFacade().sweep());
        assertTrue(TestVaults.auditEntries(e).stream().anyMatch(a -> a.operation().equals("approval.elevation.end")
                && "expiry".equals(a.details().get("ended_by"))));
        assertEquals(0, e.approvalFacade().sweep());
    }

    private Caller machine(String role) {
        String roleId = e.identities().roleId(admin, role);
        String secretId = e.identities().issueSecretId(admin, role, IdentityService.SecretIdSpec.defaults()).secretId();
        return e.loginAppRole(roleId, secretId, "127.0.0.1").caller();
    }

    @Test
    void rootKeyRotationAndSealMigrationAskTheGate() {
        ap.putGate(admin, new Gate("seal", "root-key-rotation", "seal", List.of(new Threshold("security", 1),
                new Threshold("operations", 1)), 1, false, null, null));
        dev.keyward.vault.api.PassphraseSealSpec same = new dev.keyward.vault.api.PassphraseSealSpec(
                TestVaults.UNSEAL.toCharArray(), dev.keyward.vault.api.Argon2Parameters.insecureForTests());
        Caller why = admin.withJustification("yearly rotation");
        String id = assertThrows(ApprovalRequiredException.class, () -> e.keys().rotateRootKey(why, same)).requestId();
        approve("alice", id);
        approve("carol", id);
        e.keys().rotateRootKey(presenting(admin, id), same);
        assertEquals("used", ap.show(admin, id).status());
    }

    @Test
    void breakGlassGrantsOnceAlertsEveryApproverAndIsAudited() {
        List<dev.keyward.vault.api.AlertSpec> raised = new java.util.concurrent.CopyOnWriteArrayList<>();
        e.approvalFacade().useAlerts(() -> (caller, spec) -> {
            raised.add(spec);
            return "alert-1";
        });
        ap.putGate(admin, new Gate("destroy-prod", "destroy", "secret/prod/*", List.of(new Threshold("security", 2)), 1,
                true, Duration.ofMinutes(15), null));
        Caller dave = login("dave");
        assertThrows(ApprovalRequiredException.class, () -> e.secrets().destroy(dave, "prod/db", List.of(1)));
        Request g = ap.breakGlass(dave, new BreakGlassSpec("destroy", "secret/prod/db", "leaked in a public repo",
                Duration.ofMinutes(5)));
        assertTrue(g.breakGlass());
        assertEquals(1, raised.size());
        assertEquals("break-glass", raised.get(0).detector());
        assertEquals(g.id(), raised.get(0).details().get("request"));
        e.secrets().destroy(presenting(dave, g.id()), "prod/db", List.of(1));
        assertThrows(ApprovalRequiredException.class, () -> e.secrets().destroy(presenting(dave, g.id()), "prod/db",
                List.of(1)));
        for (String a : List.of("alice", "bob")) {
            assertTrue(ap.notices(login(a)).stream().anyMatch(n -> n.kind().equals("break-glass")
                    && n.requestId().equals(g.id())), a);
        }
        assertTrue(ap.notices(login("carol")).stream().noneMatch(n -> n.kind().equals("break-glass")),
                "carol is not an approver of this gate");
        List<String> chain = TestVaults.auditEntries(e).stream().filter(r -> g.id().equals(r.details().get("request"))
                || g.id().equals(r.approvalId())).map(AuditRecord::operation).toList();
        assertTrue(chain.containsAll(List.of("approval.break-glass", "approval.grant.use", "secret.destroy")),
                chain.toString());
        ap.putGate(admin, new Gate("destroy-prod", "destroy", "secret/prod/*", List.of(new Threshold("security", 2)), 1,
                false, null, null));
        assertThrows(InvalidRequestException.class, () -> ap.breakGlass(dave, new BreakGlassSpec("destroy",
                "secret/prod/db", "again", null)), "a hard gate");
    }

    @Test
    void badInputGetsAClearErrorAndChangesNothing() {
        twoTrackGate("read-critical", "secret/prod/*");
        Request r = ap.request(login("dave"), RequestSpec.of("read-critical", "secret/prod/db", null, "check"));
        assertThrows(NotFoundException.class, () -> approve("alice", "apr-unknown"));
        InvalidRequestException bad = assertThrows(InvalidRequestException.class,
                () -> ap.signedVote(login("alice"), r.id(), true, "", "not base64!"));
        assertTrue(bad.getMessage().contains("signature"));
        assertThrows(AccessDeniedException.class, () -> ap.approve(login("alice"), r.id(), "", "wrong passphrase!".toCharArray()));
        assertTrue(ap.show(admin, r.id()).votes().isEmpty());
        clock.advance(Duration.ofHours(5));
        InvalidRequestException expired = assertThrows(InvalidRequestException.class, () -> approve("alice", r.id()));
        assertTrue(expired.getMessage().contains("expired"), expired.getMessage());
        assertEquals("expired", ap.mine(login("dave")).get(0).status());
        assertThrows(InvalidRequestException.class, () -> ap.putGate(admin, new Gate("x", "read-critical", "*",
                List.of(new Threshold("nobody", 1)), 1, false, null, null)));
        assertThrows(InvalidRequestException.class, () -> new Threshold("security", 0));
    }

    @Test
    void aPolicysApprovalsConditionIsMetByAGrant() {
        e.policies().put(admin, new Policy("guarded", "", List.of(rule("secret/guarded/*",
                new PolicyConditions(List.of(), null, null, false, 2)))),
                "two approvals per read");
        e.policies().putRole(admin, "reader", List.of("guarded"), "", "guarded reads");
        e.identities().createOperator(admin, "erin", (PASS + "erin").toCharArray(), List.of("reader"));
        e.secrets().write(admin, "guarded/x", SecretData.of(Map.of("v", "1")), null);
        Caller erin = login("erin");
        assertThrows(ApprovalRequiredException.class, () -> e.secrets().read(erin, "guarded/x", 0));
        Request r = ap.request(erin, RequestSpec.of("secret.read", "secret/guarded/x", null, "audit sample"));
        assertEquals(2, r.thresholds().get(0).approve());
        approve("alice", r.id());
        assertThrows(ApprovalRequiredException.class, () -> e.secrets().read(presenting(erin, r.id()), "guarded/x", 0));
        approve("carol", r.id());
        assertEquals("1", e.secrets().read(presenting(erin, r.id()), "guarded/x", 0).data().fields().get("v"));
        assertThrows(AccessDeniedException.class, () -> e.secrets().read(presenting(erin, r.id()), "guarded/x", 0));
    }
}
