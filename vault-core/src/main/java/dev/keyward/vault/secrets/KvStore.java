package dev.keyward.vault.secrets;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.keyward.vault.api.CasMismatchException;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.KvConfig;
import dev.keyward.vault.api.MetadataUpdate;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.SecretMetadata;
import dev.keyward.vault.api.SecretPatch;
import dev.keyward.vault.api.SecretPaths;
import dev.keyward.vault.api.SecretVersion;
import dev.keyward.vault.api.VersionMetadata;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.DestroyableKey;
import dev.keyward.vault.crypto.Hmac;
import dev.keyward.vault.identity.Records;
import dev.keyward.vault.storage.StorageTx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * KV v2 semantics over untrusted storage. Layout (every identifier is a keyed hash of a path):
 * <ul>
 * <li>{@code kv/config}: mount defaults</li>
 * <li>{@code kv/m/<id(path)>}: the secret's metadata and version table</li>
 * <li>{@code kv/d/<id(path)>/<version>}: one version's fields</li>
 * <li>{@code kv/n/<id(folder)>/<id(child)>}: a directory entry holding the child's name</li>
 * </ul>
 * Every value is sealed by the barrier, bound to its key (and version), so nothing readable is
 * stored and a ciphertext moved elsewhere fails its integrity check.
 */
public final class KvStore {
    private static final String CONFIG = "kv/config";
    private static final TypeReference<TreeMap<String, String>> FIELDS = new TypeReference<>() {
    };

    private final Barrier barrier;
    private final DestroyableKey indexKey;
    /** What a read needs of a secret's metadata record, kept while the record's bytes are unchanged. */
    private final Records.Cache<Readable> readables;

    public KvStore(Barrier barrier, DestroyableKey indexKey) {
        this.barrier = barrier;
        this.indexKey = indexKey;
        this.readables = new Records.Cache<>(barrier, "kv.meta",
                plain -> Readable.of(Records.decode(plain, MetaRecord.class)), 4096);
    }

    /**
     * An immutable view of a metadata record for reads: the current version, each version's
     * metadata, and whether the secret is marked critical (which gates its reads).
     */
    private record Readable(int currentVersion, Map<Integer, VersionMetadata> versions, boolean critical) {
        static Readable of(MetaRecord m) {
            Map<Integer, VersionMetadata> versions = new HashMap<>();
            m.versions.forEach((v, rec) -> versions.put(v, versionMetadata(m, v, rec)));
            boolean critical = m.customMetadata != null && CRITICAL.equals(m.customMetadata.get(CRITICALITY));
            return new Readable(m.currentVersion, Map.copyOf(versions), critical);
        }
    }

    /** The custom metadata key and value that mark a secret critical (docs/approvals.md). */
    public static final String CRITICALITY = "criticality";
    public static final String CRITICAL = "critical";

    String id(String pathOrFolder) {
        return Hmac.id(indexKey, "kv.path", pathOrFolder);
    }

    private String metaKey(String path) {
        return metaKeyOf(id(path));
    }

    private String dataKey(String path, int version) {
        return dataKeyOf(id(path), version);
    }

    static String metaKeyOf(String pathId) {
        return "kv/m/" + pathId;
    }

    /** The version as ten digits, so that a secret's versions sort in order. */
    static String dataKeyOf(String pathId, int version) {
        String digits = Integer.toString(version);
        return "kv/d/" + pathId + "/" + "0".repeat(Math.max(0, 10 - digits.length())) + digits;
    }

    // ---- config ----

    public KvConfig config(StorageTx tx) {
        ConfigRec c = Records.get(tx, barrier, "kv.config", CONFIG, ConfigRec.class);
        return c == null ? KvConfig.DEFAULT
                : new KvConfig(c.maxVersions, c.casRequired, Duration.ofSeconds(c.deleteVersionAfterSeconds));
    }

    public void writeConfig(StorageTx tx, KvConfig config) {
        ConfigRec c = new ConfigRec();
        c.maxVersions = config.maxVersions();
        c.casRequired = config.casRequired();
        c.deleteVersionAfterSeconds = config.deleteVersionAfter().toSeconds();
        Records.put(tx, barrier, "kv.config", CONFIG, c);
    }

    static final class ConfigRec {
        public int maxVersions;
        public boolean casRequired;
        public long deleteVersionAfterSeconds;
    }

    // ---- reads ----

    private MetaRecord meta(StorageTx tx, String path) {
        return Records.get(tx, barrier, "kv.meta", metaKey(path), MetaRecord.class);
    }

    private MetaRecord existing(StorageTx tx, String path) {
        MetaRecord m = meta(tx, path);
        if (m == null) {
            throw noSecret(tx, path);
        }
        return m;
    }

    /**
     * A secret with no metadata record: absent, unless its folder still lists it, in which case
     * its record was lost (its storage key damaged, or the record removed) and that is damage.
     */
    private RuntimeException noSecret(StorageTx tx, String path) {
        if (tx.get(nodeKey(path)) != null) {
            return new dev.keyward.vault.api.IntegrityException("The secret " + path + " is listed in its folder but"
                    + " its record is missing from storage: the vault's storage is damaged. Run 'keyward check"
                    + " storage', and restore the vault directory from a backup.");
        }
        return new NotFoundException("No secret at " + path + ".");
    }

    /** The directory entry of a secret in its folder. */
    String nodeKey(String path) {
        int slash = path.lastIndexOf('/');
        return "kv/n/" + id(slash < 0 ? "" : path.substring(0, slash + 1)) + "/" + id(path);
    }

    /** Checks every KV record for {@code keyward check storage} (see {@link KvCheck}); returns the secrets found. */
    public long check(StorageTx tx, KvCheck.Problems problems) {
        KvCheck c = new KvCheck(this, barrier, tx, problems);
        c.run();
        return c.secrets();
    }

    public SecretVersion read(StorageTx tx, String path, int version, Instant now) {
        return read(tx, path, version, now, false).orElseThrow();
    }

    /** Whether the secret at {@code path} is marked critical; false when there is none. */
    public boolean critical(StorageTx tx, String path) {
        SecretPaths.validateSecretPath(path);
        Readable m = readables.get(tx, metaKey(path));
        return m != null && m.critical();
    }

    /**
     * A read, or empty when {@code unlessCritical} is set and the secret is critical (the caller
     * then goes through the approval gate): one lookup of the metadata answers both.
     */
    public java.util.Optional<SecretVersion> read(StorageTx tx, String path, int version, Instant now,
                                                  boolean unlessCritical) {
        SecretPaths.validateSecretPath(path);
        if (version < 0) {
            throw new InvalidRequestException("A version is 0 (current) or a positive number.");
        }
        String pathId = id(path); // one keyed hash for both keys of a read
        Readable m = readables.get(tx, metaKeyOf(pathId));
        if (m == null) {
            throw noSecret(tx, path);
        }
        if (unlessCritical && m.critical()) {
            return java.util.Optional.empty();
        }
        int v = version == 0 ? m.currentVersion() : version;
        VersionMetadata vm = m.versions().get(v);
        if (vm == null) {
            throw new NotFoundException("No version " + v + " of " + path + ".");
        }
        if (vm.destroyed() || vm.deletedAt(now)) {
            return java.util.Optional.of(new SecretVersion(path, null, vm));
        }
        String key = dataKeyOf(pathId, v);
        byte[] sealed = tx.get(key);
        if (sealed == null) {
            throw new dev.keyward.vault.api.IntegrityException("Version " + v + " of a secret is missing from storage.");
        }
        byte[] plain = barrier.open(new Barrier.Binding("kv.data", key, v), sealed);
        try {
            TreeMap<String, String> fields = Records.JSON.readValue(plain, FIELDS);
            return java.util.Optional.of(new SecretVersion(path, SecretData.of(fields), vm));
        } catch (java.io.IOException e) {
            throw new dev.keyward.vault.api.IntegrityException("A secret version could not be parsed.");
        } finally {
            java.util.Arrays.fill(plain, (byte) 0);
        }
    }

    public SecretMetadata readMetadata(StorageTx tx, String path) {
        SecretPaths.validateSecretPath(path);
        MetaRecord m = existing(tx, path);
        TreeMap<Integer, VersionMetadata> versions = new TreeMap<>();
        m.versions.forEach((v, rec) -> versions.put(v, versionMetadata(m, v, rec)));
        return new SecretMetadata(m.path, m.casRequired, m.createdTime, m.currentVersion, m.customMetadata,
                Duration.ofSeconds(m.deleteVersionAfterSeconds), m.maxVersions, m.oldestVersion, m.updatedTime,
                versions);
    }

    public List<String> list(StorageTx tx, String folder) {
        SecretPaths.validateFolder(folder);
        String prefix = "kv/n/" + id(folder) + "/";
        List<String> names = new ArrayList<>();
        String after = null;
        while (true) {
            List<StorageTx.Entry> page = tx.scan(prefix, after, 1000);
            for (StorageTx.Entry e : page) {
                names.add(new String(barrier.open(Barrier.Binding.of("kv.node", e.key()), e.value()),
                        StandardCharsets.UTF_8));
            }
            if (page.size() < 1000) {
                break;
            }
            after = page.get(page.size() - 1).key();
        }
        names.sort(null);
        return names;
    }

    // ---- writes ----

    public VersionMetadata write(StorageTx tx, String path, SecretData data, Integer cas, Instant now) {
        SecretPaths.validateSecretPath(path);
        SecretLimits.checkData(data.fields());
        KvConfig config = config(tx);
        MetaRecord m = meta(tx, path);
        boolean casRequired = config.casRequired() || (m != null && m.casRequired);
        if (cas == null && casRequired) {
            throw new InvalidRequestException("check-and-set parameter required for this call");
        }
        int current = m == null ? 0 : m.currentVersion;
        if (cas != null && cas != current) {
            throw new CasMismatchException();
        }
        if (m == null) {
            refuseIfListed(tx, path);
            m = new MetaRecord();
            m.path = path;
            m.createdTime = now;
            addNodes(tx, path);
        }
        int v = m.currentVersion + 1;
        long dva = m.deleteVersionAfterSeconds > 0 ? m.deleteVersionAfterSeconds
                : config.deleteVersionAfter().toSeconds();
        m.versions.put(v, new MetaRecord.VersionRec(now, dva > 0 ? now.plusSeconds(dva) : null));
        m.currentVersion = v;
        if (m.oldestVersion == 0) {
            m.oldestVersion = v;
        }
        m.updatedTime = now;
        putData(tx, path, v, data);
        prune(tx, m, config);
        saveMeta(tx, m);
        return versionMetadata(m, v, m.versions.get(v));
    }

    public VersionMetadata patch(StorageTx tx, String path, SecretPatch patch, Integer cas, Instant now) {
        SecretVersion current = read(tx, path, 0, now);
        if (!current.hasData()) {
            throw new NotFoundException("The current version of " + path + " is deleted or destroyed; nothing to patch.");
        }
        TreeMap<String, String> merged = new TreeMap<>(current.data().fields());
        patch.remove().forEach(merged::remove);
        merged.putAll(patch.set());
        return write(tx, path, SecretData.of(merged), cas, now);
    }

    public void deleteLatest(StorageTx tx, String path, Instant now) {
        SecretPaths.validateSecretPath(path);
        MetaRecord m = meta(tx, path);
        if (m == null || m.currentVersion == 0) {
            return;
        }
        MetaRecord.VersionRec rec = m.versions.get(m.currentVersion);
        if (rec != null && !rec.destroyed && (rec.deletionTime == null || rec.deletionTime.isAfter(now))) {
            rec.deletionTime = now;
            m.updatedTime = now;
            saveMeta(tx, m);
        }
    }

    public void delete(StorageTx tx, String path, List<Integer> versions, Instant now) {
        changeVersions(tx, path, versions, now, rec -> {
            if (!rec.destroyed && (rec.deletionTime == null || rec.deletionTime.isAfter(now))) {
                rec.deletionTime = now;
            }
        }, null);
    }

    public void undelete(StorageTx tx, String path, List<Integer> versions, Instant now) {
        changeVersions(tx, path, versions, now, rec -> {
            if (!rec.destroyed) {
                rec.deletionTime = null;
            }
        }, null);
    }

    public void destroy(StorageTx tx, String path, List<Integer> versions, Instant now) {
        changeVersions(tx, path, versions, now, rec -> rec.destroyed = true, v -> tx.delete(dataKey(path, v)));
    }

    private void changeVersions(StorageTx tx, String path, List<Integer> versions, Instant now,
                                java.util.function.Consumer<MetaRecord.VersionRec> change,
                                java.util.function.IntConsumer alsoForVersion) {
        SecretPaths.validateSecretPath(path);
        if (versions == null || versions.isEmpty()) {
            throw new InvalidRequestException("No versions given.");
        }
        for (Integer v : versions) {
            if (v == null || v < 1) {
                throw new InvalidRequestException("Versions are positive numbers.");
            }
        }
        MetaRecord m = meta(tx, path);
        if (m == null) {
            return;
        }
        for (int v : versions) {
            MetaRecord.VersionRec rec = m.versions.get(v);
            if (rec != null) {
                change.accept(rec);
                if (alsoForVersion != null) {
                    alsoForVersion.accept(v);
                }
            }
        }
        m.updatedTime = now;
        saveMeta(tx, m);
    }

    public void writeMetadata(StorageTx tx, String path, MetadataUpdate u, Instant now) {
        SecretPaths.validateSecretPath(path);
        if (u.customMetadata() != null) {
            SecretLimits.checkCustomMetadata(u.customMetadata());
        }
        MetaRecord m = meta(tx, path);
        if (m == null) {
            refuseIfListed(tx, path);
            m = new MetaRecord();
            m.path = path;
            m.createdTime = now;
            addNodes(tx, path);
        }
        if (u.maxVersions() != null) {
            m.maxVersions = u.maxVersions();
        }
        if (u.casRequired() != null) {
            m.casRequired = u.casRequired();
        }
        if (u.deleteVersionAfter() != null) {
            m.deleteVersionAfterSeconds = u.deleteVersionAfter().toSeconds();
        }
        if (u.customMetadata() != null) {
            m.customMetadata = new TreeMap<>(u.customMetadata());
        }
        m.updatedTime = now;
        saveMeta(tx, m);
    }

    public void deleteMetadata(StorageTx tx, String path) {
        SecretPaths.validateSecretPath(path);
        MetaRecord m = meta(tx, path);
        if (m == null) {
            return;
        }
        tx.deletePrefix("kv/d/" + id(path) + "/");
        tx.delete(metaKey(path));
        removeNodes(tx, path);
    }

    // ---- internals ----

    /** A new secret where the folder already lists one: its record was lost, and starting over would hide that. */
    private void refuseIfListed(StorageTx tx, String path) {
        if (tx.get(nodeKey(path)) != null) {
            throw noSecret(tx, path);
        }
    }

    private void putData(StorageTx tx, String path, int v, SecretData data) {
        String key = dataKey(path, v);
        byte[] plain = Records.encode(data.fields());
        try {
            tx.put(key, barrier.seal(new Barrier.Binding("kv.data", key, v), plain));
        } finally {
            java.util.Arrays.fill(plain, (byte) 0);
        }
    }

    private void saveMeta(StorageTx tx, MetaRecord m) {
        Records.put(tx, barrier, "kv.meta", metaKey(m.path), m);
    }

    /** Keeps at most max_versions versions: the oldest go, ciphertext included. */
    private void prune(StorageTx tx, MetaRecord m, KvConfig config) {
        int max = m.maxVersions > 0 ? m.maxVersions : config.maxVersions();
        while (m.versions.size() > max) {
            int oldest = m.versions.firstKey();
            m.versions.remove(oldest);
            tx.delete(dataKey(m.path, oldest));
        }
        m.oldestVersion = m.versions.isEmpty() ? 0 : m.versions.firstKey();
    }

    private static VersionMetadata versionMetadata(MetaRecord m, int v, MetaRecord.VersionRec rec) {
        return new VersionMetadata(v, rec.createdTime, rec.deletionTime, rec.destroyed, m.customMetadata);
    }

    /** Adds directory entries for every level of the path. */
    private void addNodes(StorageTx tx, String path) {
        String folder = "";
        String[] segments = path.split("/");
        for (int i = 0; i < segments.length; i++) {
            boolean leaf = i == segments.length - 1;
            String name = leaf ? segments[i] : segments[i] + "/";
            String child = folder + name;
            String key = "kv/n/" + id(folder) + "/" + id(child);
            if (tx.get(key) == null) {
                tx.put(key, barrier.seal(Barrier.Binding.of("kv.node", key), name.getBytes(StandardCharsets.UTF_8)));
            }
            folder = child;
        }
    }

    /** Removes the path's entry and every folder left empty by that. */
    private void removeNodes(StorageTx tx, String path) {
        String[] segments = path.split("/");
        String child = path;
        for (int i = segments.length - 1; i >= 0; i--) {
            String folder = i == 0 ? "" : String.join("/", java.util.Arrays.copyOfRange(segments, 0, i)) + "/";
            tx.delete("kv/n/" + id(folder) + "/" + id(child));
            if (i == 0 || !tx.scan("kv/n/" + id(folder) + "/", null, 1).isEmpty()) {
                break;
            }
            child = folder;
        }
    }
}
