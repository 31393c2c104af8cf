package dev.keyward.vault.api;

import java.time.Instant;
import java.util.Map;

/**
 * One version's metadata, as KV v2 reports it.
 *
 * @param version        the version number (from 1)
 * @param createdTime    when it was written
 * @param deletionTime   when it was (or will be) soft-deleted, or null
 * @param destroyed      whether its data is gone for good
 * @param customMetadata the secret's custom metadata at the time of the answer
 */
public record VersionMetadata(int version, Instant createdTime, Instant deletionTime, boolean destroyed,
                              Map<String, String> customMetadata) {
    public VersionMetadata {
        customMetadata = customMetadata == null ? Map.of() : Map.copyOf(customMetadata);
    }

    /** Whether the version is soft-deleted at the given time. */
    public boolean deletedAt(Instant now) {
        return deletionTime != null && !deletionTime.isAfter(now);
    }
}
