package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.RotationRun;
import dev.keyward.vault.api.RotationService;
import dev.keyward.vault.api.RotationService.RotationConfig;
import dev.keyward.vault.api.RotationService.RotationRecord;
import dev.keyward.vault.api.RotationService.RotationSchedule;
import dev.keyward.vault.api.RotationService.RotationStatus;
import dev.keyward.vault.api.RotationTrigger;
import dev.keyward.vault.api.SecretData;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotation with the generated rotator: schedules on an injected clock, manual runs, grace, audit. */
class RotationTest {
    static final Instant START = Instant.parse("2026-10-01T08:00:00Z");
    static final String CANARY = "canary-value-7f3a91";

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
        facade.job().stop(); // the test drives the passes
    }

    @AfterEach
    void tearDown() {
        vault.close();
    }

    Caller admin() {
        return TestVaults.login(vault.engine()).caller(); // a fresh session: the clock moves by days
    }

    static RotationConfig generated(RotationSchedule schedule) {
        return new RotationConfig("generated", Map.of("length", "24", "classes", "lower,upper,digit"), schedule,
                Duration.ofMinutes(30), Duration.ofHours(6), true, 3, Duration.ofMinutes(1), null, null, null);
    }

    static RotationSchedule every(Duration d) {
        return new RotationSchedule(d, null, null, null, null, null);
    }

    String password(String path) {
        return vault.engine().secrets().read(admin(), path, 0).data().field("password");
    }

    @Test
    void aScheduledRotationRunsWhenItsSlotComesAndTheOldVersionIsDestroyedAfterTheGrace() {
        vault.engine().secrets().write(admin(), "app/db", SecretData.of(Map.of("password", CANARY, "user", "app")),
                null);
        RotationStatus st = rot.configure(admin(), "app/db", generated(every(Duration.ofDays(1))));
        assertEquals(START.plus(Duration.ofDays(1)), st.nextRun());
        facade.rotations().tick();
        assertEquals(CANARY, password("app/db"), "not due yet");

        clock.advance(Duration.ofDays(1).plusMinutes(1));
        facade.rotations().tick();
        String rotated = password("app/db");
        assertNotEquals(CANARY, rotated);
        assertEquals(24, rotated.length());
        assertEquals("app", vault.engine().secrets().read(admin(), "app/db", 0).data().field("user"));
        List<RotationRecord> h = rot.history(admin(), "app/db", 10);
        assertEquals("finished", h.get(0).state());
        assertEquals(RotationTrigger.SCHEDULE, h.get(0).trigger());
        assertEquals(2, h.get(0).version());
        // the previous version stays readable during the grace period
        assertEquals(CANARY, vault.engine().secrets().read(admin(), "app/db", 1).data().field("password"));
        clock.advance(Duration.ofMinutes(31));
        facade.rotations().tick();
        assertFalse(vault.engine().secrets().read(admin(), "app/db", 1).hasData(), "destroyed after the grace");
        RotationStatus after = rot.status(admin(), "app/db");
        assertEquals("finished", after.lastOutcome());
        assertFalse(after.overdue());
        assertEquals(START.plus(Duration.ofDays(2)), after.nextRun());

        List<String> ops = TestVaults.auditEntries(vault.engine()).stream().map(AuditRecord::operation).toList();
        for (String op : List.of("rotation.config.set", "rotation.run.start", "rotation.step.pending",
                "rotation.step.set", "rotation.step.test", "rotation.step.finish", "rotation.run.finish",
                "rotation.grace.revoke")) {
            assertTrue(ops.contains(op), op + " audited");
        }
    }

    @Test
    void aManualRotationNeedsAReasonAndRunsAtOnce() {
        rot.configure(admin(), "svc/token", new RotationConfig("generated", Map.of("format", "token", "prefix",
                "kw_"), null, null, null, null, null, null, null, null, null));
        assertThrows(InvalidRequestException.class, () -> rot.rotateNow(admin(), "svc/token",
                RotationTrigger.MANUAL, " "));
        RotationRun run = rot.rotateNow(admin(), "svc/token", RotationTrigger.MANUAL, "leaked in a ticket");
        assertNotNull(run.id());
        facade.rotations().tick();
        String token = vault.engine().secrets().read(admin(), "svc/token", 0).data().field("password");
        assertTrue(token.startsWith("kw_"));
        RotationRecord r = rot.history(admin(), "svc/token", 1).get(0);
        assertEquals("finished", r.state());
        assertEquals("leaked in a ticket", r.reason());
        assertEquals(1, r.version());
    }
}
