package dev.keyward.vault.api;

import java.nio.file.Path;

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
     * entry.
     */
    BackupInfo backup(Caller caller, Path file, char[] passphrase);
}
