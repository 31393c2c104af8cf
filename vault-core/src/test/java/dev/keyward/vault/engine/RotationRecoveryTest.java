package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.RotationService.RotationConfig;
import dev.keyward.vault.api.RotationService.RotationRecord;
import dev.keyward.vault.api.RotationService.RotationStatus;
import dev.keyward.vault.api.RotationTrigger;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.rotation.RotationStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A rotation stopped at every recorded step (a crash, before or after the step's effect on the
 * target) and the engine reopened over the same directory: pending, set and test roll back (the
 * target gets the current value again) and the retry finishes with a fresh value; finish resumes.
 */
class RotationRecoveryTest {
    static final Instant START = Instant.parse("2026-10-01T08:00:00Z");
    static final String CANARY = "canary-current-5d21c0";

    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(START);
    Engine engine;

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
    }

    Caller admin() {
        return TestVaults.login(engine).caller();
    }

    RotationFacade facade() {
        return (RotationFacade) engine.rotation();
    }

    String current() {
        return engine.secrets().read(admin(), "app/db", 0).data().field("password");
    }

    FakeTargetRotator startAndHalt(String halt, boolean after) {
        engine = TestVaults.initialised(TestVaults.config(dir, clock)).engine();
        facade().job().stop();
        FakeTargetRotator target = new FakeTargetRotator(CANARY);
        facade().rotations().registry().register(target);
        engine.secrets().write(admin(), "app/db", SecretData.of(Map.of("password", CANARY)), null);
        engine.rotation().configure(admin(), "app/db", new RotationConfig("fake", Map.of(), null, null, null, true,
                5, Duration.ofMinutes(1), null, null, null));
        engine.rotation().rotateNow(admin(), "app/db", RotationTrigger.MANUAL, "test");
        if (after) {
            target.haltAfter = halt;
        } else {
            target.haltBefore = halt;
        }
        assertThrows(FakeTargetRotator.Halt.class, () -> facade().rotations().tick());
        return target;
    }

    /** The vault process is gone; a new one opens the directory. The target keeps what it accepted. */
    FakeTargetRotator restart(FakeTargetRotator before) {
        engine.close();
        engine = Engine.open(TestVaults.config(dir, clock));
        FakeTargetRotator target = new FakeTargetRotator(before.accepted);
        facade().rotations().registry().register(target);
        TestVaults.unseal(engine);
        facade().job().stop();
        return target;
    }

    @ParameterizedTest(name = "halted {1} the {0} step")
    @CsvSource({"pending,before", "pending,after", "set,before", "set,after", "test,before", "test,after"})
    void anInterruptedRunRollsBackOnRestartAndTheRetryFinishesWithAFreshValue(String step, String when) {
        FakeTargetRotator first = startAndHalt(step, when.equals("after"));
        String stopped = engine.rotation().history(admin(), "app/db", 1).get(0).state();
        assertEquals(step.equals("pending") && when.equals("after") ? "pending" : step, stopped);

        FakeTargetRotator target = restart(first);
        facade().rotations().tick();
        RotationRecord r = engine.rotation().history(admin(), "app/db", 1).get(0);
        assertEquals("rolled-back", r.state());
        assertEquals(stopped, r.failedStep());
        assertEquals(CANARY, current(), "current unchanged");
        assertEquals(CANARY, target.accepted, "the target accepts the current value again");
        if (!step.equals("pending")) {
            assertTrue(target.calls.contains("restore"), "the target was restored");
        }
        RotationStatus st = engine.rotation().status(admin(), "app/db");
        assertEquals(START.plus(Duration.ofMinutes(1)), st.nextRetryAt());
        assertNull(st.running());

        clock.advance(Duration.ofMinutes(1));
        facade().rotations().tick();
        RotationRecord retry = engine.rotation().history(admin(), "app/db", 1).get(0);
        assertEquals("finished", retry.state());
        assertEquals(2, retry.attempt());
        assertNotEquals(CANARY, current());
        assertEquals(current(), target.accepted);
        for (String failed : first.generated) {
            assertNotEquals(failed, current(), "a fresh value, never one that failed");
        }
    }

    @Test
    void aRunInterruptedAfterItsFinishStepWasRecordedFinishesOnRestart() {
        FakeTargetRotator first = startAndHalt("test", true);
        String pending = first.accepted;
        // the crash came right after the finish step was recorded: move the record there
        String runId = engine.rotation().history(admin(), "app/db", 1).get(0).id();
        Unsealed k = engine.unsealedKeys();
        RotationStore store = RotationFacade.store(k);
        engine.storage().write(tx -> {
            RotationStore.RunRec r = store.run(tx, "app/db", runId);
            r.state = "finish";
            store.save(tx, r);
            return null;
        });
        FakeTargetRotator target = restart(first);
        facade().rotations().tick();
        RotationRecord r = engine.rotation().history(admin(), "app/db", 1).get(0);
        assertEquals("finished", r.state());
        assertEquals(pending, current(), "the tested pending value became current");
        assertEquals(pending, target.accepted);
        assertEquals(2, r.version());
        assertEquals(List.of(), target.calls, "nothing was redone on the target");
        assertNotNull(engine.rotation().status(admin(), "app/db").graceUntil());
    }
}
