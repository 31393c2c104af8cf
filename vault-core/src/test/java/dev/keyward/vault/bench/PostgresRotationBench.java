package dev.keyward.vault.bench;

import dev.keyward.vault.rotation.RotationContext;
import dev.keyward.vault.rotation.postgres.PostgresRotator;
import dev.keyward.vault.testing.TestPostgres;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Time of PostgreSQL rotations against the real server of the tests (TestPostgres): the
 * rotator's steps alone (generate, set, test), in single and alternating mode. Not a test: run
 * bench/rotation-postgres.sh [rotations].
 */
public final class PostgresRotationBench {
    private PostgresRotationBench() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        System.out.printf("PostgreSQL rotation benchmark (%d rotations per run, %d cores)%n", n,
                Runtime.getRuntime().availableProcessors());
        try (TestPostgres pg = TestPostgres.connect()) {
            rotatorSteps(pg, n, "single");
            rotatorSteps(pg, n, "alternating");
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
        System.out.printf("  %-52s median %6.1f ms  p95 %6.1f ms  min %6.1f ms  max %6.1f ms%n", what,
                s[s.length / 2] / 1e6, s[(int) Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)] / 1e6,
                s[0] / 1e6, s[s.length - 1] / 1e6);
    }
}
