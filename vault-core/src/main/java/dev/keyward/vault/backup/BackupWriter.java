package dev.keyward.vault.backup;

import dev.keyward.vault.api.BackupProgress;
import dev.keyward.vault.api.StorageException;
import dev.keyward.vault.storage.StorageTx;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Writes one backup file from a storage snapshot: the header, then every record (key order) through
 * the streaming AEAD, then the end frame and the file's SHA-256. The file is written next to its
 * final name and moved into place only when complete and synced; it is created readable by its owner
 * only.
 */
public final class BackupWriter {
    static final int RECORD = 1;
    static final int END = 0;
    private static final int PAGE = 2000;

    private BackupWriter() {
    }

    /** What a finished write reports. */
    public record Written(long records, long bytes, String sha256) {
    }

    /** Whether {@code file} may be written: an absolute path in an existing directory, not there yet. */
    public static void checkTarget(Path file) {
        if (!file.isAbsolute()) {
            throw new dev.keyward.vault.api.InvalidRequestException("The backup file must be an absolute path on the"
                    + " vault host, not " + file + ".");
        }
        if (Files.exists(file)) {
            throw new dev.keyward.vault.api.InvalidRequestException("The backup file " + file
                    + " already exists: choose a new name (a backup never overwrites one).");
        }
        Path dir = file.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new dev.keyward.vault.api.InvalidRequestException("The directory of the backup file " + file
                    + " does not exist.");
        }
    }

    /** Writes the backup of {@code tx} (a snapshot) to {@code file} with {@code header}, under {@code dataKey}. */
    public static Written write(Path file, byte[] header, byte[] dataKey, StorageTx tx) {
        return write(file, header, dataKey, tx, BackupProgress.NONE);
    }

    /**
     * As {@link #write(Path, byte[], byte[], StorageTx)}, telling {@code progress} the records and
     * bytes written of the snapshot's records (counted first, in the same snapshot). On any failure
     * the partial file is removed and a {@link StorageException} names the file and the cause.
     */
    public static Written write(Path file, byte[] header, byte[] dataKey, StorageTx tx,
                                Consumer<BackupProgress> progress) {
        checkTarget(file);
        Path tmp = file.resolveSibling("." + file.getFileName() + ".partial");
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            try {
                Files.createFile(tmp);
            } catch (IOException io) {
                throw cannotWrite(file, io);
            }
        } catch (IOException e) {
            throw cannotWrite(file, e);
        }
        try {
            MessageDigest fileSha = BackupFile.sha256();
            long records;
            progress.accept(BackupProgress.of(BackupProgress.Phase.COUNTING));
            long total = tx.count("");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream raw = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16);
                DigestOutputStream hashed = new DigestOutputStream(new Unclosed(raw), fileSha);
                byte[] prefix = BackupFile.prefix(header);
                hashed.write(prefix);
                MessageDigest contentSha = BackupFile.sha256();
                try (OutputStream enc = BackupFile.streaming(dataKey).newEncryptingStream(hashed, prefix);
                     DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                             new DigestOutputStream(enc, contentSha), 1 << 16))) {
                    records = writeRecords(tx, out, n -> progress.accept(new BackupProgress(
                            BackupProgress.Phase.WRITING, n, total, position(ch), -1)));
                    out.writeByte(END);
                    out.writeLong(records);
                    out.flush();
                    // The end frame ends with the SHA-256 of every plaintext byte before the digest.
                    out.write(((MessageDigest) contentSha.clone()).digest());
                }
                byte[] digest = fileSha.digest();
                raw.write(BackupFile.TRAILER);
                raw.write(digest);
                raw.flush();
                progress.accept(new BackupProgress(BackupProgress.Phase.FINISHING, records, total, ch.size(), -1));
                ch.force(true);
                long size = ch.size();
                moveIntoPlace(tmp, file);
                return new Written(records, size, HexFormat.of().formatHex(digest));
            } catch (CloneNotSupportedException | GeneralSecurityException e) {
                throw new IllegalStateException("the backup could not be encrypted", e);
            }
        } catch (IOException e) {
            throw cannotWrite(file, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the partial file stays; its name says what it is
            }
        }
    }

    private static long position(FileChannel ch) {
        try {
            return ch.position();
        } catch (IOException e) {
            return -1;
        }
    }

    private static long writeRecords(StorageTx tx, DataOutputStream out, LongConsumer written) throws IOException {
        long n = 0;
        String after = null;
        while (true) {
            List<StorageTx.Entry> page = tx.scan("", after, PAGE);
            for (StorageTx.Entry e : page) {
                byte[] k = e.key().getBytes(StandardCharsets.US_ASCII);
                out.writeByte(RECORD);
                out.writeShort(k.length);
                out.write(k);
                out.writeInt(e.value().length);
                out.write(e.value());
                n++;
            }
            written.accept(n);
            if (page.size() < PAGE) {
                return n;
            }
            after = page.get(page.size() - 1).key();
        }
    }

    private static void moveIntoPlace(Path tmp, Path file) throws IOException {
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file);
        }
        if (Files.size(file) == 0) {
            throw new FileAlreadyExistsException(file.toString());
        }
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // directories cannot be synced everywhere
        }
    }

    private static StorageException cannotWrite(Path file, IOException e) {
        return new StorageException("The backup file " + file + " could not be written: " + e.getMessage()
                + ". No backup was made.", e);
    }

    /** Keeps the encrypting stream's close from closing the file under it (the trailer comes after). */
    private static final class Unclosed extends FilterOutputStream {
        Unclosed(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }

    static void wipe(byte[] b) {
        if (b != null) {
            Arrays.fill(b, (byte) 0);
        }
    }
}
