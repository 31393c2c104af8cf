package dev.keyward.vault.bench;

import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.BackupInfo;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.engine.BulkLoader;
import dev.keyward.vault.engine.Engine;
import dev.keyward.vault.engine.EngineConfig;
import dev.keyward.vault.engine.TestVaults;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Backup and restore times of a vault with many secrets and a long audit log (not a test):
 * bench/backup.sh [secrets=100000] [audit entries=1000000].
 */
public final class BackupBench {
    private BackupBench() {
    }

    public static void main(String[] args) throws IOException {
        int secrets = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        long audit = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
        Path dir = Files.createTempDirectory("keyward-backup-bench");
        try {
            run(dir, secrets, audit);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(Path dir, int secrets, long audit) {
        EngineConfig cfg = TestVaults.config(dir.resolve("vault"), Clock.systemUTC());
        Path file = dir.resolve("vault.kwbak");
        BackupInfo info;
        long t0 = System.nanoTime();
        try (TestVaults.Opened v = TestVaults.initialised(cfg)) {
            BulkLoader l = new BulkLoader(v.engine(), cfg.auditSink(), v.caller());
            l.secrets("bulk", 0, secrets, 2000); // each with its audit entry
            l.auditEntries(Math.max(0, audit - secrets), 5000);
            System.out.printf("loaded %,d secrets and %,d audit entries in %.1f s%n", secrets, audit, secs(t0));
            long b0 = System.nanoTime();
            info = v.engine().backups().backup(v.caller(), file, null);
            System.out.printf("backup:  %.1f s  (%,d records, %,d MB, sha256 %s...)%n", secs(b0), info.records(),
                    info.bytes() >> 20, info.sha256().substring(0, 16));
        }
        Path restored = dir.resolve("restored");
        long r0 = System.nanoTime();
        Keyward.restore(file, restored, null, List.of(UnsealCredential.passphrase(TestVaults.UNSEAL.toCharArray())));
        System.out.printf("restore: %.1f s  (into an empty directory, every segment authenticated)%n", secs(r0));
        try (Engine e = TestVaults.open(restored)) {
            long u0 = System.nanoTime();
            TestVaults.unseal(e);
            var s = TestVaults.login(e);
            AuditVerification ver = e.audit().verify(s.caller(), info.auditHead().fingerprint(), AuditProgress.NONE);
            System.out.printf("restored vault: unseal + audit verify of %,d entries: %.1f s, ok=%s%n", ver.entries(),
                    secs(u0), ver.ok());
        }
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
