package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.ApprovalRequiredException;
import dev.keyward.vault.api.ApprovalService;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.GovernanceService;
import dev.keyward.vault.api.GovernanceService.Controls;
import dev.keyward.vault.api.GovernanceService.ExceptionSpec;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.PolicyService;
import dev.keyward.vault.api.SecretData;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Grants outside the recorded baseline work only under an exception whose controls the vault enforces. */
class GrantExceptionsTest {
    static final Instant MONDAY_10 = Instant.parse("2026-11-30T10:00:00Z");

    @TempDir
    Path dir;
    MutableClock clock;
    TestVaults.Opened vault;
    Caller admin;
    Caller robot;
    GovernanceService gov;

    static PolicyRule read(String path) {
        return PolicyRule.grant(path, EnumSet.of(Capability.READ), PolicyConditions.NONE, "ops-team", "ops reads",
                MONDAY_10.plus(Duration.ofDays(200)));
    }

    @BeforeEach
    void setUp() {
        clock = new MutableClock(MONDAY_10);
        vault = TestVaults.initialised(TestVaults.config(dir, clock));
        admin = vault.caller();
        gov = vault.engine().governance();
        vault.engine().policies().put(admin, new Policy("ops", "", List.of(read("secret/ops/db"))), "first");
        vault.engine().identities().putAppRole(admin, IdentityService.AppRoleSpec.of("robot", List.of("ops")));
        vault.engine().secrets().write(admin, "ops/db", SecretData.of(Map.of("v", "1")), null);
        vault.engine().secrets().write(admin, "ops/extra", SecretData.of(Map.of("v", "2")), null);
        robot = login();
        gov.setBaseline(admin, null, "the reviewed state of November");
        vault.engine().policies().put(admin, new Policy("ops", "", List.of(read("secret/ops/db"),
                read("secret/ops/extra"))), "an urgent need outside the baseline");
    }

    private Caller login() {
        String roleId = vault.engine().identities().roleId(admin, "robot");
        String secretId = vault.engine().identities().issueSecretId(admin, "robot",
                IdentityService.SecretIdSpec.defaults()).secretId();
        return vault.engine().loginAppRole(roleId, secretId, "127.0.0.1").caller();
    }

    /** New sessions after the clock moved (sessions and machine tokens expire too). */
    private void fresh() {
        admin = TestVaults.login(vault.engine()).caller();
        robot = login();
    }

    @AfterEach
    void tearDown() {
        vault.close();
    }

    private boolean canRead(String path) {
        try {
            vault.engine().secrets().read(robot, path, 0);
            return true;
        } catch (AccessDeniedException e) {
            return false;
        }
    }

    private PolicyService.Explanation explain(String path) {
        return vault.engine().policies().explain(admin, new PolicyService.ExplainRequest(
                new PolicyService.IdentityRef(PolicyService.IdentityRef.Type.APPROLE, "robot"), Operation.SECRET_READ,
                path, null));
    }

    private ExceptionSpec spec(Duration term, Controls controls) {
        return new ExceptionSpec("ops", "secret/ops/extra", "alice", "incident 42 needs it", MONDAY_10.plus(term),
                controls);
    }

    @Test
    void aGrantOutsideTheBaselineWithoutAnExceptionGrantsNothing() {
        assertTrue(canRead("ops/db"), "inside the baseline");
        assertFalse(canRead("ops/extra"));
        PolicyService.Explanation x = explain("secret/ops/extra");
        assertFalse(x.allowed(), "explain agrees with enforcement");
        assertEquals("the grant is outside the baseline and has no exception", x.reason());
        List<GovernanceService.OutsideGrant> outside = gov.outsideBaseline(admin);
        assertEquals(1, outside.size());
        assertEquals("secret/ops/extra", outside.get(0).ruleId());
        assertEquals("none", outside.get(0).status());
        AuditRecord denied = TestVaults.auditEntries(vault.engine()).stream()
                .filter(e -> "secret/ops/extra".equals(e.resource()) && e.operation().equals("secret.read"))
                .reduce((a, b) -> b).orElseThrow();
        assertEquals("deny", denied.decision().toLowerCase(java.util.Locale.ROOT));
    }

    @Test
    void anExceptionWithHoursAndExtraLoggingIsEnforced() {
        PolicyConditions.TimeWindow officeHours = new PolicyConditions.TimeWindow(EnumSet.range(DayOfWeek.MONDAY,
                DayOfWeek.FRIDAY), LocalTime.of(9, 0), LocalTime.of(17, 0), "UTC");
        GovernanceService.GrantException e = gov.addException(admin, spec(Duration.ofDays(7),
                new Controls(true, officeHours, false)));
        assertEquals("active", e.status());
        assertTrue(canRead("ops/extra"));
        assertTrue(canRead("ops/extra"));
        assertEquals("excepted", gov.outsideBaseline(admin).get(0).status());
        List<GovernanceService.ExceptionUse> uses = gov.exceptionUses(admin, e.id());
        assertEquals(2, uses.size(), "extra logging records each use");
        assertEquals("robot", uses.get(0).identity());
        assertEquals("secret/ops/extra", uses.get(0).resource());
        assertEquals(2, gov.exceptions(admin).get(0).uses());

        clock.set(Instant.parse("2026-11-30T17:30:00Z"));
        fresh();
        assertFalse(canRead("ops/extra"), "outside the exception's hours");
        assertTrue(explain("secret/ops/extra").reason().contains("only in its hours"));
        assertTrue(canRead("ops/db"), "baseline grants are not touched");
        clock.set(Instant.parse("2026-12-05T10:00:00Z"));
        fresh();
        assertFalse(canRead("ops/extra"), "a Saturday");
        assertTrue(canRead("ops/db"));

        clock.set(MONDAY_10.plus(Duration.ofDays(7)));
        fresh();
        assertTrue(canRead("ops/db"), "the robot's token works");
        assertFalse(canRead("ops/extra"), "expired");
        assertTrue(explain("secret/ops/extra").reason().contains("has expired"), explain("secret/ops/extra").reason());
    }

    @Test
    void approvalOnUseNeedsAnApprovedRequestForEachUse() {
        GovernanceService.GrantException e = gov.addException(admin, spec(Duration.ofDays(7),
                new Controls(false, null, true)));
        ApprovalRequiredException refused = assertThrows(ApprovalRequiredException.class,
                () -> vault.engine().secrets().read(robot, "ops/extra", 0), "no approval presented");
        assertTrue(refused.getMessage().contains("needs approvals"), refused.getMessage());
        assertTrue(explain("secret/ops/extra").reason().contains("needs an approval for each use"));
        assertTrue(canRead("ops/db"), "the baseline grant needs none");

        ApprovalService approvals = vault.engine().approvals();
        approvals.putTrack(admin, new ApprovalService.Track("security", List.of(TestVaults.ADMIN), List.of()));
        ApprovalService.Request req = approvals.request(robot, ApprovalService.RequestSpec.of(
                Operation.SECRET_READ.id(), "secret/ops/extra", null, "incident 42: the job reads the extra account"));
        Caller withGrant = new Caller(robot.token(), robot.authMethod(), robot.sourceAddress(), null, req.id());
        assertThrows(ApprovalRequiredException.class, () -> vault.engine().secrets().read(withGrant, "ops/extra", 0),
                "requested but not approved yet");
        approvals.approve(admin, req.id(), "incident 42 is real", TestVaults.ADMIN_PASS.toCharArray());
        assertEquals("2", vault.engine().secrets().read(withGrant, "ops/extra", 0).data().field("v"),
                "an approved request lets one use through");
        assertThrows(AccessDeniedException.class, () -> vault.engine().secrets().read(withGrant, "ops/extra", 0),
                "the grant is used up: each use needs its own approval");
        AuditRecord allowed = TestVaults.auditEntries(vault.engine()).stream()
                .filter(a -> "secret/ops/extra".equals(a.resource()) && a.operation().equals("secret.read")
                        && "ALLOW".equals(a.decision())).reduce((a, b) -> b).orElseThrow();
        assertEquals(req.id(), allowed.approvalId(), "the read names the approval that let it through");
        assertEquals("active", gov.exceptions(admin).stream().filter(x -> x.id().equals(e.id())).findFirst()
                .orElseThrow().status());
    }

    @Test
    void approvalOnUseAndHoursHoldTogether() {
        PolicyConditions.TimeWindow mornings = new PolicyConditions.TimeWindow(EnumSet.allOf(DayOfWeek.class),
                LocalTime.of(8, 0), LocalTime.of(12, 0), "UTC");
        gov.addException(admin, spec(Duration.ofDays(7), new Controls(true, mornings, true)));
        ApprovalService approvals = vault.engine().approvals();
        approvals.putTrack(admin, new ApprovalService.Track("security", List.of(TestVaults.ADMIN), List.of()));
        ApprovalService.Request req = approvals.request(robot, ApprovalService.RequestSpec.of(
                Operation.SECRET_READ.id(), "secret/ops/extra", null, "incident 43"));
        approvals.approve(admin, req.id(), "ok", TestVaults.ADMIN_PASS.toCharArray());
        clock.set(Instant.parse("2026-11-30T12:30:00Z"));
        fresh();
        Caller late = new Caller(robot.token(), robot.authMethod(), robot.sourceAddress(), null, req.id());
        AccessDeniedException outside = assertThrows(AccessDeniedException.class,
                () -> vault.engine().secrets().read(late, "ops/extra", 0));
        assertFalse(outside instanceof ApprovalRequiredException, "an approval does not stretch the hours");
        assertTrue(explain("secret/ops/extra").reason().contains("only in its hours"));
    }

    @Test
    void anExceptionsControlsApplyToAGrantInsideTheBaselineToo() {
        PolicyConditions.TimeWindow nights = new PolicyConditions.TimeWindow(EnumSet.allOf(DayOfWeek.class),
                LocalTime.of(20, 0), LocalTime.of(23, 0), "UTC");
        GovernanceService.GrantException e = gov.addException(admin, new ExceptionSpec("ops", "secret/ops/db", "alice",
                "the database is read only at night while it migrates", MONDAY_10.plus(Duration.ofDays(7)),
                new Controls(true, nights, false)));
        assertFalse(canRead("ops/db"), "inside the baseline, yet its exception's hours apply");
        clock.set(Instant.parse("2026-11-30T21:00:00Z"));
        fresh();
        assertTrue(canRead("ops/db"));
        assertEquals(1, gov.exceptionUses(admin, e.id()).size(), "extra logging recorded the use");
        gov.revokeException(admin, e.id(), "migration done");
        clock.set(Instant.parse("2026-12-01T10:00:00Z"));
        fresh();
        assertTrue(canRead("ops/db"), "a revoked exception has no effect on a grant inside the baseline");
        assertEquals(1, gov.exceptionUses(admin, e.id()).size(), "nor logs its uses");
    }

    @Test
    void revokingEndsTheGrantAndBroadeningAGrantTakesItOutOfTheBaseline() {
        GovernanceService.GrantException e = gov.addException(admin, spec(Duration.ofDays(7), Controls.NONE));
        assertTrue(canRead("ops/extra"));
        assertEquals("revoked", gov.revokeException(admin, e.id(), "incident closed").status());
        assertFalse(canRead("ops/extra"));
        assertThrows(InvalidRequestException.class, () -> gov.revokeException(admin, e.id(), "again"));

        vault.engine().policies().put(admin, new Policy("ops", "", List.of(PolicyRule.grant("secret/ops/db",
                EnumSet.of(Capability.READ, Capability.LIST), PolicyConditions.NONE, "ops-team", "ops reads",
                MONDAY_10.plus(Duration.ofDays(200))))), "more capabilities");
        assertFalse(canRead("ops/db"), "the same rule with more capabilities than the baseline is outside it");
        gov.setBaseline(admin, null, "adopt the broader grant after review");
        assertTrue(canRead("ops/db"));
    }

    @Test
    void exceptionsAreValidated() {
        assertThrows(InvalidRequestException.class, () -> gov.addException(admin, spec(Duration.ofDays(400),
                Controls.NONE)), "at most a year");
        assertThrows(InvalidRequestException.class, () -> gov.addException(admin, spec(Duration.ofDays(-1),
                Controls.NONE)));
        assertThrows(NotFoundException.class, () -> gov.addException(admin, new ExceptionSpec("ops", "nope", "a",
                "b", MONDAY_10.plus(Duration.ofDays(1)), null)));
        assertThrows(InvalidRequestException.class, () -> new ExceptionSpec("ops", "r", " ", "b", MONDAY_10, null));
        assertThrows(AccessDeniedException.class, () -> gov.addException(robot, spec(Duration.ofDays(1),
                Controls.NONE)), "only those who may");
        assertThrows(InvalidRequestException.class, () -> gov.setBaseline(admin, "roles: []\n", "no policies"));
    }

    @Test
    void aBaselineFromAFileComparesByPolicyAndRule() {
        gov.setBaseline(admin, """
                keyward: 1
                policies:
                  - name: ops
                    rules:
                      - path: secret/ops/*
                        capabilities: [read]
                        owner: ops-team
                        justification: ops reads
                        expires: 2027-06-01T00:00:00Z
                """, "from the repository");
        assertFalse(canRead("ops/db"), "rule ids differ (secret/ops/db is not the baseline's secret/ops/*)");
        assertEquals(2, gov.outsideBaseline(admin).size());
        assertEquals(2, gov.baseline(admin).version());
    }
}
