package dev.keyward.vault.secrets;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** A secret's stored metadata (sealed by the barrier). Mutable within one transaction. */
final class MetaRecord {
    public String path;
    public Instant createdTime;
    public Instant updatedTime;
    public int currentVersion;
    public int oldestVersion;
    public int maxVersions;
    public boolean casRequired;
    public long deleteVersionAfterSeconds;
    public Map<String, String> customMetadata = new TreeMap<>();
    public TreeMap<Integer, VersionRec> versions = new TreeMap<>();

    public static final class VersionRec {
        public Instant createdTime;
        public Instant deletionTime;
        public boolean destroyed;

        public VersionRec() {
        }

        VersionRec(Instant createdTime, Instant deletionTime) {
            this.createdTime = createdTime;
            this.deletionTime = deletionTime;
        }
    }
}
