package dev.keyward.vault.api;

import java.time.Instant;

/**
 * What a backup file holds, as its header and trailer say (no secret in it).
 *
 * @param file          the backup file
 * @param created       when the snapshot was taken
 * @param protection    {@code unseal} (restorable only with the vault's unseal material) or {@code passphrase}
 *                      (restorable with the separate backup passphrase)
 * @param sealType      the seal of the backed-up vault
 * @param records       stored records in the snapshot (0 when only the header was read)
 * @param bytes         the file's length
 * @param sha256        lowercase hex SHA-256 of the file's contents before its trailer
 * @param auditHead     the latest signed audit tree head in the snapshot (covers the backup's own entry)
 * @param logId         the audit log's identity
 */
public record BackupInfo(String file, Instant created, String protection, String sealType, long records, long bytes,
                         String sha256, TreeHead auditHead, String logId) {
    public static final String FOR_UNSEAL = "unseal";
    public static final String FOR_PASSPHRASE = "passphrase";
}
