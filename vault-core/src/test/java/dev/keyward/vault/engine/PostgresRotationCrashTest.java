package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.RotationService.RotationConfig;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.testing.TestPostgres;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM rotates real PostgreSQL roles (one in single mode, two in alternating mode) and is
 * killed with SIGKILL at every step boundary (frozen right after the audited record of each step,
 * before the step runs) and at random moments. After every restart the rotation resumes or rolls
 * back, and each secret's current value logs in to PostgreSQL.
 *
 * <p>24 kills by default (about a minute); {@code -Dkeyward.pgcrash.random=N} adds random kills.
 */
class PostgresRotationCrashTest {
    /** Every durable record a rotation makes, in order: a kill right after each is a step boundary. */
    static final List<String> BOUNDARIES = List.of("rotation.run.start", "rotation.step.pending",
            "rotation.step.set", "rotation.step.test", "rotation.step.finish", "secret.write",
            "rotation.run.finish", "secret.destroy", "rotation.grace.revoke");
    static final int RANDOM_KILLS = Integer.getInteger("keyward.pgcrash.random", 6);

    @TempDir
    Path home;
    @TempDir
    Path logs;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void everyKillResumesOrRollsBackAndCurrentAlwaysLogsIn() throws Exception {
        List<String> passwords = new ArrayList<>();
        try (TestPostgres pg = TestPostgres.connect()) {
            setUp(pg, passwords);
            List<String[]> rounds = new ArrayList<>();
            for (String path : PostgresRotationChild.PATHS) {
                for (String op : BOUNDARIES) {
                    rounds.add(new String[] {path, op});
                }
            }
            for (int i = 0; i < RANDOM_KILLS; i++) {
                rounds.add(new String[] {PostgresRotationChild.PATHS.get(i % 2), "-"});
            }
            Map<String, Integer> frozen = new HashMap<>();
            int kills = 0;
            int randomMidRun = 0;
            for (int round = 0; round < rounds.size(); round++) {
                String path = rounds.get(round)[0];
                String op = rounds.get(round)[1];
                Result r = runChild(round, path, op);
                assertEquals(137, r.exit, "round " + round + ": killed by SIGKILL");
                kills++;
                if (r.frozen) {
                    frozen.merge(path + " " + op, 1, Integer::sum);
                }
                if (op.equals("-") && !r.done) {
                    randomMidRun++;
                }
                System.err.printf("pg crash round %d: %s %s frozen=%s done=%s%n", round, path, op, r.frozen, r.done);
            }
            // After the last kill: a child that only recovers and reports.
            runChild(rounds.size(), "-", "-");
            for (String path : PostgresRotationChild.PATHS) {
                for (String op : BOUNDARIES) {
                    assertTrue(frozen.containsKey(path + " " + op), "killed at " + op + " of " + path);
                }
            }
            assertTrue(kills >= 20, "at least 20 kills: " + kills);
            System.err.printf("pg crash: %d kills, %d of %d random kills during a run%n", kills, randomMidRun,
                    RANDOM_KILLS);
        }
    }

    private void setUp(TestPostgres pg, List<String> passwords) {
        String single = pg.createRole("crash_s", "initial-s", null);
        String a = pg.createRole("crash_a", "initial-a", null);
        String b = pg.createRole("crash_b", "initial-b", null);
        String rotPass = "rotator-" + TestPostgres.uniqueName("p");
        String rotator = pg.createRotationRole(rotPass, single, a, b);
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            Caller c = v.caller();
            v.engine().secrets().write(c, "db/rotator", SecretData.of(Map.of("username", rotator, "password",
                    rotPass)), null);
            v.engine().secrets().write(c, "db/single", SecretData.of(Map.of("username", single, "password",
                    "initial-s")), null);
            v.engine().secrets().write(c, "db/alt", SecretData.of(Map.of("username", a, "password", "initial-a")),
                    null);
            v.engine().rotation().configure(c, "db/single", config(pg.params(Map.of("username", single,
                    "rotation_credential", "db/rotator"))));
            v.engine().rotation().configure(c, "db/alt", config(pg.params(Map.of("mode", "alternating",
                    "username", a, "alternate_username", b, "rotation_credential", "db/rotator"))));
        }
    }

    /** Rotations by trigger only, no grace period (the previous value is revoked and destroyed at once). */
    private static RotationConfig config(Map<String, String> params) {
        return new RotationConfig("postgres", params, null, Duration.ZERO, Duration.ZERO, true, 5,
                Duration.ofMinutes(10), null, null, null);
    }

    record Result(int exit, boolean frozen, boolean done) {
    }

    private Result runChild(int round, String path, String op) throws Exception {
        Path err = logs.resolve("child-" + round + ".err");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), PostgresRotationChild.class.getName(), home.toString(), path, op)
                .redirectError(err.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        boolean frozen = false;
        boolean done = false;
        boolean recovered = false;
        String line;
        Thread killer = null;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("LOGIN ")) {
                String[] f = line.split(" ");
                assertEquals("ok", f[2], "round " + round + ", after the restart the current value logs in: " + line);
                // the interrupted run was finished or rolled back (never left half-applied)
                assertTrue(f[3].equals("last=finished") || f[3].equals("last=rolled-back") || f[3].equals("last=null"),
                        "round " + round + ": " + line);
            } else if (line.equals("RECOVERED")) {
                recovered = true;
            } else if (line.startsWith("ROTATING") && op.equals("-")) {
                long delay = ThreadLocalRandom.current().nextLong(0, 400);
                killer = new Thread(() -> {
                    try {
                        TimeUnit.MILLISECONDS.sleep(delay);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    child.toHandle().destroyForcibly();
                });
                killer.start();
            } else if (line.startsWith("FROZEN ")) {
                frozen = true;
                child.toHandle().destroyForcibly();
            } else if (line.startsWith("DONE ")) {
                done = true;
                child.toHandle().destroyForcibly();
            }
        }
        if (killer != null) {
            killer.join();
        }
        if (!child.waitFor(30, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new AssertionError("round " + round + ": the child did not end");
        }
        assertTrue(recovered, "round " + round + ": the child recovered and reported: " + Files.readString(err));
        return new Result(child.exitValue(), frozen, done);
    }
}
