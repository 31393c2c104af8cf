package dev.keyward.vault.engine;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.IdentityService.AppRoleSpec;
import dev.keyward.vault.api.IdentityService.SecretIdSpec;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.SecretData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The anomaly benchmark (bench/anomaly.sh; not a test):
 * <ol>
 *   <li>detection quality: weeks of synthetic traffic with labelled anomalies replayed through a real
 *       engine; precision, recall and false positives per detector;</li>
 *   <li>the detectors' cost on the read path: audited reads per second by concurrent pipelines with
 *       the detectors reading the audit stream and without (the job stopped), alternating runs.</li>
 * </ol>
 * Arguments: weeks (default 4; 0 = skip the replay), seconds per throughput run (default 5), threads (default 8).
 */
public final class AnomalyBench {
    private AnomalyBench() {
    }

    public static void main(String[] args) throws Exception {
        int weeks = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Path dir = Files.createTempDirectory("keyward-anomaly-bench");
        if (weeks > 0) {
            quality(weeks, dir.resolve("quality"));
        }
        readPath(seconds, threads, dir.resolve("reads"));
        System.exit(0);
    }

    static void quality(int weeks, Path home) throws Exception {
        TrafficGenerator g = new TrafficGenerator(weeks, 20261102L);
        TrafficGenerator.Result r = g.run(home);
        System.out.println("== detection quality: " + g);
        System.out.printf("normal requests %d, anomalous requests %d, audit entries %d, replay %.1f s (%.0f requests/s)%n",
                r.normalRequests(), r.anomalousRequests(), r.auditEntries(), r.seconds(),
                (r.normalRequests() + r.anomalousRequests()) / r.seconds());
        System.out.print(r.table());
        System.out.printf("precision %.3f  recall %.3f  false positives %d (%.2f per 10,000 normal requests)%n",
                r.precision(), r.recall(), r.falsePositives().size(), r.falsePositivesPer10k());
        r.falsePositives().forEach(a -> System.out.println("  false positive: " + a.detector() + " " + a.identity()
                + " " + a.details().get("observed_at") + " " + a.summary()));
        r.missed().forEach(l -> System.out.println("  missed: " + l));
    }

    static void readPath(int seconds, int threads, Path home) throws Exception {
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            Engine e = v.engine();
            Caller admin = v.caller();
            e.policies().put(admin, new Policy("bench", "", List.of(PolicyRule.grant("secret/bench/*",
                    EnumSet.of(Capability.READ), null, "bench", "bench", Instant.now().plus(Duration.ofDays(1))))), "b");
            e.identities().putAppRole(admin, AppRoleSpec.of("bench", List.of("bench")));
            String role = e.identities().roleId(admin, "bench");
            String sid = e.identities().issueSecretId(admin, "bench", SecretIdSpec.defaults()).secretId();
            e.secrets().write(admin, "bench/db", SecretData.of(Map.of("password", "bench-value")), null);
            List<Caller> callers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                callers.add(e.loginAppRole(role, sid, "10.3.0." + (t + 1)).caller().withSource("10.3.0." + (t + 1)));
            }
            System.out.println("== read path: " + threads + " pipelines reading one secret, " + seconds
                    + " s per run, alternating without and with the detectors");
            run(e, callers, 3 * seconds, false); // warm up (JIT, caches)
            double off = 0;
            double on = 0;
            for (int round = 0; round < 4; round++) {
                // alternate which goes first, so that a trend (warm-up, other load) does not favour one
                double a;
                double b;
                if (round % 2 == 0) {
                    e.alertDesk().job().stop();
                    a = run(e, callers, seconds, true);
                    e.alertDesk().job().start();
                    b = run(e, callers, seconds, true);
                } else {
                    b = run(e, callers, seconds, true);
                    e.alertDesk().job().stop();
                    a = run(e, callers, seconds, true);
                    e.alertDesk().job().start();
                }
                off += a;
                on += b;
                System.out.printf("  round %d: without %.0f reads/s, with %.0f reads/s%n", round + 1, a, b);
            }
            System.out.printf("audited reads/s without the detectors %.0f, with %.0f: cost %.1f%% (goal < 5%%); "
                    + "detector queue dropped %d entries%n", off / 4, on / 4, 100 * (off - on) / off,
                    e.alertDesk().job().dropped());
        }
    }

    private static double run(Engine e, List<Caller> callers, int seconds, boolean print) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        List<Thread> ts = new ArrayList<>();
        for (Caller c : callers) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    e.secrets().read(c, "bench/db", 0);
                    reads.incrementAndGet();
                }
            });
            ts.add(t);
            t.start();
        }
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : ts) {
            t.join();
        }
        return reads.get() / ((System.nanoTime() - start) / 1e9);
    }
}
