package dev.keyward.vault.audit;

import dev.keyward.vault.api.AuditFailureException;
import dev.keyward.vault.storage.StorageTx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new AuditFailureException("The audit file " + file + " cannot be opened: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void append(AuditEvent event, AuditContext keys, StorageTx tx) {
        byte[] entry;
        try {
            entry = log.appendEntry(event, keys, tx);
        } catch (RuntimeException e) {
            throw new AuditFailureException("The audit entry could not be written, so the operation was refused.", e);
        }
        ByteBuffer line = ByteBuffer.allocate(entry.length + 1).put(entry).put((byte) '\n').flip();
        try {
            while (line.hasRemaining()) {
                channel.write(line);
            }
        } catch (IOException e) {
            throw new AuditFailureException("The audit file " + file + " could not be written, so the operation was refused.", e);
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
