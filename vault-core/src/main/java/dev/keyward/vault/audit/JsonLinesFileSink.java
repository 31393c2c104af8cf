package dev.keyward.vault.audit;

import dev.keyward.vault.api.AuditFailureException;
import dev.keyward.vault.storage.StorageTx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The Merkle log plus a copy of each entry, as one canonical JSON line, appended to a file that a
 * SIEM can tail. The vault's log stays authoritative. The line is written before the call's
 * transaction commits, so a call that then fails to commit may leave a line whose {@code seq} is
 * later reused: when two lines share a {@code seq}, the later one is the logged entry. The file
 * holds identities and paths in clear: put it where only the SIEM's collector can read it. If
 * the file cannot be written the call fails (fail closed), like any other audit failure.
 */
public final class JsonLinesFileSink implements AuditSink, AutoCloseable {
    private final MerkleAuditLog log;
    private final Path file;
    private final FileChannel channel;

    public JsonLinesFileSink(MerkleAuditLog log, Path file) {
        this.log = Objects.requireNonNull(log, "log");
        this.file = Objects.requireNonNull(file, "file");
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (!Files.exists(file)) {
                // identities and paths in clear: readable by its owner only (the SIEM collector's user)
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                            "rw-------")));
                } catch (UnsupportedOperationException notPosix) {
                    Files.createFile(file);
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // created meanwhile: append to it
                }
            }
            this.channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new AuditFailureException("The audit file " + file + " cannot be opened: " + e.getMessage(), e);
        }
    }

    @Override
    public void append(AuditEvent event, AuditContext keys, StorageTx tx) {
        appendAll(List.of(AuditDraft.of(event)), keys, tx);
    }

    @Override
    public AuditDraft draft(AuditEvent event) {
        return log.draft(event);
    }

    @Override
    public synchronized void appendAll(List<AuditDraft> drafts, AuditContext keys, StorageTx tx) {
        List<byte[]> entries;
        try {
            entries = log.appendEntries(drafts, keys, tx);
        } catch (RuntimeException e) {
            throw new AuditFailureException("The audit entry could not be written, so the operation was refused.", e);
        }
        int length = 0;
        for (byte[] e : entries) {
            length += e.length + 1;
        }
        ByteBuffer lines = ByteBuffer.allocate(length);
        entries.forEach(e -> lines.put(e).put((byte) '\n'));
        lines.flip();
        try {
            while (lines.hasRemaining()) {
                channel.write(lines);
            }
        } catch (IOException e) {
            throw new AuditFailureException("The audit file " + file + " could not be written, so the operation was refused.", e);
        }
    }

    /**
     * Appends a signed tree head as a line of its own, {@code {"head":{...},"log":"<log id>"}} (the
     * witness file's form; entries never have a {@code head} member), so that the SIEM also holds
     * every head the vault published.
     */
    public synchronized void appendHead(String logId, dev.keyward.vault.api.TreeHead head) {
        ByteBuffer line = ByteBuffer.wrap((WitnessFile.line(logId, head) + "\n").getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
        try {
            while (line.hasRemaining()) {
                channel.write(line);
            }
        } catch (IOException e) {
            throw new AuditFailureException("The audit file " + file + " could not be written.", e);
        }
    }

    @Override
    public Optional<MerkleAuditLog> log() {
        return Optional.of(log);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing buffered: every line was written with its call
        }
    }
}
