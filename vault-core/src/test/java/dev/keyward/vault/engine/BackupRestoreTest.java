package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.BackupInfo;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.backup.BackupSchedule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encrypted backup of a running vault and restore into an empty directory, with real H2 files. */
class BackupRestoreTest {
    static final String CANARY = "canary-backup-value-5d1f0c";
    static final char[] BACKUP_PASS = "backup passphrase for tests".toCharArray();

    @TempDir
    Path tmp;

    private Path home() {
        return tmp.resolve("vault");
    }

    private TestVaults.Opened seeded() {
        TestVaults.Opened v = TestVaults.initialised(home());
        v.engine().secrets().write(v.caller(), "app/db", SecretData.of(Map.of("password", CANARY)), null);
        return v;
    }

    private static List<UnsealCredential> unseal() {
        return List.of(UnsealCredential.passphrase(TestVaults.UNSEAL.toCharArray()));
    }

    @Test
    void passphraseBackupRestoresElsewhereAndTheAuditVerifiesAcrossTheMove() throws Exception {
        Path file = tmp.resolve("b.kwbak");
        BackupInfo info;
        long sizeAtBackup;
        try (TestVaults.Opened v = seeded()) {
            info = v.engine().backups().backup(v.caller(), file, BACKUP_PASS.clone());
            sizeAtBackup = TestVaults.auditEntries(v.engine()).size();
        }
        assertEquals(BackupInfo.FOR_PASSPHRASE, info.protection());
        assertTrue(info.records() > 0);
        assertEquals(sizeAtBackup, info.auditHead().treeSize(), "the head covers the backup's own entry");
        byte[] bytes = Files.readAllBytes(file);
        assertFalse(new String(bytes, StandardCharsets.ISO_8859_1).contains(CANARY), "no value in clear");
        assertEquals(info.sha256(), Keyward.inspectBackup(file).sha256());

        Path other = tmp.resolve("elsewhere/vault");
        BackupInfo restored = Keyward.restore(file, other, BACKUP_PASS.clone(), null);
        assertEquals(info.records(), restored.records());
        try (Engine e = TestVaults.open(other)) {
            assertTrue(e.status().sealed());
            TestVaults.unseal(e);
            List<AuditRecord> entries = TestVaults.auditEntries(e);
            AuditRecord first = entries.get((int) sizeAtBackup);
            assertEquals("vault.restore", first.operation(), "the restored vault's first new entry");
            assertEquals(info.sha256(), first.details().get("backup_sha256"));
            assertEquals("vault.unseal", entries.get((int) sizeAtBackup + 1).operation());
            var s = TestVaults.login(e);
            assertEquals(CANARY, e.secrets().read(s.caller(), "app/db", 0).data().field("password"));
            AuditVerification ver = e.audit().verify(s.caller(), info.auditHead().fingerprint(), AuditProgress.NONE);
            assertTrue(ver.ok(), () -> "problems: " + ver.problems());
        }
        // Unsealed again later: no second restore entry.
        try (Engine e = TestVaults.open(other)) {
            TestVaults.unseal(e);
            assertEquals(1, TestVaults.auditEntries(e).stream().filter(r -> r.operation().equals("vault.restore"))
                    .count());
        }
    }

    @Test
    void unsealMaterialBackupOpensOnlyWithTheUnsealMaterial() {
        Path file = tmp.resolve("u.kwbak");
        try (TestVaults.Opened v = seeded()) {
            assertEquals(BackupInfo.FOR_UNSEAL, v.engine().backups().backup(v.caller(), file, null).protection());
        }
        Path other = tmp.resolve("other");
        assertThrows(InvalidRequestException.class, () -> Keyward.restore(file, other, BACKUP_PASS.clone(), null));
        assertThrows(AuthenticationFailedException.class, () -> Keyward.restore(file, other, null,
                List.of(UnsealCredential.passphrase("not the unseal passphrase".toCharArray()))));
        assertFalse(Files.exists(other), "nothing was created");
        Keyward.restore(file, other, null, unseal());
        try (Engine e = TestVaults.open(other)) {
            TestVaults.unseal(e);
            var s = TestVaults.login(e);
            assertEquals(CANARY, e.secrets().read(s.caller(), "app/db", 0).data().field("password"));
        }
    }

    @Test
    void badInputIsRefusedAndChangesNothing() throws Exception {
        Path file = tmp.resolve("b.kwbak");
        try (TestVaults.Opened v = seeded()) {
            v.engine().backups().backup(v.caller(), file, BACKUP_PASS.clone());
            InvalidRequestException exists = assertThrows(InvalidRequestException.class,
                    () -> v.engine().backups().backup(v.caller(), file, BACKUP_PASS.clone()));
            assertTrue(exists.getMessage().contains("already exists"));
            assertThrows(InvalidRequestException.class,
                    () -> v.engine().backups().backup(v.caller(), tmp.resolve("x.kwbak"), "short".toCharArray()));
        }
        byte[] good = Files.readAllBytes(file);
        Path target = tmp.resolve("target");

        AuthenticationFailedException wrong = assertThrows(AuthenticationFailedException.class,
                () -> Keyward.restore(file, target, "wrong backup passphrase".toCharArray(), null));
        assertTrue(wrong.getMessage().contains("passphrase is wrong"));
        assertFalse(Files.exists(target));

        Path truncated = tmp.resolve("truncated.kwbak");
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length - 1000));
        InvalidRequestException cut = assertThrows(InvalidRequestException.class,
                () -> Keyward.restore(truncated, target, BACKUP_PASS.clone(), null));
        assertTrue(cut.getMessage().contains("damaged"), cut.getMessage());
        assertFalse(Files.exists(target));

        byte[] altered = good.clone();
        altered[altered.length - 200] ^= 1; // inside the last encrypted segment
        Path flipped = tmp.resolve("altered.kwbak");
        Files.write(flipped, altered);
        assertTrue(assertThrows(InvalidRequestException.class,
                () -> Keyward.restore(flipped, target, BACKUP_PASS.clone(), null)).getMessage().contains("SHA-256"));
        // Altered and its trailer recomputed to match: the encryption still refuses it.
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        sha.update(altered, 0, altered.length - 40);
        System.arraycopy(sha.digest(), 0, altered, altered.length - 32, 32); // the trailer: 8-byte tag, digest
        Files.write(flipped, altered);
        String forged = assertThrows(InvalidRequestException.class,
                () -> Keyward.restore(flipped, target, BACKUP_PASS.clone(), null)).getMessage();
        assertTrue(forged.contains("authenticate"), forged);
        assertFalse(Files.exists(target));
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains("restoring")), "no staging left");
        }

        Files.createDirectories(target);
        Files.writeString(target.resolve("notes.txt"), "mine");
        InvalidRequestException full = assertThrows(InvalidRequestException.class,
                () -> Keyward.restore(file, target, BACKUP_PASS.clone(), null));
        assertTrue(full.getMessage().contains("not empty"));
        try (Stream<Path> s = Files.list(target)) {
            assertEquals(List.of("notes.txt"), s.map(p -> p.getFileName().toString()).toList());
        }
        assertThrows(InvalidRequestException.class, () -> Keyward.restore(file, home(), BACKUP_PASS.clone(), null),
                "never over a vault");
    }

    @Test
    void backupTakenWhileAWriterRunsHoldsEveryWriteAcknowledgedBeforeItBegan() throws Exception {
        int secrets = Integer.getInteger("keyward.backup.secrets", 5_000);
        EngineConfig cfg = TestVaults.config(home(), Clock.systemUTC());
        Path file = tmp.resolve("live.kwbak");
        int ackedBefore;
        long t0;
        long backupMillis;
        try (TestVaults.Opened v = TestVaults.initialised(cfg)) {
            long l0 = System.nanoTime();
            new BulkLoader(v.engine(), cfg.auditSink(), v.caller()).secrets("bulk", 0, secrets, 2000);
            System.out.printf("bulk load of %d secrets: %d ms%n", secrets, (System.nanoTime() - l0) / 1_000_000);
            java.util.concurrent.atomic.AtomicInteger acked = new java.util.concurrent.atomic.AtomicInteger(-1);
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread writer = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    v.engine().secrets().write(v.caller(), BulkLoader.path("live", i),
                            SecretData.of(Map.of("v", BulkLoader.value("live", i))), null);
                    acked.set(i);
                }
            });
            writer.start();
            while (acked.get() < 50) {
                Thread.sleep(5);
            }
            ackedBefore = acked.get();
            t0 = System.nanoTime();
            v.engine().backups().backup(v.caller(), file, null);
            backupMillis = (System.nanoTime() - t0) / 1_000_000;
            int ackedAfter = acked.get();
            stop.set(true);
            writer.join();
            assertTrue(ackedAfter > ackedBefore, "the writer went on during the backup");
        }
        Path other = tmp.resolve("restored");
        long r0 = System.nanoTime();
        Keyward.restore(file, other, null, unseal());
        long restoreMillis = (System.nanoTime() - r0) / 1_000_000;
        System.out.printf("backup of %d secrets: %d ms, restore: %d ms%n", secrets, backupMillis, restoreMillis);
        long c0 = System.nanoTime();
        try (Engine e = TestVaults.open(other)) {
            TestVaults.unseal(e);
            System.out.printf("open + unseal restored: %d ms%n", (System.nanoTime() - c0) / 1_000_000);
            Unsealed k = e.unsealedKeys();
            Instant now = Instant.now();
            e.storage().read(tx -> {
                for (int i = 0; i <= ackedBefore; i++) {
                    assertEquals(BulkLoader.value("live", i), k.kv().read(tx, BulkLoader.path("live", i), 0, now)
                            .data().field("v"), "acknowledged before the backup: live/" + i);
                }
                for (int i = 0; i < secrets; i += 1) {
                    assertEquals(BulkLoader.value("bulk", i), k.kv().read(tx, BulkLoader.path("bulk", i), 0, now)
                            .data().field("v"));
                }
                return null;
            });
        }
    }

    @Test
    void scheduledBackupsKeepTheNewestAndAreAudited() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        Path dir = tmp.resolve("backups");
        BackupSchedule s = new BackupSchedule(dir, Duration.ofMinutes(60), 2, null);
        try (TestVaults.Opened v = TestVaults.initialised(TestVaults.config(home(), clock))) {
            for (int i = 0; i < 3; i++) {
                v.engine().runScheduledBackup(s);
                clock.advance(Duration.ofHours(1));
            }
            List<Path> kept = s.existing();
            assertEquals(2, kept.size());
            assertTrue(kept.get(0).getFileName().toString().contains("20261201T110000Z"), kept.toString());
            List<AuditRecord> backups = TestVaults.auditEntries(v.engine()).stream()
                    .filter(r -> r.operation().equals("vault.backup")).toList();
            assertEquals(4, backups.size(), "three backups and one retention step");
            assertEquals("system:backup", backups.get(0).identityName());
            assertEquals("retention", backups.get(3).details().get("step"));
            v.engine().seal(v.caller());
            assertEquals(null, v.engine().runScheduledBackup(s), "sealed: nothing to do");
        }
    }
}
