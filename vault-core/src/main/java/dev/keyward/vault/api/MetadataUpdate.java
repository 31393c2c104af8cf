package dev.keyward.vault.api;

import java.time.Duration;
import java.util.Map;

/**
 * A change to a secret's metadata; null components leave the current value alone.
 * {@code customMetadata}, when given, replaces the whole map.
 */
public record MetadataUpdate(Integer maxVersions, Boolean casRequired, Duration deleteVersionAfter,
                             Map<String, String> customMetadata) {
    public MetadataUpdate {
        if (maxVersions != null && maxVersions < 0) {
            throw new InvalidRequestException("max_versions must not be negative.");
        }
        if (deleteVersionAfter != null && deleteVersionAfter.isNegative()) {
            throw new InvalidRequestException("delete_version_after must not be negative.");
        }
        customMetadata = customMetadata == null ? null : Map.copyOf(customMetadata);
    }
}
