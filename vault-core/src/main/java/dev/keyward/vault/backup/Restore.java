package dev.keyward.vault.backup;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.api.BackupInfo;
import dev.keyward.vault.api.BackupProgress;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.StorageException;
import dev.keyward.vault.crypto.Aead;
import dev.keyward.vault.seal.SealConfig;
import dev.keyward.vault.seal.SealConfigStore;
import dev.keyward.vault.storage.H2Storage;
import dev.keyward.vault.storage.StorageTx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Restores a backup into an empty vault directory, offline (no vault is open there). Everything is
 * checked and written in a staging directory beside the target first: the file's SHA-256, the key
 * (passphrase or unseal material), every encrypted segment, the record count and content digest.
 * Only a complete restore is moved into place; on any failure the staging directory is removed and
 * the target is as it was. The restored vault comes up sealed and writes a {@code vault.restore}
 * audit entry at its first unseal, before anything else (see {@link #PENDING}).
 */
public final class Restore {
    /** A plain record naming the restore, turned into the first audit entry at the next unseal. */
    public static final String PENDING = "sys/restore/pending";
    /** Files a target directory may already hold (the settings of the vault that will run there). */
    private static final Set<String> ALLOWED = Set.of("keyward.properties");
    private static final int BATCH = 5000;

    private Restore() {
    }

    /**
     * The key for the backup's data key: with a backup passphrase (passphrase-protected backups), or
     * the root key that the seal in the header gives for the operator's unseal material.
     */
    public record Opener(char[] passphrase, Function<SealConfig, Aead> rootKey) {
    }

    /** Restores {@code file} into {@code home}; returns what was restored. */
    public static BackupInfo restore(Path file, Path home, Opener opener, Instant now) {
        return restore(file, home, opener, now, BackupProgress.NONE);
    }

    /**
     * As {@link #restore(Path, Path, Opener, Instant)}, telling {@code progress} how far the check of
     * the file's SHA-256 and the reading of its records have come.
     */
    public static BackupInfo restore(Path file, Path home, Opener opener, Instant now,
                                     Consumer<BackupProgress> progress) {
        List<Path> unused = checkEmpty(home.toAbsolutePath().normalize());
        BackupFile.Header h = BackupFile.open(file, progress);
        byte[] dataKey = dataKey(h, opener);
        Path abs = home.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null) {
            throw new InvalidRequestException("Restore into a directory, not into " + abs + ".");
        }
        Path staging = parent.resolve("." + abs.getFileName() + ".restoring-" + Long.toHexString(System.nanoTime()));
        try {
            Files.createDirectories(parent);
            createPrivateDirectory(staging);
            long records;
            try (H2Storage storage = H2Storage.open(staging)) {
                List<Object[]> batch = new ArrayList<>(BATCH);
                records = BackupReader.read(file, h, dataKey, (k, v) -> {
                    batch.add(new Object[] {k, v});
                    if (batch.size() == BATCH) {
                        flush(storage, batch);
                    }
                }, progress);
                progress.accept(new BackupProgress(BackupProgress.Phase.FINISHING, records, records, 0, -1));
                flush(storage, batch);
                Map<String, String> details = new TreeMap<>();
                details.put("backup_sha256", h.sha256());
                details.put("backup_created", h.created().toString());
                details.put("protection", h.protection());
                details.put("records", Long.toString(records));
                details.put("restored_at", now.toString());
                details.put("file", file.getFileName().toString());
                if (h.auditHead() != null) {
                    details.put("backup_head_size", Long.toString(h.auditHead().treeSize()));
                    details.put("backup_head_fingerprint", h.auditHead().fingerprint());
                }
                ObjectNode o = BackupFile.JSON.createObjectNode();
                details.forEach(o::put);
                byte[] marker = o.toString().getBytes(StandardCharsets.UTF_8);
                storage.write(tx -> {
                    tx.put(PENDING, marker);
                    return null;
                });
            }
            new SealConfigStore(staging).save(h.seal());
            moveInto(staging, abs, unused);
            progress.accept(new BackupProgress(BackupProgress.Phase.DONE, records, records, h.length(), h.length()));
            return h.info(file, records);
        } catch (IOException e) {
            throw new StorageException("The restore into " + abs + " could not be written: " + e.getMessage()
                    + ". Nothing was changed.", e);
        } finally {
            BackupWriter.wipe(dataKey);
            deleteQuietly(staging);
        }
    }

    /** The details the restore left for its audit entry, and removes them (in the caller's transaction). */
    public static Map<String, String> takePending(StorageTx tx) {
        byte[] m = tx.get(PENDING);
        if (m == null) {
            return null;
        }
        Map<String, String> out = new TreeMap<>();
        try {
            BackupFile.JSON.readTree(m).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        } catch (IOException e) {
            out.put("marker", "unreadable");
        }
        tx.delete(PENDING);
        return out;
    }

    private static byte[] dataKey(BackupFile.Header h, Opener opener) {
        if (h.protection().equals(BackupInfo.FOR_PASSPHRASE)) {
            if (opener.passphrase() == null || opener.passphrase().length == 0) {
                throw new InvalidRequestException("This backup is protected by a backup passphrase: give it"
                        + " (--passphrase-file or $KEYWARD_BACKUP_PASSPHRASE). Nothing was changed.");
            }
            return BackupFile.unwrapWithPassphrase(h, opener.passphrase());
        }
        if (opener.rootKey() == null) {
            throw new InvalidRequestException("This backup opens only with the vault's unseal material (its "
                    + h.seal().type() + " seal): give it as for unseal. Nothing was changed.");
        }
        Aead root = opener.rootKey().apply(h.seal());
        try {
            return BackupFile.unwrapWithRoot(h, root);
        } finally {
            if (root instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // the root key's own close zeroes it; nothing else to do
                }
            }
        }
    }

    private static void flush(H2Storage storage, List<Object[]> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<Object[]> items = List.copyOf(batch);
        batch.clear();
        storage.write(tx -> {
            for (Object[] kv : items) {
                tx.put((String) kv[0], (byte[]) kv[1]);
            }
            return null;
        });
    }

    /**
     * Refuses a target that holds a vault or anything else: it may hold a {@code keyward.properties},
     * and the files of a vault that was opened but never initialised and holds no record (no
     * {@code seal.json}; the console opens one to offer its set-up screen). Returns those files,
     * which a restore replaces only once everything else succeeded.
     */
    public static List<Path> checkEmpty(Path home) {
        if (!Files.exists(home)) {
            return List.of();
        }
        if (!Files.isDirectory(home)) {
            throw new InvalidRequestException(home + " is a file, not a directory. Nothing was changed.");
        }
        List<String> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(home)) {
            s.map(p -> p.getFileName().toString()).filter(n -> !ALLOWED.contains(n)).sorted().forEach(found::add);
        } catch (IOException e) {
            throw new InvalidRequestException("The directory " + home + " could not be read: " + e.getMessage());
        }
        if (found.isEmpty()) {
            return List.of();
        }
        if (UNUSED_VAULT.containsAll(found) && found.contains(DATABASE) && holdsNoRecord(home)) {
            return found.stream().map(home::resolve).toList();
        }
        throw new InvalidRequestException("The directory " + home + " is not empty (" + found.size()
                + " entries, e.g. " + found.get(0) + "): restore into a new or empty vault directory."
                + " Nothing was changed.");
    }

    /** The files an opened, never initialised vault leaves (no seal.json among them). */
    private static final Set<String> UNUSED_VAULT = Set.of("vault.mv.db", "vault.journal",
            dev.keyward.vault.storage.DirectoryLock.FILE);
    private static final String DATABASE = "vault.mv.db";

    /** Whether the vault database in {@code home} holds no record (opening it also proves no process owns it). */
    private static boolean holdsNoRecord(Path home) {
        try (H2Storage s = H2Storage.open(home)) {
            return s.read(tx -> tx.scan("", null, 1).isEmpty());
        } catch (dev.keyward.vault.api.VaultInUseException e) {
            throw new InvalidRequestException("Another Keyward process is using the vault directory " + home
                    + ": close it first. Nothing was changed.");
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void createPrivateDirectory(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectory(dir);
        }
    }

    private static void moveInto(Path staging, Path home, List<Path> unused) throws IOException {
        List<Path> now = checkEmpty(home); // again: nothing may have appeared meanwhile
        if (!now.equals(unused) && !now.isEmpty()) {
            throw new InvalidRequestException("The directory " + home + " changed during the restore. Nothing was"
                    + " changed.");
        }
        // The unused, empty vault's files go only now: everything else has succeeded.
        for (Path p : now) {
            Files.deleteIfExists(p);
        }
        if (!Files.exists(home)) {
            try {
                Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(staging, home);
            }
            return;
        }
        // seal.json last: a directory is an initialised vault only once seal.json is there.
        List<Path> files;
        try (Stream<Path> s = Files.list(staging)) {
            files = s.sorted(Comparator.comparing(p -> p.getFileName().toString().equals(SealConfigStore.FILE)))
                    .toList();
        }
        for (Path f : files) {
            Files.move(f, home.resolve(f.getFileName().toString()), StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // left behind; its name says it is a staging directory
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }
}
