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
 *       the detectors reading the audit stream and without (the job stopped), alternating runs, and
 *       the share of the process's CPU time that the detectors' thread used in the runs with them
 *       (a ratio within one run, so other load on the machine does not move it the way it moves
 *       throughput).</li>
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
            AtomicLong logged = new AtomicLong(-1);
            e.tapAudit(entries -> logged.accumulateAndGet(entries.get(entries.size() - 1).sequence(), Math::max));
            System.out.println("== read path: " + threads + " pipelines reading one secret, " + seconds
                    + " s per run, " + ROUNDS + " rounds alternating without and with the detectors");
            run(e, callers, 3 * seconds, null); // warm up (JIT, caches)
            double off = 0;
            double on = 0;
            double share = 0;
            List<Double> ratios = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                // alternate which goes first, so that a trend (warm-up, other load) does not favour one
                double a;
                double[] b;
                if (round % 2 == 0) {
                    e.alertDesk().job().stop();
                    a = run(e, callers, seconds, null)[0];
                    b = withDetectors(e, callers, seconds, logged);
                } else {
                    b = withDetectors(e, callers, seconds, logged);
                    e.alertDesk().job().stop();
                    a = run(e, callers, seconds, null)[0];
                }
                off += a;
                on += b[0];
                share += b[1];
                ratios.add(b[0] / a);
                System.out.printf("  round %d: without %.0f reads/s, with %.0f reads/s; the detectors' thread used"
                        + " %.2f%% of the process's CPU%n", round + 1, a, b[0], 100 * b[1]);
            }
            e.alertDesk().job().start();
            java.util.Collections.sort(ratios);
            double median = (ratios.get((ROUNDS - 1) / 2) + ratios.get(ROUNDS / 2)) / 2;
            System.out.printf("audited reads/s without the detectors %.0f, with %.0f: throughput cost %.1f%% (median"
                    + " of the rounds' ratios: %.1f%%); CPU share of the detectors' thread %.2f%% (goal < 5%%);"
                    + " detector queue dropped %d entries%n", off / ROUNDS, on / ROUNDS, 100 * (off - on) / off,
                    100 * (1 - median), 100 * share / ROUNDS, e.alertDesk().job().dropped());
        }
    }

    static final int ROUNDS = 10;

    /**
     * Starts the detectors, lets them catch up with what the log got while they were stopped (that
     * catch-up is a restart's cost, not the read path's), then measures: reads/s and the share of the
     * process's CPU time the detectors' thread used meanwhile.
     */
    private static double[] withDetectors(Engine e, List<Caller> callers, int seconds, AtomicLong logged)
            throws InterruptedException {
        e.alertDesk().job().start();
        if (!e.alertDesk().job().awaitProcessed(logged.get(), Duration.ofMinutes(5))) {
            throw new IllegalStateException("the detectors did not catch up");
        }
        Thread detectors = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("keyward-anomaly")).findFirst().orElseThrow();
        return run(e, callers, seconds, detectors);
    }

    /** Reads/s and, when {@code watched} is given, its share of the process's CPU time during the run. */
    private static double[] run(Engine e, List<Caller> callers, int seconds, Thread watched)
            throws InterruptedException {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long th0 = watched == null ? 0 : mx.getThreadCpuTime(watched.getId());
        double rate = reads(e, callers, seconds);
        long th1 = watched == null ? 0 : mx.getThreadCpuTime(watched.getId());
        long cpu1 = os.getProcessCpuTime();
        return new double[] {rate, watched == null ? 0 : (th1 - th0) / (double) Math.max(1, cpu1 - cpu0)};
    }

    private static double reads(Engine e, List<Caller> callers, int seconds) throws InterruptedException {
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
