package dev.keyward.vault.api;

import java.util.Objects;

/**
 * A read answer: the version's data, or null when that version is deleted or destroyed (the
 * metadata then says which).
 */
public record SecretVersion(String path, SecretData data, VersionMetadata metadata) {
    public SecretVersion {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(metadata, "metadata");
    }

    public boolean hasData() {
        return data != null;
    }
}
