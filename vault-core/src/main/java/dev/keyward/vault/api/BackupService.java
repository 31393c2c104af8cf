package dev.keyward.vault.api;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Encrypted backups of the running vault: a consistent snapshot of every stored record and the seal
 * configuration, in one file with a SHA-256 of its contents and the latest signed audit head. Restore
 * is offline, into an empty directory ({@code dev.keyward.vault.Keyward.restore}); see docs/backup.md.
 */
public interface BackupService {

    /**
     * Writes a backup of the vault to {@code file} on the vault host (absolute; an existing file is
     * refused). With a {@code passphrase} the file is encrypted under a key derived from it
     * (Argon2id); without one, under a key wrapped by the vault's root key, so only the same unseal
     * material restores it. Audited before the snapshot is taken; the head in the file covers that
     * entry. If the file cannot be written after that entry, a failure entry is audited, the partial
     * file is removed and a {@link StorageException} says why. The passphrase array is wiped when the
     * call returns.
     *
     * <p>{@code progress} is told the phase and the records and bytes written of the snapshot's
     * records, on the calling thread (keep it quick). Over HTTPS the backup runs as a job on the
     * service and the client polls its progress ({@code /v1/kw/backup/jobs}, docs/server.md).
     */
    BackupInfo backup(Caller caller, Path file, char[] passphrase, Consumer<BackupProgress> progress);

    /** {@link #backup(Caller, Path, char[], Consumer)} without progress reports. */
    default BackupInfo backup(Caller caller, Path file, char[] passphrase) {
        return backup(caller, file, passphrase, BackupProgress.NONE);
    }
}
