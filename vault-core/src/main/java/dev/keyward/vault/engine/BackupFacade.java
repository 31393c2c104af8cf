package dev.keyward.vault.engine;

import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.BackupInfo;
import dev.keyward.vault.api.BackupProgress;
import dev.keyward.vault.api.BackupService;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.api.StorageException;
import dev.keyward.vault.api.TreeHead;
import dev.keyward.vault.api.VaultNotInitializedException;
import dev.keyward.vault.audit.AuditEvent;
import dev.keyward.vault.audit.MerkleAuditLog;
import dev.keyward.vault.backup.BackupFile;
import dev.keyward.vault.backup.BackupSchedule;
import dev.keyward.vault.backup.BackupWriter;
import dev.keyward.vault.backup.Restore;
import dev.keyward.vault.crypto.Argon2;
import dev.keyward.vault.crypto.Random;
import dev.keyward.vault.policy.BuiltInPolicies;
import dev.keyward.vault.seal.SealConfig;
import dev.keyward.vault.seal.SealConfigStore;
import dev.keyward.vault.storage.Storage;
import dev.keyward.vault.storage.StorageTx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BackupService} through the guarded door, scheduled backups with retention, and the audit
 * entry of a restore at the restored vault's first unseal. The file format and the restore are in
 * {@code dev.keyward.vault.backup}.
 */
final class BackupFacade implements BackupService {
    private static final Logger LOG = LoggerFactory.getLogger(BackupFacade.class);
    static final String RESOURCE = "sys/backup";
    /** The shortest backup passphrase accepted (it is the only thing between a stolen file and the secrets). */
    static final int MIN_PASSPHRASE = 12;

    private final Engine engine;
    private final Door door;
    private final SecretsFacade.Guard guard;
    private final Storage storage;
    private final Clock clock;
    private final MerkleAuditLog log;
    private final Path home;
    private volatile ScheduledExecutorService scheduler;

    BackupFacade(Engine engine, Door door, SecretsFacade.Guard guard, Storage storage, Clock clock,
                 MerkleAuditLog log, Path home) {
        this.engine = engine;
        this.door = door;
        this.guard = guard;
        this.storage = storage;
        this.clock = clock;
        this.log = log;
        this.home = home;
    }

    @Override
    public BackupInfo backup(Caller caller, Path file, char[] passphrase, Consumer<BackupProgress> progress) {
        if (file == null) {
            throw new InvalidRequestException("Name the backup file (an absolute path on the vault host).");
        }
        Consumer<BackupProgress> report = progress == null ? BackupProgress.NONE : progress;
        boolean withPassphrase = passphrase != null && passphrase.length > 0;
        try {
            if (withPassphrase && passphrase.length < MIN_PASSPHRASE) {
                throw new InvalidRequestException("A backup passphrase needs at least " + MIN_PASSPHRASE
                        + " characters.");
            }
            BackupWriter.checkTarget(file);
            String protection = withPassphrase ? BackupInfo.FOR_PASSPHRASE : BackupInfo.FOR_UNSEAL;
            report.accept(BackupProgress.of(BackupProgress.Phase.PREPARING));
            return guard.run(() -> {
                // Audited (durably) before the snapshot: the head in the file then covers this entry too.
                Admitted a = door.write(caller, Operation.VAULT_BACKUP, RESOURCE, (keys, p, tx, now) ->
                        new Admitted(keys, p), r -> Map.of("step", "backup", "file", file.getFileName().toString(),
                        "protection", protection));
                try {
                    BackupInfo info = write(a.keys(), file, passphrase, withPassphrase, protection, report);
                    report.accept(new BackupProgress(BackupProgress.Phase.DONE, info.records(), info.records(),
                            info.bytes(), info.bytes()));
                    return info;
                } catch (RuntimeException e) {
                    auditFailedWrite(caller, a, file, protection, e);
                    throw e;
                }
            });
        } finally {
            if (passphrase != null) {
                Arrays.fill(passphrase, '\0');
            }
        }
    }

    /** The unsealed keys and the principal of an admitted backup call. */
    private record Admitted(Unsealed keys, Principal principal) {
    }

    /** The head, the wrapped data key and the file: everything after the call's own audit entry. */
    private BackupInfo write(Unsealed k, Path file, char[] passphrase, boolean withPassphrase, String protection,
                             Consumer<BackupProgress> report) {
        Instant now = clock.instant();
        TreeHead head = log == null ? null : storage.write(tx -> log.issueHead(k.audit(), tx, now));
        String logId = log == null ? null : storage.read(log::logId);
        SealConfig seal = new SealConfigStore(home).load().orElseThrow(VaultNotInitializedException::new);
        byte[] dataKey = Random.bytes(32);
        try {
            byte[] salt = null;
            Argon2Parameters kdf = null;
            byte[] wrapped;
            if (withPassphrase) {
                salt = Random.bytes(Argon2.SALT_BYTES);
                kdf = Argon2Parameters.DEFAULT;
                wrapped = BackupFile.wrapWithPassphrase(dataKey, passphrase, salt, kdf);
            } else {
                wrapped = k.root().encrypt(dataKey, BackupFile.WRAP_AAD);
            }
            byte[] header = BackupFile.header(protection, now, seal, wrapped, salt, kdf, head, logId,
                    Keyward.VERSION);
            BackupWriter.Written w = storage.snapshot(tx -> BackupWriter.write(file, header, dataKey, tx, report));
            LOG.info("backup written: {} records, {} bytes", w.records(), w.bytes());
            return new BackupInfo(file.toString(), now, protection, seal.type(), w.records(), w.bytes(),
                    w.sha256(), head, logId);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    /**
     * The backup's entry says it began; when the file then cannot be written (a full disk, a failing
     * device), a failure entry says so, with the reason (the exception's sentence, which names the
     * file and the cause, never a key or passphrase). If that entry cannot be written either, the
     * original failure is what the caller hears when it is the storage's; otherwise the audit failure.
     */
    private void auditFailedWrite(Caller caller, Admitted a, Path file, String protection, RuntimeException e) {
        Map<String, String> details = new TreeMap<>();
        details.put("step", "backup");
        details.put("file", file.getFileName().toString());
        details.put("protection", protection);
        details.put("reason", e instanceof KeywardException && e.getMessage() != null ? e.getMessage()
                : "unexpected " + e.getClass().getSimpleName());
        try {
            storage.write(tx -> {
                door.appendDirect(a.keys(), caller, a.principal(), null, Operation.VAULT_BACKUP, RESOURCE,
                        AuditEvent.Outcome.FAILURE, e.getClass().getSimpleName(), clock.instant(), tx, details);
                return null;
            });
        } catch (KeywardException auditError) {
            LOG.error("the audit entry for a failed backup could not be written");
            if (!(e instanceof StorageException && auditError instanceof StorageException)) {
                throw auditError;
            }
        }
    }

    // ------------------------------------------------------------------ as the directory's owner

    /** A backup by the process that owns and unsealed the vault directory (keyward backup without a service). */
    BackupInfo backupAsOwner(Path file, char[] passphrase) {
        return backup(engine.systemCaller(BuiltInPolicies.JOB_BACKUP), file, passphrase);
    }

    // ------------------------------------------------------------------ schedule and retention

    /** Starts scheduled backups (replacing an earlier schedule). They run only while the vault is unsealed. */
    synchronized void schedule(BackupSchedule s) {
        Objects.requireNonNull(s, "schedule");
        stop();
        ScheduledExecutorService x = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keyward-backup-schedule");
            t.setDaemon(true);
            return t;
        });
        long every = s.every().toMillis();
        x.scheduleWithFixedDelay(() -> {
            try {
                runScheduled(s);
            } catch (RuntimeException e) {
                LOG.warn("a scheduled backup failed: {}", e.getMessage() == null ? e.getClass().getSimpleName()
                        : e.getMessage());
            }
        }, every, every, TimeUnit.MILLISECONDS);
        scheduler = x;
        LOG.info("scheduled backups every {} min into {}, keeping {}", s.every().toMinutes(), s.dir(), s.keep());
    }

    synchronized void stop() {
        ScheduledExecutorService x = scheduler;
        if (x != null) {
            x.shutdownNow();
            scheduler = null;
        }
    }

    /** One scheduled run: a backup, then retention (audited before any file is removed). Null while sealed. */
    BackupInfo runScheduled(BackupSchedule s) {
        if (engine.sealLifecycle().unsealedOrNull() == null) {
            return null;
        }
        Caller job = engine.systemCaller(BuiltInPolicies.JOB_BACKUP);
        try {
            Files.createDirectories(s.dir(), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (IOException | UnsupportedOperationException e) {
            throw new InvalidRequestException("The backup directory " + s.dir() + " could not be created.");
        }
        BackupInfo info = backup(job, s.fileFor(clock.instant()), readPassphrase(s.passphraseFile()));
        List<Path> old = s.beyondRetention();
        if (!old.isEmpty()) {
            List<String> names = new ArrayList<>();
            old.forEach(p -> names.add(p.getFileName().toString()));
            door.write(job, Operation.VAULT_BACKUP, RESOURCE, (k, p, tx, now) -> null,
                    r -> Map.of("step", "retention", "keep", Integer.toString(s.keep()),
                            "removed", String.join(",", names)));
            for (Path p : old) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warn("an old backup could not be removed: {}", p.getFileName());
                }
            }
        }
        return info;
    }

    private static char[] readPassphrase(Path file) {
        if (file == null) {
            return null;
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip().toCharArray();
        } catch (IOException e) {
            throw new InvalidRequestException("The backup passphrase file " + file + " could not be read.");
        }
    }

    // ------------------------------------------------------------------ the restore's audit entry

    /**
     * At unseal, in the unseal's own transaction: if this vault was restored and has not been unsealed
     * since, its first entry records the restore (from what the restore left, then removed).
     */
    static void recordRestore(Door door, Unsealed u, String sourceAddress, Instant now, StorageTx tx) {
        Map<String, String> details = Restore.takePending(tx);
        if (details == null) {
            return;
        }
        door.appendDirect(u, Caller.anonymous(sourceAddress), null, null, Operation.VAULT_RESTORE, RESOURCE,
                AuditEvent.Outcome.SUCCESS, null, now, tx, details);
    }
}
