package dev.keyward.vault.api;

import java.util.function.Consumer;

/**
 * How far a backup or a restore has come (counts only, never a key or value). A backup reports
 * {@link Phase#PREPARING} (audit entry, tree head, key wrapping), {@link Phase#COUNTING} (the
 * snapshot's records), {@link Phase#WRITING} (records and bytes written of the known number of
 * records), {@link Phase#FINISHING} (sync and move into place) and {@link Phase#DONE}. A restore
 * reports {@link Phase#CHECKING} (the file's SHA-256: bytes read of the file's length),
 * {@link Phase#RESTORING} (encrypted bytes read of the body's length, records so far),
 * {@link Phase#FINISHING} and {@link Phase#DONE}. Over HTTPS the same reports arrive as the client
 * polls the backup job on the service (a fifth of a second apart).
 *
 * @param phase        where the work is
 * @param records      records written or read so far
 * @param totalRecords the snapshot's records (a backup once counted; -1 when not known)
 * @param bytes        bytes written (backup) or read (restore) so far in this phase
 * @param totalBytes   the bytes this phase covers (-1 when not known, as while a backup writes)
 */
public record BackupProgress(Phase phase, long records, long totalRecords, long bytes, long totalBytes) {
    /** Ignores every report. */
    public static final Consumer<BackupProgress> NONE = p -> { };

    public enum Phase { PREPARING, COUNTING, WRITING, CHECKING, RESTORING, FINISHING, DONE }

    public static BackupProgress of(Phase phase) {
        return new BackupProgress(phase, 0, -1, 0, -1);
    }

    /**
     * The fraction done, 0 to 1, or -1 when it is not known (a progress bar is then indeterminate):
     * records of the total while a backup writes, bytes of the total while a restore checks or reads.
     */
    public double fraction() {
        return switch (phase) {
            case DONE -> 1;
            case WRITING -> totalRecords > 0 ? Math.min(1, (double) records / totalRecords) : -1;
            case CHECKING, RESTORING -> totalBytes > 0 ? Math.min(1, (double) bytes / totalBytes) : -1;
            default -> -1;
        };
    }

    /** One line for people, e.g. "Writing: 1,200 of 5,000 records (2.1 MB)". */
    public String describe() {
        return switch (phase) {
            case PREPARING -> "Preparing: audit entry, signed tree head and key";
            case COUNTING -> "Taking the snapshot";
            case WRITING -> "Writing: " + String.format(java.util.Locale.ROOT, "%,d", records) + (totalRecords >= 0
                    ? " of " + String.format(java.util.Locale.ROOT, "%,d", totalRecords) : "") + " records (" + size(bytes) + ")";
            case CHECKING -> "Checking the SHA-256: " + size(bytes) + " of " + size(totalBytes);
            case RESTORING -> "Restoring: " + String.format(java.util.Locale.ROOT, "%,d", records) + " records (" + size(bytes) + " of "
                    + size(totalBytes) + ")";
            case FINISHING -> "Finishing: syncing and moving into place";
            case DONE -> "Done";
        };
    }

    /** A byte count as people read it (kB, MB, GB; powers of 1000). */
    public static String size(long bytes) {
        if (bytes < 0) {
            return "?";
        }
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
