package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.BackupInfo;
import dev.keyward.vault.api.BackupProgress;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup and restore progress, a backup whose file cannot be written after its audit entry (a real
 * filesystem that fills up), and a restore into a directory that holds only a never-initialised vault.
 */
class BackupProgressTest {
    static final String CANARY = "canary-backup-progress-8c2e71";
    static final char[] BACKUP_PASS = "backup passphrase for tests".toCharArray();

    @TempDir
    Path tmp;
    private Path mounted;

    @AfterEach
    void unmount() throws Exception {
        if (mounted != null) {
            run("umount", mounted.toString());
        }
    }

    private TestVaults.Opened seeded(int secrets) {
        TestVaults.Opened v = TestVaults.initialised(tmp.resolve("vault"));
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < secrets; i++) {
            byte[] noise = new byte[600];
            r.nextBytes(noise);
            v.engine().secrets().write(v.caller(), "app/s" + i, SecretData.of(Map.of("password", CANARY,
                    "noise", HexFormat.of().formatHex(noise))), null);
        }
        return v;
    }

    @Test
    void backupAndRestoreReportTheirProgressOfAKnownTotal() {
        Path file = tmp.resolve("p.kwbak");
        List<BackupProgress> seen = Collections.synchronizedList(new ArrayList<>());
        BackupInfo info;
        try (TestVaults.Opened v = seeded(1500)) {
            info = v.engine().backups().backup(v.caller(), file, BACKUP_PASS.clone(), seen::add);
        }
        assertEquals(BackupProgress.Phase.PREPARING, seen.get(0).phase());
        assertEquals(BackupProgress.Phase.DONE, seen.get(seen.size() - 1).phase());
        List<BackupProgress> writing = seen.stream().filter(p -> p.phase() == BackupProgress.Phase.WRITING).toList();
        assertTrue(writing.size() >= 3, "one report a page of records: " + writing.size());
        for (int i = 1; i < writing.size(); i++) {
            assertTrue(writing.get(i).records() > writing.get(i - 1).records());
            assertTrue(writing.get(i).bytes() >= writing.get(i - 1).bytes());
        }
        assertEquals(info.records(), writing.get(0).totalRecords(), "the total is the snapshot's count");
        assertEquals(info.records(), writing.get(writing.size() - 1).records());
        assertEquals(1.0, writing.get(writing.size() - 1).fraction(), 1e-9);
        assertTrue(writing.get(0).fraction() > 0 && writing.get(0).fraction() < 1);
        assertTrue(seen.stream().noneMatch(p -> p.toString().contains(CANARY)));

        List<BackupProgress> restored = Collections.synchronizedList(new ArrayList<>());
        BackupInfo r = Keyward.restore(file, tmp.resolve("restored"), BACKUP_PASS.clone(), null, restored::add);
        assertEquals(info.records(), r.records());
        List<BackupProgress.Phase> phases = restored.stream().map(BackupProgress::phase).distinct().toList();
        assertEquals(List.of(BackupProgress.Phase.CHECKING, BackupProgress.Phase.RESTORING,
                BackupProgress.Phase.FINISHING, BackupProgress.Phase.DONE), phases);
        List<BackupProgress> reading = restored.stream().filter(p -> p.phase() == BackupProgress.Phase.RESTORING)
                .toList();
        assertTrue(reading.get(reading.size() - 1).fraction() > reading.get(0).fraction());
    }

    @Test
    void aBackupWhoseFileCannotBeWrittenIsAuditedAsAFailureAndLeavesNoFile() throws Exception {
        Path small = tmp.resolve("small");
        Files.createDirectories(small);
        // A real filesystem of 256 kB: the backup of ~1,500 secrets (about 1.5 MB) fills it mid-write.
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", small.toString()) == 0,
                "mounting a small tmpfs needs root with CAP_SYS_ADMIN");
        mounted = small;
        Path file = small.resolve("full.kwbak");
        try (TestVaults.Opened v = seeded(1500)) {
            int before = TestVaults.auditEntries(v.engine()).size();
            StorageException e = assertThrows(StorageException.class,
                    () -> v.engine().backups().backup(v.caller(), file, BACKUP_PASS.clone()));
            assertTrue(e.getMessage().contains("could not be written") && e.getMessage().contains("No backup was made"),
                    e.getMessage());
            assertFalse(e.getMessage().contains(CANARY));
            try (Stream<Path> left = Files.list(small)) {
                assertEquals(List.of(), left.toList(), "neither the file nor its partial file is left");
            }
            List<AuditRecord> entries = TestVaults.auditEntries(v.engine());
            List<AuditRecord> backups = entries.subList(before, entries.size()).stream()
                    .filter(a -> a.operation().equals("vault.backup")).toList();
            assertEquals(2, backups.size(), "the backup's entry and its failure: " + backups);
            assertEquals("success", backups.get(0).outcome().toLowerCase());
            AuditRecord failed = backups.get(1);
            assertEquals("failure", failed.outcome().toLowerCase());
            assertEquals("StorageException", failed.errorClass());
            assertEquals("full.kwbak", failed.details().get("file"));
            assertTrue(failed.details().get("reason").contains("could not be written"), failed.details().toString());
            String all = failed.toString();
            assertFalse(all.contains(CANARY) || all.contains(new String(BACKUP_PASS)), "no secret in the entry");
            assertTrue(v.engine().audit().verify(v.caller(), null, AuditProgress.NONE).ok());
        }
    }

    @Test
    void aRestoreReplacesANeverInitialisedVaultButRefusesAnInitialisedOne() throws Exception {
        Path file = tmp.resolve("u.kwbak");
        try (TestVaults.Opened v = seeded(3)) {
            v.engine().backups().backup(v.caller(), file, BACKUP_PASS.clone());
        }
        Path unused = tmp.resolve("unused");
        TestVaults.open(unused).close(); // opened (as the console does before its set-up screen), never initialised
        assertTrue(Files.exists(unused.resolve("vault.mv.db")));
        assertFalse(Keyward.initialized(unused));
        // A wrong passphrase changes nothing there either.
        assertThrows(dev.keyward.vault.api.AuthenticationFailedException.class,
                () -> Keyward.restore(file, unused, "wrong backup passphrase".toCharArray(), null));
        assertFalse(Keyward.initialized(unused));
        Keyward.restore(file, unused, BACKUP_PASS.clone(), null);
        try (Engine e = TestVaults.open(unused)) {
            TestVaults.unseal(e);
            var s = TestVaults.login(e);
            assertEquals(CANARY, e.secrets().read(s.caller(), "app/s1", 0).data().field("password"));
        }
        InvalidRequestException again = assertThrows(InvalidRequestException.class,
                () -> Keyward.restore(file, unused, BACKUP_PASS.clone(), null));
        assertTrue(again.getMessage().contains("not empty"), again.getMessage());
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
