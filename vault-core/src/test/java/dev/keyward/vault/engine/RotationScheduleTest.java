package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.ApprovalGate;
import dev.keyward.vault.api.ApprovalRequiredException;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.GatedOperation;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.MetadataUpdate;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.RotationRun;
import dev.keyward.vault.api.RotationService;
import dev.keyward.vault.api.RotationService.RotationConfig;
import dev.keyward.vault.api.RotationService.RotationRecord;
import dev.keyward.vault.api.RotationService.RotationSchedule;
import dev.keyward.vault.api.RotationService.RotationStatus;
import dev.keyward.vault.api.RotationTrigger;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.policy.BuiltInPolicies;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/** Schedules on an injected clock: windows, missed slots, overdue, cron previews, bad input, pairs, expiry, gates. */
class RotationScheduleTest {
    static final Instant START = Instant.parse("2026-10-01T08:00:00Z");

    @TempDir
    Path dir;
    MutableClock clock;
    TestVaults.Opened vault;
    RotationService rot;
    RotationFacade facade;

    @BeforeEach
    void setUp() {
        clock = new MutableClock(START);
        vault = TestVaults.initialised(TestVaults.config(dir, clock));
        rot = vault.engine().rotation();
        facade = (RotationFacade) rot;
        facade.job().stop();
    }

    @AfterEach
    void tearDown() {
        vault.close();
    }

    Caller admin() {
        return TestVaults.login(vault.engine()).caller();
    }

    static RotationConfig generated(RotationSchedule s) {
        return new RotationConfig("generated", Map.of(), s, Duration.ofMinutes(10), null, true, 3,
                Duration.ofMinutes(1), null, null, null);
    }

    void tick() {
        facade.rotations().tick();
    }

    List<RotationRecord> history(String path) {
        return rot.history(admin(), path, 100);
    }

    @Test
    void aRunMissedInsideItsWindowStillRunsOutsideItWaitsForTheNextSlotAndIsOverdue() {
        rot.configure(admin(), "app/a", generated(new RotationSchedule(Duration.ofDays(1), null, null, null,
                Duration.ofHours(2), null)));
        clock.set(START.plus(Duration.ofDays(1)).plus(Duration.ofMinutes(90))); // the vault was down at the slot
        tick();
        assertEquals(1, history("app/a").size());
        assertEquals(RotationTrigger.SCHEDULE, history("app/a").get(0).trigger());
        assertEquals(START.plus(Duration.ofDays(2)), rot.status(admin(), "app/a").nextRun());

        clock.set(START.plus(Duration.ofDays(2)).plus(Duration.ofHours(3))); // down through the whole window
        assertTrue(rot.status(admin(), "app/a").overdue(), "overdue as soon as the window has passed");
        tick();
        assertEquals(1, history("app/a").size(), "outside the window: no run");
        RotationStatus st = rot.status(admin(), "app/a");
        assertTrue(st.overdue());
        assertEquals(START.plus(Duration.ofDays(3)), st.nextRun());
        assertTrue(TestVaults.auditEntries(vault.engine()).stream()
                .anyMatch(a -> a.operation().equals("rotation.slot.missed")));

        clock.set(START.plus(Duration.ofDays(3)));
        tick();
        assertEquals(2, history("app/a").size());
        assertFalse(rot.status(admin(), "app/a").overdue(), "a successful run clears overdue");
    }

    @Test
    void cronSchedulesPreviewInTheirTimeZoneAndJitterStaysInsideTheWindow() {
        List<Instant> next = rot.previewSchedule(admin(), new RotationSchedule(null, "0 3 * * 1", "Europe/Berlin",
                null, Duration.ofHours(1), null), 3);
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        assertEquals(List.of(ZonedDateTime.of(LocalDate.of(2026, 10, 5), LocalTime.of(3, 0), berlin).toInstant(),
                ZonedDateTime.of(LocalDate.of(2026, 10, 12), LocalTime.of(3, 0), berlin).toInstant(),
                ZonedDateTime.of(LocalDate.of(2026, 10, 19), LocalTime.of(3, 0), berlin).toInstant()), next);

        rot.configure(admin(), "app/j", generated(new RotationSchedule(Duration.ofHours(1), null, null, null,
                Duration.ofMinutes(30), Duration.ofMinutes(10))));
        List<Instant> runs = rot.preview(admin(), "app/j", 5);
        assertEquals(5, runs.size());
        for (int i = 0; i < 5; i++) {
            Instant slot = START.plus(Duration.ofHours(i + 1));
            assertFalse(runs.get(i).isBefore(slot), runs.get(i) + " before " + slot);
            assertTrue(runs.get(i).isBefore(slot.plus(Duration.ofMinutes(10))), runs.get(i) + " jitter");
        }
        assertEquals(runs, rot.preview(admin(), "app/j", 5), "the preview is stable");

        // interval slots aligned to a window start in a time zone
        rot.configure(admin(), "app/w", generated(new RotationSchedule(Duration.ofDays(1), null, "Europe/Berlin",
                LocalTime.of(2, 0), Duration.ofHours(2), null)));
        assertEquals(ZonedDateTime.of(LocalDate.of(2026, 10, 2), LocalTime.of(2, 0), berlin).toInstant(),
                rot.status(admin(), "app/w").nextRun());
    }

    @Test
    void theNextRunCanBeSetByHand() {
        rot.configure(admin(), "app/n", generated(new RotationSchedule(Duration.ofDays(30), null, null, null, null,
                null)));
        Instant at = START.plus(Duration.ofHours(3));
        assertEquals(at, rot.setNextRun(admin(), "app/n", at).nextRun());
        assertEquals(at, rot.preview(admin(), "app/n", 2).get(0));
        assertThrows(InvalidRequestException.class, () -> rot.setNextRun(admin(), "app/n", START.minusSeconds(1)));
        clock.set(at);
        tick();
        assertEquals(1, history("app/n").size());
        assertEquals(START.plus(Duration.ofDays(30)), rot.status(admin(), "app/n").nextRun(),
                "the schedule goes on from its slots");
    }

    static List<RotationConfig> badConfigs() {
        return List.of(
                generated(new RotationSchedule(null, "61 * * * *", null, null, null, null)),
                generated(new RotationSchedule(null, "0 3 * *", null, null, null, null)),
                generated(new RotationSchedule(null, "every monday", null, null, null, null)),
                generated(new RotationSchedule(Duration.ofDays(1), null, null, null, Duration.ofDays(2), null)),
                generated(new RotationSchedule(null, "0 * * * *", null, null, Duration.ofHours(2), null)),
                generated(new RotationSchedule(Duration.ofDays(1), "0 3 * * 1", null, null, null, null)),
                generated(new RotationSchedule(Duration.ofDays(1), null, "Mars/Olympus", null, null, null)),
                generated(new RotationSchedule(Duration.ofHours(1), null, null, null, Duration.ofMinutes(10),
                        Duration.ofMinutes(10))),
                generated(new RotationSchedule(Duration.ofSeconds(5), null, null, null, null, null)),
                new RotationConfig("nope", Map.of(), null, null, null, null, null, null, null, null, null),
                new RotationConfig("generated", Map.of("length", "3"), null, null, null, null, null, null, null,
                        null, null),
                new RotationConfig("generated", Map.of("colour", "red"), null, null, null, null, null, null, null,
                        null, null),
                new RotationConfig("hook", Map.of("command", "/no/such/hook"), null, null, null, null, null, null,
                        null, null, null),
                new RotationConfig("generated", Map.of(), null, null, null, null, 0, null, null, null, null));
    }

    @ParameterizedTest
    @MethodSource("badConfigs")
    void badInputGetsAClearErrorAndChangesNothing(RotationConfig bad) {
        RotationConfig good = generated(new RotationSchedule(Duration.ofDays(7), null, null, null, null, null));
        rot.configure(admin(), "app/b", good);
        RotationStatus before = rot.status(admin(), "app/b");
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> rot.configure(admin(), "app/b", bad));
        assertTrue(e.getMessage().length() > 10 && !e.getMessage().contains("Exception"), e.getMessage());
        assertEquals(good, rot.readConfig(admin(), "app/b"));
        assertEquals(before, rot.status(admin(), "app/b"));
        assertThrows(InvalidRequestException.class, () -> rot.configure(admin(), "app/new", bad));
        assertThrows(NotFoundException.class, () -> rot.readConfig(admin(), "app/new"));
        AuditRecord last = TestVaults.auditEntries(vault.engine()).stream()
                .filter(a -> a.operation().equals("rotation.config.set")).reduce((a, b) -> b).orElseThrow();
        assertEquals("FAILURE", last.outcome());
    }

    @Test
    void unknownRotatorsAreNamedWithTheKnownOnes() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> rot.configure(admin(), "a/b",
                new RotationConfig("nope", Map.of(), null, null, null, null, null, null, null, null, null)));
        assertTrue(e.getMessage().contains("generated") && e.getMessage().contains("hook"), e.getMessage());
        assertThrows(InvalidRequestException.class, () -> rot.rotateNow(admin(), "a/b", RotationTrigger.SCHEDULE,
                "x"));
        assertThrows(NotFoundException.class, () -> rot.rotateNow(admin(), "a/b", RotationTrigger.MANUAL, "x"));
    }

    @Test
    void anExpiringSecretRotatesWithinItsLeadTime() {
        vault.engine().secrets().write(admin(), "tls/api", SecretData.of(Map.of("password", "old")), null);
        vault.engine().secrets().writeMetadata(admin(), "tls/api", new MetadataUpdate(null, null, null,
                Map.of("expires_at", START.plus(Duration.ofDays(10)).toString())));
        rot.configure(admin(), "tls/api", new RotationConfig("generated", Map.of(), null, null, null, true, null,
                null, Duration.ofDays(7), null, null));
        tick();
        assertEquals(0, history("tls/api").size());
        clock.advance(Duration.ofDays(3).plusMinutes(1));
        tick();
        assertEquals(RotationTrigger.EXPIRY, history("tls/api").get(0).trigger());
        assertEquals("finished", history("tls/api").get(0).state());
        tick();
        assertEquals(1, history("tls/api").size(), "once per lead time");
        assertEquals(START.plus(Duration.ofDays(10)), rot.status(admin(), "tls/api").expiresAt());
    }

    @Test
    void pairedSecretsRotateInSequenceWithTheirSpacing() {
        rot.configure(admin(), "app/role-a", new RotationConfig("generated", Map.of(), null, null, null, true, null,
                null, null, "app/role-b", Duration.ofMinutes(5)));
        rot.configure(admin(), "app/role-b", new RotationConfig("generated", Map.of(), null, null, null, true, null,
                null, null, "app/role-a", Duration.ofMinutes(5)));
        rot.rotateNow(admin(), "app/role-a", RotationTrigger.MANUAL, "quarterly");
        tick();
        assertEquals(1, history("app/role-a").size());
        assertEquals(0, history("app/role-b").size(), "not at the same moment");
        assertEquals(START.plus(Duration.ofMinutes(5)), rot.status(admin(), "app/role-b").nextRun());
        // asking for the second one now waits for the spacing too
        rot.rotateNow(admin(), "app/role-b", RotationTrigger.MANUAL, "now");
        tick();
        assertEquals("queued", history("app/role-b").get(0).state(), "it waits for the spacing");
        clock.advance(Duration.ofMinutes(5));
        tick();
        tick();
        List<RotationRecord> b = history("app/role-b");
        assertTrue(b.stream().anyMatch(r -> r.state().equals("finished")));
        assertEquals(1, history("app/role-a").size(), "the pair does not start its partner again");
        Instant aAt = history("app/role-a").get(0).endedAt();
        Instant bAt = b.stream().filter(r -> r.state().equals("finished")).findFirst().orElseThrow().endedAt();
        assertFalse(bAt.isBefore(aAt.plus(Duration.ofMinutes(5))));
    }

    @Test
    void aCriticalSecretAsksTheApprovalGateForManualAndDeploymentRotationsButNotForCompromise() {
        vault.engine().secrets().write(admin(), "crit/db", SecretData.of(Map.of("password", "x")), null);
        vault.engine().secrets().writeMetadata(admin(), "crit/db", new MetadataUpdate(null, null, null,
                Map.of("criticality", "critical")));
        rot.configure(admin(), "crit/db", new RotationConfig("generated", Map.of(), null, null, null, true, null,
                null, null, null, null));
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        vault.engine().setApprovalGate((caller, op, resource, change) -> {
            asked.add(op.id() + " " + resource);
            if (caller.approvalId() == null) {
                throw new ApprovalRequiredException("An approval is required.", "req-1");
            }
            return Optional.of("grant-" + caller.approvalId());
        });
        ApprovalRequiredException e = assertThrows(ApprovalRequiredException.class,
                () -> rot.rotateNow(admin(), "crit/db", RotationTrigger.MANUAL, "rotate"));
        assertEquals("req-1", e.requestId());
        assertEquals(List.of("rotate-now secret/crit/db"), asked);
        assertEquals(0, history("crit/db").size(), "nothing queued");

        Caller withGrant = new Caller(admin().token(), admin().authMethod(), admin().sourceAddress(), "approved",
                "ap-9");
        RotationRun run = rot.rotateNow(withGrant, "crit/db", RotationTrigger.MANUAL, "approved rotation");
        assertTrue(TestVaults.auditEntries(vault.engine()).stream().anyMatch(a -> a.operation().equals(
                "rotation.run.start") && "grant-ap-9".equals(a.details().get("grant"))));
        tick();
        assertEquals("finished", history("crit/db").get(0).state());
        assertEquals(run.id(), history("crit/db").get(0).id());

        Caller containment = vault.engine().systemCaller(BuiltInPolicies.JOB_CONTAINMENT);
        rot.rotateNow(containment, "crit/db", RotationTrigger.COMPROMISE, "alert 42");
        assertEquals(2, asked.size(), "compromise does not wait for an approval");
        tick();
        RotationRecord r = history("crit/db").get(0);
        assertEquals(RotationTrigger.COMPROMISE, r.trigger());
        assertEquals("finished", r.state());
        // Metadata, not a read: reading a critical secret itself needs an approval (docs/approvals.md).
        var previous = vault.engine().secrets().readMetadata(admin(), "crit/db").versions().get(2);
        assertTrue(previous.destroyed() || previous.deletionTime() != null,
                "after a compromise the previous version has no grace");
        vault.engine().setApprovalGate(ApprovalGate.NONE);
        assertEquals(GatedOperation.ROTATE_NOW.id(), "rotate-now");
    }

    @Test
    void askingTwiceReturnsTheRunAlreadyActive() {
        rot.configure(admin(), "app/x", new RotationConfig("generated", Map.of(), null, null, null, true, null, null,
                null, null, null));
        RotationRun a = rot.rotateNow(admin(), "app/x", RotationTrigger.MANUAL, "one");
        RotationRun b = rot.rotateNow(admin(), "app/x", RotationTrigger.DEPLOYMENT, null);
        assertEquals(a.id(), b.id());
        tick();
        assertEquals(1, history("app/x").size());
        assertEquals(List.of("generated", "hook", "ssh"), rot.rotators(admin()).stream().filter(t ->
                List.of("generated", "hook", "ssh").contains(t)).toList());
    }
}
