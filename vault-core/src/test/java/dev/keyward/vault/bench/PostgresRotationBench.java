package dev.keyward.vault.bench;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.RotationService;
import dev.keyward.vault.api.RotationService.RotationConfig;
import dev.keyward.vault.api.RotationTrigger;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.engine.TestVaults;
import dev.keyward.vault.rotation.RotationContext;
import dev.keyward.vault.rotation.postgres.PostgresRotator;
import dev.keyward.vault.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashMap;
import java.util.Map;

/**
 * Time of PostgreSQL rotations against the real server of the tests (TestPostgres): one rotation
 * end to end through a real vault (rotateNow until the run has finished: queued, pending, set,
 * test, finish, each step recorded and audited durably, the new version written; no grace period),
 * and the rotator's steps alone (generate, set, test), in single and alternating mode. Not a test:
 * run bench/rotation-postgres.sh [rotations].
 */
public final class PostgresRotationBench {
    private PostgresRotationBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        System.out.printf("PostgreSQL rotation benchmark (%d rotations per run, %d cores)%n", n,
                Runtime.getRuntime().availableProcessors());
        try (TestPostgres pg = TestPostgres.connect()) {
            endToEnd(pg, n, "single");
            endToEnd(pg, n, "alternating");
            rotatorSteps(pg, n, "single");
            rotatorSteps(pg, n, "alternating");
        }
    }

    static void endToEnd(TestPostgres pg, int n, String mode) throws Exception {
        String a = pg.createRole("bench_a", "initial-a", null);
        String b = pg.createRole("bench_b", "initial-b", null);
        String rotPass = "bench-rotator";
        String rot = pg.createRotationRole(rotPass, a, b);
        Path dir = Files.createTempDirectory("keyward-pg-bench");
        try (TestVaults.Opened v = TestVaults.initialised(dir)) {
            Caller c = v.caller();
            RotationService rs = v.engine().rotation();
            v.engine().secrets().write(c, "db/rotator", SecretData.of(Map.of("username", rot, "password", rotPass)),
                    null);
            v.engine().secrets().write(c, "db/app", SecretData.of(Map.of("username", a, "password", "initial-a")),
                    null);
            Map<String, String> params = new HashMap<>(pg.params(Map.of("mode", mode, "username", a,
                    "rotation_credential", "db/rotator")));
            if (mode.equals("alternating")) {
                params.put("alternate_username", b);
            }
            // No grace period and nothing destroyed: the run ends when the new version is current.
            rs.configure(c, "db/app", new RotationConfig("postgres", params, null, Duration.ZERO, Duration.ZERO,
                    false, 5, Duration.ofMinutes(1), null, null, null));
            // The run's end is seen on the audit stream (polling the status would add audited reads).
            BlockingQueue<String> ends = new LinkedBlockingQueue<>();
            v.engine().tapAudit(entries -> entries.forEach(e -> {
                String op = e.event().operation();
                if (op.equals("rotation.run.finish") || op.equals("rotation.run.rolled-back")) {
                    ends.add(op);
                }
            }));
            long[] ms = new long[n];
            for (int i = -5; i < n; i++) {
                long t0 = System.nanoTime();
                rs.rotateNow(c, "db/app", RotationTrigger.MANUAL, "benchmark");
                String end = ends.poll(60, TimeUnit.SECONDS);
                long t = System.nanoTime() - t0;
                if (!"rotation.run.finish".equals(end)) {
                    throw new IllegalStateException("a benchmark rotation ended with " + end);
                }
                while (rs.status(c, "db/app").running() != null) {
                    Thread.sleep(1);
                }
                if (i >= 0) {
                    ms[i] = t;
                }
            }
            Map<String, String> cur = v.engine().secrets().read(c, "db/app", 0).data().fields();
            if (!pg.canLogin(cur.get("username"), cur.get("password"))) {
                throw new IllegalStateException("the rotated password does not log in");
            }
            report("end to end through the vault, " + mode, ms);
            // Where the time goes: each step's duration as the run records it.
            Map<String, List<Long>> steps = new java.util.TreeMap<>();
            for (var run : rs.history(c, "db/app", n)) {
                run.stepMillis().forEach((k, val) -> steps.computeIfAbsent(k, x -> new ArrayList<>()).add(val));
            }
            StringBuilder line = new StringBuilder("    steps (median ms):");
            steps.forEach((k, l) -> {
                l.sort(null);
                line.append(' ').append(k).append(' ').append(l.get(l.size() / 2));
            });
            System.out.println(line);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static void rotatorSteps(TestPostgres pg, int n, String mode) {
        PostgresRotator rotator = new PostgresRotator();
        String a = pg.createRole("bench_a", "initial-a", null);
        String b = pg.createRole("bench_b", "initial-b", null);
        String rotPass = "bench-rotator";
        String rot = pg.createRotationRole(rotPass, a, b);
        Map<String, Map<String, String>> vault = Map.of("db/rotator", Map.of("username", rot, "password", rotPass));
        Map<String, String> params = new HashMap<>(pg.params(Map.of("mode", mode, "username", a,
                "rotation_credential", "db/rotator")));
        if (mode.equals("alternating")) {
            params.put("alternate_username", b);
        }
        Map<String, String> current = Map.of("username", a, "password", "initial-a");
        long[] ms = new long[n];
        for (int i = -5; i < n; i++) { // five warm-up rotations
            RotationContext ctx = new RotationContext("bench/db", params, current, vault::get, Clock.systemUTC(),
                    Duration.ofSeconds(10));
            long t0 = System.nanoTime();
            Map<String, String> pending = rotator.generate(ctx);
            rotator.set(ctx, pending);
            rotator.test(ctx, pending);
            long t = System.nanoTime() - t0;
            if (i >= 0) {
                ms[i] = t;
            }
            current = pending;
        }
        report("rotator steps, " + mode + " (generate, set, test)", ms);
    }

    static void report(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf("  %-46s median %6.1f ms  p95 %6.1f ms  min %6.1f ms  max %6.1f ms%n", what,
                s[s.length / 2] / 1e6, s[(int) Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)] / 1e6,
                s[0] / 1e6, s[s.length - 1] / 1e6);
    }
}
