package dev.keyward.vault.bench;

import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InitRequest;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultOptions;
import dev.keyward.vault.Keyward;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Durable writes/s and audited reads/s through the whole engine (guarded door, barrier, audit,
 * group commit) next to raw H2 doing the same number of durable single-row commits and primary
 * key selects on the same machine, reported as ratios. Not a test: run bench/engine.sh.
 */
public final class EngineBenchmark {
    private static final Duration RUN = Duration.ofSeconds(Integer.getInteger("bench.seconds", 8));
    private static final byte[] VALUE = new byte[128];

    private EngineBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("keyward-bench");
        System.out.printf("Keyward engine benchmark (%d s per run, %d cores)%n", RUN.toSeconds(),
                Runtime.getRuntime().availableProcessors());
        double rawWrite1 = rawH2(dir.resolve("raw1"), 1, true);
        double rawWrite16 = rawH2(dir.resolve("raw16"), 16, true);
        double rawRead16 = rawH2(dir.resolve("rawr"), 16, false);
        try (Vault v = Keyward.open(VaultOptions.at(dir.resolve("vault")).withAutoSealAfter(Duration.ZERO))) {
            try (InitRequest req = new InitRequest(new PassphraseSealSpec("benchmark passphrase".toCharArray(),
                    Argon2Parameters.insecureForTests()), "admin", "benchmark admin".toCharArray(),
                    Argon2Parameters.insecureForTests())) {
                v.lifecycle().init(req);
            }
            v.lifecycle().unseal(UnsealCredential.passphrase("benchmark passphrase".toCharArray()), "bench");
            Caller c = v.auth().login("admin", "benchmark admin".toCharArray(), "bench").caller();
            SecretData data = SecretData.of(Map.of("password", "x".repeat(64), "user", "svc"));
            double w1 = run(1, i -> v.secrets().write(c, "bench/w1/k" + i, data, null));
            double w16 = run(16, i -> v.secrets().write(c, "bench/w16/k" + i, data, null));
            for (int i = 0; i < 1000; i++) {
                v.secrets().write(c, "bench/r/k" + i, data, null);
            }
            double r1 = run(1, i -> v.secrets().read(c, "bench/r/k" + (i % 1000), 0));
            double r16 = run(16, i -> v.secrets().read(c, "bench/r/k" + (i % 1000), 0));
            System.out.println();
            System.out.printf("%-44s %12s %12s %8s%n", "", "engine op/s", "raw H2 op/s", "ratio");
            row("durable write, 1 caller  (vs raw commit+sync)", w1, rawWrite1);
            row("durable write, 16 callers (vs raw, 16 thr)", w16, rawWrite16);
            row("audited read, 1 caller  (vs raw commit+sync)", r1, rawWrite1);
            row("audited read, 16 callers (vs raw, 16 thr)", r16, rawWrite16);
            row("audited read, 16 callers (vs raw PK select)", r16, rawRead16);
            System.out.println();
            System.out.println("Every engine call is authenticated, authorized, AES-GCM sealed or opened, and");
            System.out.println("audited; its audit entry (and for writes the change) is written to the journal, forced to");
            System.out.println("disk and committed before it returns (group commit: callers share one sync).");
            System.out.println("Raw H2 does one single-row insert + commit + CHECKPOINT SYNC per op (durable)");
            System.out.println("or a primary-key select (reads), without crypto, audit or group commit.");
        }
    }

    private static void row(String name, double engine, double raw) {
        System.out.printf("%-44s %12.0f %12.0f %8.2f%n", name, engine, raw, engine / raw);
    }

    interface Op {
        void run(long i) throws Exception;
    }

    private static double run(int threads, Op op) throws InterruptedException {
        // Warm up briefly, then measure.
        measure(threads, op, Duration.ofSeconds(2));
        return measure(threads, op, RUN);
    }

    /**
     * Op numbers, unique across all threads and runs of this JVM: writes insert new keys and never
     * collide (random numbers did, and the colliding thread died of a duplicate key, leaving the
     * reference short-handed); reads take them modulo the rows there are.
     */
    private static final AtomicLong NEXT = new AtomicLong();

    private static double measure(int threads, Op op, Duration d) throws InterruptedException {
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(threads);
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            new Thread(() -> {
                try {
                    while (!stop.get()) {
                        op.run(NEXT.getAndIncrement());
                        done.increment();
                    }
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                    stop.set(true);
                } finally {
                    finished.countDown();
                }
            }).start();
        }
        Thread.sleep(d.toMillis());
        stop.set(true);
        finished.await();
        if (failure.get() != null) {
            // a run with a thread short is not a measurement: say so instead of printing a number
            throw new IllegalStateException("a benchmark thread failed, the run is void", failure.get());
        }
        return done.sum() / ((System.nanoTime() - start) / 1e9);
    }

    /** Raw H2: durable single-row inserts (commit + CHECKPOINT SYNC each), or PK selects. */
    private static double rawH2(Path dir, int threads, boolean write) throws Exception {
        Files.createDirectories(dir);
        String url = "jdbc:h2:file:" + dir.resolve("raw") + ";WRITE_DELAY=0";
        try (Connection setup = DriverManager.getConnection(url, "sa", "")) {
            try (Statement s = setup.createStatement()) {
                s.execute("CREATE TABLE records (k VARCHAR(1024) PRIMARY KEY, v VARBINARY NOT NULL)");
            }
            if (!write) {
                try (PreparedStatement ps = setup.prepareStatement("INSERT INTO records VALUES (?, ?)")) {
                    for (int i = 0; i < 1000; i++) {
                        ps.setString(1, "k" + i);
                        ps.setBytes(2, VALUE);
                        ps.executeUpdate();
                    }
                }
            }
            ThreadLocal<Connection> conns = ThreadLocal.withInitial(() -> {
                try {
                    Connection c = DriverManager.getConnection(url, "sa", "");
                    c.setAutoCommit(!write);
                    return c;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            return run(threads, i -> {
                Connection c = conns.get();
                if (write) {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO records VALUES (?, ?)")) {
                        ps.setString(1, "k" + i);
                        ps.setBytes(2, VALUE);
                        ps.executeUpdate();
                    }
                    c.commit();
                    try (Statement s = c.createStatement()) {
                        s.execute("CHECKPOINT SYNC");
                    }
                } else {
                    try (PreparedStatement ps = c.prepareStatement("SELECT v FROM records WHERE k = ?")) {
                        ps.setString(1, "k" + (i % 1000));
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                        }
                    }
                }
            });
        }
    }
}
