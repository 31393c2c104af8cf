package dev.keyward.vault.api;

/** Told how far a long audit operation (verification, export) has come. */
@FunctionalInterface
public interface AuditProgress {
    AuditProgress NONE = (done, total) -> { };

    /** {@code done} of {@code total} entries so far (total may be -1 when unknown). */
    void progress(long done, long total);
}
