package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AlertService;
import dev.keyward.vault.api.AlertSpec;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.RotationService;
import dev.keyward.vault.api.RotationService.RotationConfig;
import dev.keyward.vault.api.RotationService.RotationRecord;
import dev.keyward.vault.api.RotationService.RotationStatus;
import dev.keyward.vault.api.RotationTrigger;
import dev.keyward.vault.api.SecretData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command hook rotator against real child processes: the value arrives on standard input only,
 * a failing set or test rolls back (current unchanged, restore called), retries back off with fresh
 * values until "needs attention" (an alert and an audit entry), a hook that hangs or prints garbage
 * fails its step, and no value ever reaches an audit entry.
 */
class RotationHookTest {
    static final Instant START = Instant.parse("2026-10-01T08:00:00Z");
    static final String CANARY = "canary-hook-current-8e11aa";

    @TempDir
    Path dir;
    @TempDir
    Path work;
    MutableClock clock;
    TestVaults.Opened vault;
    RotationService rot;
    RotationFacade facade;
    final List<AlertSpec> alerts = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        clock = new MutableClock(START);
        vault = TestVaults.initialised(TestVaults.config(dir, clock));
        rot = vault.engine().rotation();
        facade = (RotationFacade) rot;
        facade.job().stop();
        AlertService recording = (caller, spec) -> {
            alerts.add(spec);
            return "alert-" + alerts.size();
        };
        facade.useAlerts(() -> recording);
        vault.engine().secrets().write(admin(), "app/db", SecretData.of(Map.of("password", CANARY)), null);
    }

    @AfterEach
    void tearDown() {
        vault.close();
    }

    Caller admin() {
        return TestVaults.login(vault.engine()).caller();
    }

    /** A hook script: logs each step, its argv and environment, and its stdin; then runs {@code body}. */
    Path hook(String body) throws IOException {
        Path script = work.resolve("hook.sh");
        Files.writeString(script, "#!/bin/sh\n"
                + "W='" + work + "'\n"
                + "echo \"$1\" >> \"$W/steps\"\n"
                + "echo \"$@\" >> \"$W/argv\"\n"
                + "env >> \"$W/env\"\n"
                + "cat > \"$W/stdin-$1\"\n"
                + "cat \"$W/stdin-$1\" >> \"$W/stdin-all\"\n"
                + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    void configure(Path script, String timeout) {
        rot.configure(admin(), "app/db", new RotationConfig("hook", Map.of("command", script.toString(), "timeout",
                timeout, "length", "20"), null, null, null, true, 3, Duration.ofMinutes(1), null, null, null));
    }

    List<String> steps() throws IOException {
        return Files.exists(work.resolve("steps")) ? Files.readAllLines(work.resolve("steps")) : List.of();
    }

    String current() {
        return vault.engine().secrets().read(admin(), "app/db", 0).data().field("password");
    }

    @Test
    void aHookThatSucceedsGetsTheValueOnStandardInputOnly() throws IOException {
        configure(hook("exit 0"), "10s");
        rot.rotateNow(admin(), "app/db", RotationTrigger.MANUAL, "first rotation");
        facade.rotations().tick();
        assertEquals("finished", rot.history(admin(), "app/db", 1).get(0).state());
        String rotated = current();
        assertNotEquals(CANARY, rotated);
        assertEquals(List.of("set", "test"), steps());
        String stdin = Files.readString(work.resolve("stdin-set"));
        assertTrue(stdin.contains(rotated) && stdin.contains(CANARY), "pending and current on stdin");
        String argvAndEnv = Files.readString(work.resolve("argv")) + Files.readString(work.resolve("env"));
        assertFalse(argvAndEnv.contains(rotated) || argvAndEnv.contains(CANARY), "never in argv or env");
        assertTrue(Files.readString(work.resolve("env")).contains("KEYWARD_ROTATION_STEP=set"));
        assertNoValueInAudit(rotated);
    }

    @Test
    void aFailingSetRollsBackRetriesWithBackoffAndFreshValuesThenNeedsAttention() throws IOException {
        configure(hook("[ \"$1\" = set ] && exit 3\nexit 0"), "10s");
        rot.rotateNow(admin(), "app/db", RotationTrigger.MANUAL, "rotate");
        facade.rotations().tick();
        RotationRecord r1 = rot.history(admin(), "app/db", 1).get(0);
        assertEquals("rolled-back", r1.state());
        assertEquals("set", r1.failedStep());
        assertEquals("RotationStepException", r1.errorClass());
        assertTrue(r1.error().contains("status 3"), r1.error());
        assertEquals(CANARY, current(), "current unchanged");
        assertEquals(List.of("set", "restore"), steps(), "the target was restored");
        RotationStatus st = rot.status(admin(), "app/db");
        assertEquals(START.plus(Duration.ofMinutes(1)), st.nextRetryAt());

        facade.rotations().tick();
        assertEquals(1, rot.history(admin(), "app/db", 10).size(), "no retry before its time");
        clock.advance(Duration.ofMinutes(1));
        facade.rotations().tick();
        assertEquals(clock.instant().plus(Duration.ofMinutes(2)), rot.status(admin(), "app/db").nextRetryAt(),
                "the backoff doubles");
        clock.advance(Duration.ofMinutes(2));
        facade.rotations().tick();
        List<RotationRecord> h = rot.history(admin(), "app/db", 10);
        assertEquals(3, h.size());
        assertEquals("needs-attention", h.get(0).state());
        st = rot.status(admin(), "app/db");
        assertTrue(st.needsAttention());
        assertNull(st.nextRetryAt(), "no more retries");
        clock.advance(Duration.ofHours(1));
        facade.rotations().tick();
        assertEquals(3, rot.history(admin(), "app/db", 10).size(), "stopped retrying");

        assertEquals(1, alerts.size());
        assertEquals("rotation.needs-attention", alerts.get(0).detector());
        assertEquals("secret/app/db", alerts.get(0).resource());
        List<AuditRecord> audit = TestVaults.auditEntries(vault.engine());
        assertTrue(audit.stream().anyMatch(a -> a.operation().equals("rotation.run.needs-attention")
                && "alert-1".equals(a.details().get("alert"))));
        assertEquals(3, audit.stream().filter(a -> a.operation().equals("rotation.run.rolled-back")).count());

        // every attempt had its own value
        String all = Files.readString(work.resolve("stdin-all"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"pending\":\\{\"password\":\"([^\"]+)\"")
                .matcher(all);
        HashSet<String> values = new HashSet<>();
        int n = 0;
        while (m.find()) {
            values.add(m.group(1));
            n++;
        }
        assertEquals(6, n, "three sets and three restores saw a pending value");
        assertEquals(3, values.size(), "three attempts, three fresh values");
        for (String v : values) {
            assertNoValueInAudit(v);
        }

        // an operator's run resets the attempts and succeeds once the target works again
        configure(hook("exit 0"), "10s");
        rot.rotateNow(admin(), "app/db", RotationTrigger.MANUAL, "target fixed");
        facade.rotations().tick();
        assertEquals("finished", rot.history(admin(), "app/db", 1).get(0).state());
        assertFalse(rot.status(admin(), "app/db").needsAttention());
    }

    @Test
    void aFailingTestRollsBackAndRestores() throws IOException {
        configure(hook("[ \"$1\" = test ] && exit 1\nexit 0"), "10s");
        rot.rotateNow(admin(), "app/db", RotationTrigger.MANUAL, "rotate");
        facade.rotations().tick();
        RotationRecord r = rot.history(admin(), "app/db", 1).get(0);
        assertEquals("test", r.failedStep());
        assertEquals(List.of("set", "test", "restore"), steps());
        assertEquals(CANARY, current());
        assertEquals(1, vault.engine().secrets().readMetadata(admin(), "app/db").currentVersion(),
                "the pending value never became a version");
    }

    @Test
    void aHookThatHangsIsStoppedAndTheStepFails() throws IOException {
        configure(hook("[ \"$1\" = set ] && sleep 60\nexit 0"), "1s");
        long t0 = System.nanoTime();
        rot.rotateNow(admin(), "app/db", RotationTrigger.MANUAL, "rotate");
        facade.rotations().tick();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 20_000, "stopped after its timeout, took " + ms + " ms");
        RotationRecord r = rot.history(admin(), "app/db", 1).get(0);
        assertEquals("rolled-back", r.state());
        assertTrue(r.error().contains("did not finish within 1s"), r.error());
        assertEquals(CANARY, current());
    }

    @Test
    void aHookThatPrintsGarbageFailsItsStep() throws IOException {
        configure(hook("[ \"$1\" = set ] && head -c 300 /dev/urandom\nexit 0"), "10s");
        rot.rotateNow(admin(), "app/db", RotationTrigger.MANUAL, "rotate");
        facade.rotations().tick();
        RotationRecord r = rot.history(admin(), "app/db", 1).get(0);
        assertEquals("rolled-back", r.state());
        assertTrue(r.error().contains("not a JSON object"), r.error());
        assertEquals(CANARY, current());
    }

    @Test
    void aHookThatPrintsAJsonObjectIsFine() throws IOException {
        configure(hook("echo '{\"ok\": true}'\nexit 0"), "10s");
        rot.rotateNow(admin(), "app/db", RotationTrigger.MANUAL, "rotate");
        facade.rotations().tick();
        assertEquals("finished", rot.history(admin(), "app/db", 1).get(0).state());
    }

    void assertNoValueInAudit(String value) {
        for (AuditRecord a : TestVaults.auditEntries(vault.engine())) {
            String all = a.toString() + a.details();
            assertFalse(all.contains(value), "a value in audit entry " + a.operation());
            assertFalse(all.contains(CANARY), "the canary in audit entry " + a.operation());
        }
        for (RotationRecord r : rot.history(admin(), "app/db", 50)) {
            assertFalse(r.toString().contains(value) || r.toString().contains(CANARY));
        }
        assertFalse(rot.status(admin(), "app/db").toString().contains(value));
        assertFalse(rot.readConfig(admin(), "app/db").toString().contains(value));
    }
}
