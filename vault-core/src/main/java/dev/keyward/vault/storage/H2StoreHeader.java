package dev.keyward.vault.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What H2 will come back with after a crash, as far as a checkpoint needs to know it.
 *
 * <p>H2's MVStore writes each commit as a chunk with a version number. After a crash it starts
 * from the newer of two chunks: the one its store header (the first two 4 KiB blocks of
 * {@code vault.mv.db}, two equal copies) names, and the one that ends the file (found by its
 * footer in the file's last 128 bytes); from there it looks only for newer ones. It can miss newer
 * chunks (see docs/architecture.md, "Why H2's own recovery is not trusted"), but it does not come
 * back older than those two. So a commit is durable in the database file itself once the header or
 * the file's last chunk names its version or a newer one, and the file is forced. While H2 appends
 * to a growing file the header names no chunk and the last chunk is the newest; once it reuses
 * space inside the file it rewrites the header (naming the chunk before the one it writes, and at
 * least every 20 versions). A plain {@code CHECKPOINT SYNC} rewrites neither, which is why a
 * checkpoint waits for them instead of trusting a sync.
 */
final class H2StoreHeader {
    private static final int BLOCK = 4096;
    private static final int FOOTER = 128;

    private H2StoreHeader() {
    }

    /**
     * The MVStore version of the last commit on {@code c} (its chunk's version), or -1 where the
     * connection is not an embedded H2 one.
     */
    static long currentVersion(Connection c) {
        try {
            org.h2.engine.Session s = c.unwrap(org.h2.jdbc.JdbcConnection.class).getSession();
            if (s instanceof org.h2.engine.SessionLocal local) {
                return local.getDatabase().getStore().getMvStore().getCurrentVersion();
            }
            return -1;
        } catch (SQLException | RuntimeException | LinkageError e) {
            return -1;
        }
    }

    /**
     * The newest version H2's recovery would start from, as {@code file} stands now (force it
     * afterwards to make that durable): the newer of the store header's and the last chunk's, -1
     * when neither can be read (being rewritten while read: read it again later).
     */
    static long recoverableVersion(FileChannel file) throws IOException {
        return Math.max(headerVersion(file), tailVersion(file));
    }

    /** The version the store header names; -1 when it names none or its two copies differ. */
    static long headerVersion(FileChannel file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(2 * BLOCK);
        if (!readFully(file, b, 0)) {
            return -1;
        }
        String first = line(b.array(), 0, BLOCK);
        String second = line(b.array(), BLOCK, BLOCK);
        if (first == null || !first.equals(second) || !first.startsWith("H:2,")) {
            return -1;
        }
        return field(first, "version");
    }

    /** The version in the footer of the chunk that ends the file; -1 when the file does not end with one. */
    static long tailVersion(FileChannel file) throws IOException {
        long size = file.size();
        if (size < 2 * BLOCK + FOOTER) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.allocate(FOOTER);
        if (!readFully(file, b, size - FOOTER)) {
            return -1;
        }
        String footer = new String(b.array(), StandardCharsets.ISO_8859_1).trim();
        if (!footer.startsWith("chunk:") || !footer.contains(",fletcher:")) {
            return -1;
        }
        return field(footer, "version");
    }

    private static boolean readFully(FileChannel file, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            if (file.read(b, at + b.position()) < 0) {
                return false;
            }
        }
        return true;
    }

    private static long field(String map, String name) {
        for (String f : map.split(",")) {
            if (f.startsWith(name + ":")) {
                try {
                    return Long.parseLong(f.substring(name.length() + 1), 16);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private static String line(byte[] b, int from, int length) {
        for (int i = from; i < from + length; i++) {
            if (b[i] == '\n') {
                return new String(b, from, i - from, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }
}
