package dev.keyward.vault.api;

import java.time.Duration;

/**
 * Mount-wide KV defaults.
 *
 * @param maxVersions        versions kept per secret unless its metadata says otherwise (default 10)
 * @param casRequired        whether every write must carry a check-and-set version
 * @param deleteVersionAfter soft-delete versions this long after writing (zero = never)
 */
public record KvConfig(int maxVersions, boolean casRequired, Duration deleteVersionAfter) {
    public static final KvConfig DEFAULT = new KvConfig(10, false, Duration.ZERO);

    public KvConfig {
        if (maxVersions < 1) {
            throw new InvalidRequestException("max_versions must be at least 1.");
        }
        if (deleteVersionAfter == null || deleteVersionAfter.isNegative()) {
            throw new InvalidRequestException("delete_version_after must be zero or positive.");
        }
    }
}
