package dev.keyward.vault.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A secret's metadata across versions, as KV v2 reports it.
 *
 * @param maxVersions        versions kept (0 = the mount default)
 * @param deleteVersionAfter soft-delete versions this long after writing (zero = never)
 */
public record SecretMetadata(String path, boolean casRequired, Instant createdTime, int currentVersion,
                             Map<String, String> customMetadata, Duration deleteVersionAfter, int maxVersions,
                             int oldestVersion, Instant updatedTime, SortedMap<Integer, VersionMetadata> versions) {
    public SecretMetadata {
        customMetadata = Map.copyOf(customMetadata);
        versions = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(versions));
    }
}
