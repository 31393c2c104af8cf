package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AlertService;
import dev.keyward.vault.api.AlertSpec;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.GovernanceService;
import dev.keyward.vault.api.GovernanceService.AccessReview;
import dev.keyward.vault.api.GovernanceService.Attestation;
import dev.keyward.vault.api.GovernanceService.OnMissed;
import dev.keyward.vault.api.GovernanceService.ReviewScheduleSpec;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Access reviews: scheduled per owner, attested before a deadline, unattested grants expire or alert. */
class AccessReviewsTest {
    static final Instant START = Instant.parse("2026-10-01T08:00:00Z");

    @TempDir
    Path dir;
    MutableClock clock;
    TestVaults.Opened vault;
    GovernanceService gov;
    GovernanceFacade facade;

    static PolicyRule grant(String path, String owner) {
        return PolicyRule.grant(path, EnumSet.of(Capability.READ), PolicyConditions.NONE, owner, "needed",
                START.plus(Duration.ofDays(365)));
    }

    @BeforeEach
    void setUp() {
        clock = new MutableClock(START);
        vault = TestVaults.initialised(TestVaults.config(dir, clock));
        gov = vault.engine().governance();
        facade = (GovernanceFacade) gov;
        Caller a = vault.caller();
        vault.engine().policies().put(a, new Policy("ops", "", List.of(grant("secret/ops/db", "ops-team"),
                grant("secret/ops/old", "ops-team"))), "t");
        vault.engine().policies().put(a, new Policy("pay", "", List.of(grant("secret/pay/*", "pay-team"))), "t");
    }

    @AfterEach
    void tearDown() {
        vault.close();
    }

    private Caller admin() {
        return TestVaults.login(vault.engine()).caller();
    }

    private AccessReview of(List<AccessReview> reviews, String owner) {
        return reviews.stream().filter(r -> r.owner().equals(owner)).findFirst().orElseThrow();
    }

    @Test
    void scheduledReviewsPerOwnerAttestationAndExpiryOfUnattestedGrants() {
        gov.setReviewSchedule(admin(), new ReviewScheduleSpec("quarterly", Duration.ofDays(14), OnMissed.EXPIRE,
                null));
        facade.reviewJob().runOnce();
        List<AccessReview> open = gov.reviews(admin());
        assertEquals(2, open.size(), "one review per owner");
        AccessReview ops = of(open, "ops-team");
        assertEquals(2, ops.items().size());
        assertEquals(START.plus(Duration.ofDays(14)), ops.deadline());
        assertTrue(ops.openedBy().startsWith("system:reviews"));
        facade.reviewJob().runOnce();
        assertEquals(2, gov.reviews(admin()).size(), "nothing more is due");

        gov.attest(admin(), ops.id(), "ops", "secret/ops/db", Attestation.KEEP, "still used by the nightly job");
        AccessReview after = gov.attest(admin(), ops.id(), "ops", "secret/ops/old", Attestation.REVOKE,
                "the old database is gone");
        assertEquals("revoked in ops v2", after.items().get(1).outcome());
        assertEquals(1, vault.engine().policies().read(admin(), "ops").policy().rules().size());
        assertTrue(vault.engine().policies().read(admin(), "ops").reason().contains("access review " + ops.id()));
        assertThrows(InvalidRequestException.class, () -> gov.attest(admin(), ops.id(), "ops", "secret/ops/db",
                Attestation.REDUCE, "again"), "attested already");
        assertThrows(InvalidRequestException.class, () -> gov.attest(admin(), ops.id(), "pay", "secret/pay/*",
                Attestation.KEEP, " "), "needs a reason");

        clock.advance(Duration.ofDays(15));
        facade.reviewJob().runOnce();
        List<AccessReview> closed = gov.reviews(admin());
        assertTrue(closed.stream().allMatch(r -> r.status().equals("closed")));
        AccessReview pay = of(closed, "pay-team");
        assertEquals("expired at the deadline in pay v2", pay.items().get(0).outcome());
        assertEquals(START.plus(Duration.ofDays(14)), vault.engine().policies().read(admin(), "pay").policy().rules()
                .get(0).expiresAt());
        assertEquals("kept", of(closed, "ops-team").items().get(0).outcome(), "attested items keep their outcome");
        assertThrows(InvalidRequestException.class, () -> gov.attest(admin(), pay.id(), "pay", "secret/pay/*",
                Attestation.KEEP, "late"));

        List<AuditRecord> sweeps = TestVaults.auditEntries(vault.engine()).stream()
                .filter(e -> e.operation().equals("governance.review.sweep")).toList();
        assertEquals(2, sweeps.size(), "one audited sweep to open, one to close; idle ticks are not entries");
        assertTrue(sweeps.stream().allMatch(e -> e.identityName().equals("system:reviews")));

        assertEquals(START.atZone(java.time.ZoneOffset.UTC).plusMonths(3).toInstant(),
                gov.reviewSchedule(admin()).nextRun());
        clock.set(START.atZone(java.time.ZoneOffset.UTC).plusMonths(3).toInstant());
        facade.reviewJob().runOnce();
        assertEquals(3, gov.reviews(admin()).size(), "next quarter only ops-team: the pay grant expired");
    }

    @Test
    void unattestedGrantsRaiseAnAlertWhenConfiguredAndKeepWorking() {
        List<AlertSpec> raised = new ArrayList<>();
        AlertService recording = (caller, spec) -> {
            raised.add(spec);
            return "alert-" + raised.size();
        };
        facade.useAlerts(() -> recording);
        gov.setReviewSchedule(admin(), new ReviewScheduleSpec("30d", Duration.ofDays(7), OnMissed.ALERT, null));
        facade.reviewJob().runOnce();
        clock.advance(Duration.ofDays(8));
        facade.reviewJob().runOnce();
        assertEquals(3, raised.size());
        assertTrue(raised.stream().allMatch(a -> a.detector().equals("access-review.missed")));
        assertEquals(1, vault.engine().policies().read(admin(), "pay").version(), "alert mode changes no policy");
        assertTrue(gov.reviews(admin()).stream().flatMap(r -> r.items().stream())
                .allMatch(i -> i.outcome().equals("missed: alert raised")));
    }

    @Test
    void theJobRunsOnlyWhileUnsealedAndResumesFromStorage() {
        gov.setReviewSchedule(admin(), new ReviewScheduleSpec("monthly", Duration.ofDays(3), OnMissed.EXPIRE,
                START.plus(Duration.ofDays(1))));
        assertTrue(facade.reviewJob().running());
        vault.engine().lifecycle().seal(admin());
        assertFalse(facade.reviewJob().running(), "stopped on seal");
        clock.advance(Duration.ofDays(2));
        facade.reviewJob().runOnce(); // sealed: nothing happens, nothing fails
        TestVaults.unseal(vault.engine());
        assertTrue(facade.reviewJob().running(), "started on unseal");
        facade.reviewJob().runOnce();
        assertEquals(2, gov.reviews(admin()).size(), "the due run happens after the unseal");
        assertNotNull(gov.reviewSchedule(admin()));
    }

    @Test
    void scheduleSpecsAreValidated() {
        assertThrows(InvalidRequestException.class, () -> new ReviewScheduleSpec("weekly-ish", Duration.ofDays(1),
                OnMissed.ALERT, null));
        assertThrows(InvalidRequestException.class, () -> new ReviewScheduleSpec("monthly", Duration.ZERO,
                OnMissed.ALERT, null));
    }
}
