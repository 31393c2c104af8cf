package dev.keyward.vault.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/** Says in plain words why storage failed: above all, a full disk. */
final class StorageFailures {
    /** Below this much free space a failed write is taken to be a full disk. */
    private static final long NEARLY_FULL = 1024 * 1024;

    private StorageFailures() {
    }

    /** H2's "the database has been closed" (after a failed write to its file it closes itself). */
    static final int H2_DATABASE_CLOSED = 90098;

    /**
     * Whether the disk holding {@code dir} is full now: little free space, or (where the free space
     * cannot be read) a failure that says so. A failure that said so earlier, on a disk that has
     * space again, is not a full disk any more.
     */
    static boolean diskFull(Throwable e, Path dir) {
        long free = free(dir);
        if (free >= 0) {
            return free < NEARLY_FULL;
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("ENOSPC")
                    || m.contains("There is not enough space on the disk"))) {
                return true;
            }
        }
        return false;
    }

    /** Whether H2 closed the database (it must be reopened before anything else works). */
    static boolean databaseClosed(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SQLException sql && sql.getErrorCode() == H2_DATABASE_CLOSED) {
                return true;
            }
        }
        return false;
    }

    private static long free(Path dir) {
        if (dir == null) {
            return -1;
        }
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A sentence for operators (no stack trace, no SQL, no value). */
    static String describe(Throwable e, Path dir) {
        if (diskFull(e, dir)) {
            long free = free(dir);
            return "The disk holding the vault" + (dir == null ? "" : " (" + dir + ")") + " is full"
                    + (free >= 0 ? " (" + free / 1024 + " KiB free)" : "") + ": writes are refused until space is"
                    + " freed, and then resume by themselves. Nothing acknowledged was lost.";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (databaseClosed(e)) {
            return "The vault database closed itself after a failed write and is being reopened; writes resume by"
                    + " themselves.";
        }
        if (root instanceof SQLException sql) {
            return "The vault database failed (H2 error " + sql.getErrorCode() + "); writes resume by themselves once"
                    + " it can be reopened.";
        }
        return "The vault's storage failed (" + root.getClass().getSimpleName() + (root.getMessage() == null ? ""
                : ": " + root.getMessage()) + ").";
    }
}
