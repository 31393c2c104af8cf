package dev.keyward.vault.bench;

import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.TreeHead;
import dev.keyward.vault.audit.AuditEntries;
import dev.keyward.vault.audit.AuditEvent;
import dev.keyward.vault.audit.BundleVerifier;
import dev.keyward.vault.audit.BundleWriter;
import dev.keyward.vault.audit.Merkle;
import dev.keyward.vault.audit.TreeHeads;
import dev.keyward.vault.crypto.Signer;
import dev.keyward.vault.engine.TestVaults;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.ZipFile;

/**
 * Audit benchmarks (not a test; run bench/audit.sh):
 * 1. offline verification of an N-entry bundle (default 1M) against raw SHA-256 over the same
 *    entry bytes on this machine;
 * 2. audited operations per second through a real vault with 1 and 16 concurrent callers.
 */
public final class AuditBench {
    private AuditBench() {
    }

    public static void main(String[] args) throws Exception {
        int entries = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory("keyward-audit-bench");
        try {
            verification(dir, entries);
            throughput(dir.resolve("vault"), seconds);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static void verification(Path dir, int n) throws Exception {
        Path bundle = dir.resolve("bench-bundle.zip");
        long t0 = System.nanoTime();
        TreeHead last = writeBundle(bundle, n);
        System.out.printf("generated a bundle of %,d entries (%,d MB) in %.1f s%n", n, Files.size(bundle) >> 20,
                (System.nanoTime() - t0) / 1e9);
        double bestVerify = Double.MAX_VALUE;
        double bestRaw = Double.MAX_VALUE;
        AuditVerification result = null;
        long bytes = 0;
        for (int run = 0; run < 4; run++) {
            long s = System.nanoTime();
            result = BundleVerifier.verify(bundle, last.fingerprint(), AuditProgress.NONE);
            double v = (System.nanoTime() - s) / 1e9;
            s = System.nanoTime();
            bytes = rawSha256(bundle);
            double r = (System.nanoTime() - s) / 1e9;
            if (run > 0) {
                bestVerify = Math.min(bestVerify, v);
                bestRaw = Math.min(bestRaw, r);
            }
        }
        if (!result.ok()) {
            throw new IllegalStateException("the benchmark bundle did not verify: " + result.problems());
        }
        double mb = bytes / 1e6;
        System.out.printf("verify bundle:  %,d entries in %.2f s = %,.0f entries/s, %,.0f MB/s (entries.jsonl %.0f MB, %d heads)%n",
                n, bestVerify, n / bestVerify, mb / bestVerify, mb, result.headsVerified());
        System.out.printf("raw SHA-256:    same %.0f MB in %.2f s = %,.0f MB/s%n", mb, bestRaw, mb / bestRaw);
        System.out.printf("ratio verify/raw: %.2f (goal >= 0.50)%n", bestRaw / bestVerify);
    }

    /** SHA-256 over the bytes of entries.jsonl, read from the same bundle. Returns the byte count. */
    static long rawSha256(Path bundle) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        long total = 0;
        try (ZipFile z = new ZipFile(bundle.toFile()); InputStream in = z.getInputStream(z.getEntry("entries.jsonl"))) {
            byte[] buf = new byte[1 << 20];
            int r;
            while ((r = in.read(buf)) > 0) {
                md.update(buf, 0, r);
                total += r;
            }
        }
        md.digest();
        return total;
    }

    public static TreeHead writeBundle(Path bundle, int n) throws Exception {
        KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Signer signer = new Signer() {
            public String keyId() {
                return TreeHeads.keyId(kp.getPublic().getEncoded());
            }

            public String algorithm() {
                return "Ed25519";
            }

            public byte[] publicKey() {
                return kp.getPublic().getEncoded();
            }

            public byte[] sign(byte[] m) {
                try {
                    Signature s = Signature.getInstance("Ed25519");
                    s.initSign(kp.getPrivate());
                    s.update(m);
                    return s.sign();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        Merkle.Frontier f = new Merkle.Frontier();
        ByteArrayOutputStream leaves = new ByteArrayOutputStream(n * 32);
        List<TreeHead> heads = new ArrayList<>();
        Instant t = Instant.parse("2026-11-23T00:00:00Z");
        String[] ops = {"secret.read", "secret.write", "secret.list", "operator.login"};
        try (BundleWriter w = BundleWriter.create(bundle)) {
            w.writeEntries(n, sink -> {
                for (int i = 0; i < n; i++) {
                    Instant at = t.plusMillis(i * 7L);
                    AuditEvent e = new AuditEvent(at, UUID.randomUUID().toString(), "id-" + (i % 50),
                            "pipeline-" + (i % 50), "TOKEN", "10.0." + (i % 7) + "." + (i % 250), ops[i % 4],
                            "secret/team-" + (i % 13) + "/service-" + (i % 97) + "/db", i % 17 == 0
                            ? AuditEvent.Decision.DENY : AuditEvent.Decision.ALLOW, "policy:ci-readers/v3/rule-2",
                            i % 5 == 0 ? "deploy #" + i : null, null, i % 17 == 0 ? AuditEvent.Outcome.FAILURE
                            : AuditEvent.Outcome.SUCCESS, i % 17 == 0 ? "AccessDeniedException" : null,
                            "q1mU9c2o9yJ9oC3c7xQnJmS9wGJgC2x2f0kq3s7a5lE");
                    byte[] entry = AuditEntries.canonical(i, e);
                    byte[] leaf = Merkle.leafHash(entry);
                    leaves.writeBytes(leaf);
                    f.append(leaf, null);
                    if (f.size() % 1000 == 0 || f.size() == n) {
                        heads.add(TreeHeads.sign(f.size(), f.root(), at, signer));
                    }
                    sink.accept(entry);
                }
            });
            w.writeLeaves(leaves.toByteArray());
            TreeHead last = heads.get(heads.size() - 1);
            w.finish(heads, List.of(TreeHeads.keyOf(signer)), last);
            return last;
        }
    }

    static void throughput(Path home, int seconds) throws Exception {
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            Caller c = v.caller();
            for (int i = 0; i < 64; i++) {
                v.engine().secrets().write(c, "bench/s" + i, SecretData.of(Map.of("k", "v" + i)), null);
            }
            double w1 = run(v, c, 1, seconds, true);
            double w16 = run(v, c, 16, seconds, true);
            double r1 = run(v, c, 1, seconds, false);
            double r16 = run(v, c, 16, seconds, false);
            System.out.printf("audited writes/s: 1 caller %,.0f, 16 callers %,.0f (x%.1f)%n", w1, w16, w16 / w1);
            System.out.printf("audited reads/s:  1 caller %,.0f, 16 callers %,.0f (x%.1f)%n", r1, r16, r16 / r1);
            AuditVerification check = v.engine().audit().verify(c, null, AuditProgress.NONE);
            System.out.printf("live verification after the run: %s, %,d entries%n", check.ok() ? "ok" : "FAILED",
                    check.entries());
        }
    }

    static double run(TestVaults.Opened v, Caller c, int threads, int seconds, boolean write) throws Exception {
        LongAdder ops = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                int i = 0;
                while (!stop.get()) {
                    String path = "bench/s" + ((id * 7 + i++) % 64);
                    if (write) {
                        v.engine().secrets().write(c, path, SecretData.of(Map.of("k", "x" + i)), null);
                    } else {
                        v.engine().secrets().read(c, path, 0);
                    }
                    ops.increment();
                }
                done.countDown();
            });
            th.start();
        }
        long start = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        done.await();
        return ops.sum() / ((System.nanoTime() - start) / 1e9);
    }
}
