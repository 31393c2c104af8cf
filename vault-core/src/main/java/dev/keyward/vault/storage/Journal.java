package dev.keyward.vault.storage;

import dev.keyward.vault.api.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The write-ahead journal ({@code vault.journal}): every committed batch's record changes,
 * appended and forced to the device before the batch is committed to H2 and before any caller is
 * answered. On open, the journal is replayed over whatever state H2 recovered, so an acknowledged
 * write survives a crash even when H2's recovery comes back with an older state (see
 * docs/architecture.md, "Durability").
 *
 * <p>Replay is correct from any earlier consistent state: each change sets or removes whole
 * records, so the last change to a record decides its final value, and a record no change touches
 * keeps the value it had. The journal holds exactly what the records table holds (structural keys
 * and HMAC ids, barrier ciphertexts), nothing more readable.
 *
 * <p>Batches are numbered without gaps across checkpoints: the database records the number of the
 * last batch it applied and of the last checkpoint (see {@link H2Storage}), so a journal that ends
 * before what the database holds (cut, emptied or replaced with an older copy) is detected on open
 * instead of being replayed over newer data.
 *
 * <p>Segments: the committer appends to {@code vault.journal}. A checkpoint seals it (renames it
 * to {@code vault.journal.sealed}) and goes on in a fresh {@code vault.journal}, so that writes
 * never wait for the checkpoint; the sealed segment is deleted once the database file is known to
 * hold its last batch (see {@link H2Storage}). There is at most one sealed segment. Reading,
 * replay and the check against the database treat the sealed segment and the current one as one
 * journal: the sealed segment first, numbering without gaps across both.
 *
 * <p>Format: a sequence of frames {@code length u32 | crc32c u32 | payload}; payload is
 * {@code sequence u64 | count u32 | changes}, a change is {@code kind u8 | key length u16 | key
 * (ASCII) | [value length u32 | value]} (value only for {@link Change.Kind#PUT}). A frame cut short
 * at the end of the file is a batch that was never acknowledged and is ignored; a damaged frame
 * followed by more data means the journal was corrupted and the vault refuses to open.
 */
final class Journal implements AutoCloseable {
    static final String FILE = "vault.journal";
    /** The previous segment while a checkpoint is under way: its batches precede those of {@link #FILE}. */
    static final String SEALED = "vault.journal.sealed";
    private static final int HEADER = 8;
    private static final int MAX_FRAME = 256 * 1024 * 1024;

    /** One change to the records table. */
    record Change(Kind kind, String key, byte[] value) {
        enum Kind { PUT, DELETE, DELETE_PREFIX }

        @Override
        public String toString() {
            return "Change[" + kind + " " + key + (value == null ? "" : ", " + value.length + " bytes") + "]";
        }
    }

    private final Path dir;
    private final Path file;
    private final Path sealed;
    private FileChannel channel;
    private long sequence;
    /** The current segment's length: where the next frame goes (kept here, not asked of the file per batch). */
    private long length;

    private Journal(Path dir, FileChannel channel) throws IOException {
        this.dir = dir;
        this.file = dir.resolve(FILE);
        this.sealed = dir.resolve(SEALED);
        this.channel = channel;
        this.length = channel.size();
    }

    /** Opens (creating if needed) the journal in {@code dir}. */
    static Journal open(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            return new Journal(dir, openSegment(dir));
        } catch (IOException e) {
            throw new StorageException("The vault journal " + file + " could not be opened: " + e.getMessage(), e);
        }
    }

    private static FileChannel openSegment(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        boolean created = !Files.exists(file);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        if (created) {
            forceDirectory(dir);
        }
        return ch;
    }

    /** The current segment's length in bytes (what a checkpoint falls due by). */
    long size() {
        return length;
    }

    /** Whether a sealed segment is waiting for its checkpoint to finish. */
    boolean hasSealed() {
        return Files.exists(sealed);
    }

    /**
     * Seals the current segment (forced, renamed to {@link #SEALED}) and starts an empty one; the
     * numbering goes on. Only while no sealed segment exists.
     */
    void seal() {
        if (hasSealed()) {
            throw new IllegalStateException("a sealed journal segment is still waiting for its checkpoint");
        }
        try {
            channel.force(false);
            channel.close();
            Files.move(file, sealed, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(dir);
            channel = openSegment(dir);
            length = channel.size();
        } catch (IOException e) {
            try {
                if (!channel.isOpen()) {
                    channel = openSegment(dir); // the old segment if the rename failed, else a fresh one
                    length = channel.size();
                }
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw new StorageException("The vault journal could not be sealed for a checkpoint: " + e.getMessage(), e);
        }
    }

    /** Deletes the sealed segment: every batch in it is durable in the database itself. */
    void dropSealed() {
        try {
            if (Files.deleteIfExists(sealed)) {
                forceDirectory(dir);
            }
        } catch (IOException e) {
            throw new StorageException("The sealed vault journal " + sealed + " could not be deleted: "
                    + e.getMessage(), e);
        }
    }

    /**
     * What a journal holds: its complete batches over both segments (first and last sequence
     * number), where they end in the current segment and its length, and whether a sealed segment
     * is present.
     */
    record Contents(int batches, long firstSequence, long lastSequence, long end, long size, boolean sealed) {
        boolean empty() {
            return batches == 0;
        }

        /** Nothing at all on disk: no sealed segment, an empty current one. */
        boolean blank() {
            return size == 0 && !sealed;
        }
    }

    /**
     * Reads the journal from the start without changing it: every complete batch must pass its
     * checksum and follow the one before it (sequence + 1). A frame cut short at the end is a batch
     * that was never acknowledged and ends the complete part; a damaged frame followed by more data
     * means the journal was corrupted and is refused.
     */
    Contents scan() {
        return read(null);
    }

    /**
     * Applies every complete batch in order, passing each batch's changes to {@code apply}, then
     * cuts off a torn tail and positions the journal for appending after the last complete batch.
     * Call it only after {@link #scan} agreed with the database.
     */
    Contents replay(Consumer<List<Change>> apply) {
        Contents c = read(apply);
        try {
            if (c.end() < c.size()) {
                channel.truncate(c.end());
                channel.force(false);
            }
            channel.position(c.end());
            length = c.end();
            if (!c.empty()) {
                sequence = c.lastSequence();
            }
            return c;
        } catch (IOException e) {
            throw new StorageException("The vault journal " + file + " could not be replayed: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the sealed segment (if any) and then the current one as one journal. The sealed segment
     * was complete when it was sealed: anything short or damaged in it is refused when more
     * batches follow it; what the current segment holds is its own {@link Contents#end}.
     */
    private Contents read(Consumer<List<Change>> apply) {
        if (!Files.exists(sealed)) {
            return read(channel, file, apply, 0, 0, 0, false);
        }
        try (FileChannel s = FileChannel.open(sealed, StandardOpenOption.READ)) {
            Contents old = read(s, sealed, apply, 0, 0, 0, true);
            Contents cur = read(channel, file, apply, old.batches(), old.firstSequence(), old.lastSequence(), true);
            if (old.end() < old.size() && cur.size() > 0) {
                throw new StorageException("The vault journal " + sealed + " is damaged at byte " + old.end()
                        + " and has data after the damage (in " + file + "); the vault will not open over it.");
            }
            return cur;
        } catch (IOException e) {
            throw new StorageException("The vault journal " + sealed + " could not be read: " + e.getMessage(), e);
        }
    }

    private static Contents read(FileChannel channel, Path file, Consumer<List<Change>> apply, int before,
                                 long firstBefore, long lastBefore, boolean sealed) {
        try {
            long size = channel.size();
            long pos = 0;
            int batches = before;
            long first = firstBefore;
            long last = lastBefore;
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            while (pos + HEADER <= size) {
                header.clear();
                readFully(channel, header, pos);
                header.flip();
                int frame = header.getInt();
                int crc = header.getInt();
                if (frame < 12 || frame > MAX_FRAME || pos + HEADER + frame > size) {
                    break; // cut short: written by a batch that was never acknowledged
                }
                ByteBuffer payload = ByteBuffer.allocate(frame);
                readFully(channel, payload, pos + HEADER);
                if (crc32c(payload.array(), 0, frame) != crc) {
                    if (pos + HEADER + frame < size) {
                        throw new StorageException("The vault journal " + file + " is damaged at byte " + pos
                                + " and has data after the damage; the vault will not open over it.");
                    }
                    break;
                }
                payload.flip();
                long seq = payload.getLong();
                if (batches > 0 && seq != last + 1) {
                    throw new StorageException("The vault journal " + file + " is out of order at byte " + pos
                            + ": batch " + seq + " follows batch " + last + "; the vault will not open over it.");
                }
                if (batches == 0) {
                    first = seq;
                }
                last = seq;
                if (apply != null) {
                    apply.accept(decode(payload));
                }
                batches++;
                pos += HEADER + frame;
            }
            return new Contents(batches, first, last, pos, size, sealed);
        } catch (IOException | RuntimeException e) {
            if (e instanceof StorageException se) {
                throw se;
            }
            throw new StorageException("The vault journal " + file + " could not be read: " + e.getMessage(), e);
        }
    }

    /** The sequence number of the last batch appended (or replayed, or continued after). */
    long sequence() {
        return sequence;
    }

    /** Numbers the next batch {@code last + 1} (after an empty journal, from the database's position). */
    void continueAfter(long last) {
        sequence = last;
    }

    /** Appends one batch and forces it to the device; returns only when it is durable. */
    void append(List<Change> changes) {
        int frameLength = 12;
        List<byte[]> keys = new ArrayList<>(changes.size());
        for (Change c : changes) {
            byte[] k = c.key().getBytes(StandardCharsets.US_ASCII);
            keys.add(k);
            frameLength += 1 + 2 + k.length + (c.kind() == Change.Kind.PUT ? 4 + c.value().length : 0);
        }
        if (frameLength > MAX_FRAME) {
            throw new StorageException("A single write is too large for the vault journal.");
        }
        ByteBuffer frame = ByteBuffer.allocate(HEADER + frameLength);
        frame.position(HEADER);
        long seq = sequence + 1;
        frame.putLong(seq);
        frame.putInt(changes.size());
        for (int i = 0; i < changes.size(); i++) {
            Change c = changes.get(i);
            byte[] k = keys.get(i);
            frame.put((byte) c.kind().ordinal());
            frame.putShort((short) k.length);
            frame.put(k);
            if (c.kind() == Change.Kind.PUT) {
                frame.putInt(c.value().length);
                frame.put(c.value());
            }
        }
        frame.putInt(0, frameLength);
        frame.putInt(4, crc32c(frame.array(), HEADER, frameLength));
        frame.flip();
        try {
            while (frame.hasRemaining()) {
                channel.write(frame);
            }
            channel.force(false);
            length += HEADER + frameLength;
            sequence = seq;
        } catch (IOException e) {
            throw new StorageException("The vault journal could not be written: " + e.getMessage(), e);
        }
    }

    /** Takes the last appended batch back out (the database refused it): the journal ends at {@code newLength}. */
    void takeBack(long newLength) {
        truncateTo(newLength);
        sequence--;
    }

    /** Cuts off a partly written frame after a failed append (its batch number was not used). */
    void cutTo(long newLength) {
        truncateTo(newLength);
    }

    /**
     * Empties the journal once everything in it is durable in the database itself (numbering goes
     * on): the sealed segment first, so that a crash in between leaves the current segment, which
     * still reaches the database's last batch.
     */
    void truncate() {
        dropSealed();
        truncateTo(0);
    }

    private void truncateTo(long newLength) {
        try {
            channel.truncate(newLength);
            channel.position(newLength);
            channel.force(false);
            length = newLength;
        } catch (IOException e) {
            throw new StorageException("The vault journal could not be truncated: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new StorageException("The vault journal could not be closed.", e);
        }
    }

    private static List<Change> decode(ByteBuffer b) {
        int count = b.getInt();
        if (count < 0 || count > b.remaining()) {
            throw new StorageException("The vault journal holds a malformed batch.");
        }
        List<Change> out = new ArrayList<>(count);
        Change.Kind[] kinds = Change.Kind.values();
        for (int i = 0; i < count; i++) {
            int kind = b.get();
            if (kind < 0 || kind >= kinds.length) {
                throw new StorageException("The vault journal holds an unknown change kind.");
            }
            byte[] k = new byte[Short.toUnsignedInt(b.getShort())];
            b.get(k);
            byte[] v = null;
            if (kinds[kind] == Change.Kind.PUT) {
                v = new byte[b.getInt()];
                b.get(v);
            }
            out.add(new Change(kinds[kind], new String(k, StandardCharsets.US_ASCII), v));
        }
        return out;
    }

    private static void readFully(FileChannel channel, ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos + dst.position());
            if (n < 0) {
                throw new IOException("unexpected end of journal");
            }
        }
    }

    private static int crc32c(byte[] b, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(b, off, len);
        return (int) crc.getValue();
    }

    /** Makes a new file's directory entry durable (where the platform allows it). */
    static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Not every platform can open a directory for sync; the file's own data is forced anyway.
        }
    }
}
