package dev.keyward.vault.engine;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.KvConfig;
import dev.keyward.vault.api.MetadataUpdate;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.SecretMetadata;
import dev.keyward.vault.api.SecretPatch;
import dev.keyward.vault.api.SecretPaths;
import dev.keyward.vault.api.SecretVersion;
import dev.keyward.vault.api.SecretsService;
import dev.keyward.vault.api.VersionMetadata;
import dev.keyward.vault.events.SecretEvents;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** {@link SecretsService} through the guarded door. */
final class SecretsFacade implements SecretsService {
    private static final String MOUNT = "secret/";

    private final Door door;
    private final Guard guard;

    interface Guard {
        <T> T run(Supplier<T> call);
    }

    SecretsFacade(Door door, Guard guard) {
        this.door = door;
        this.guard = guard;
    }

    /** The audited resource name of a path: the mount plus the path, as policies see it. */
    private static String resource(String path) {
        return MOUNT + SecretPaths.normalize(path);
    }

    /** What a watcher needs in the audit entry of a write: the new version (never a value). */
    private static Map<String, String> versionDetail(VersionMetadata v) {
        return Map.of(SecretEvents.VERSION, Integer.toString(v.version()));
    }

    private static Map<String, String> versionsDetail(List<Integer> versions) {
        return versions == null || versions.isEmpty() ? Map.of()
                : Map.of(SecretEvents.VERSIONS, SecretEvents.versions(versions));
    }

    @Override
    public SecretVersion read(Caller caller, String path, int version) {
        String p = SecretPaths.normalize(path);
        return guard.run(() -> door.read(caller, Operation.SECRET_READ, resource(p),
                (k, who, tx, now) -> k.kv().read(tx, p, version, now),
                v -> Map.of("version", Integer.toString(v.metadata().version()),
                        "latest", Boolean.toString(version <= 0))));
    }

    @Override
    public VersionMetadata write(Caller caller, String path, SecretData data, Integer cas) {
        String p = SecretPaths.normalize(path);
        return guard.run(() -> door.write(caller, Operation.SECRET_WRITE, resource(p),
                (k, who, tx, now) -> k.kv().write(tx, p, data, cas, now), SecretsFacade::versionDetail));
    }

    @Override
    public VersionMetadata patch(Caller caller, String path, SecretPatch patch, Integer cas) {
        String p = SecretPaths.normalize(path);
        return guard.run(() -> door.write(caller, Operation.SECRET_PATCH, resource(p),
                (k, who, tx, now) -> k.kv().patch(tx, p, patch, cas, now), SecretsFacade::versionDetail));
    }

    @Override
    public void deleteLatest(Caller caller, String path) {
        String p = SecretPaths.normalize(path);
        guard.run(() -> door.write(caller, Operation.SECRET_DELETE, resource(p), (k, who, tx, now) -> {
            int current = k.kv().readMetadata(tx, p).currentVersion();
            k.kv().deleteLatest(tx, p, now);
            return current;
        }, v -> Map.of(SecretEvents.VERSION, Integer.toString(v), SecretEvents.VERSIONS, Integer.toString(v))));
    }

    @Override
    public void delete(Caller caller, String path, List<Integer> versions) {
        String p = SecretPaths.normalize(path);
        guard.run(() -> door.write(caller, Operation.SECRET_DELETE, resource(p), (k, who, tx, now) -> {
            k.kv().delete(tx, p, versions, now);
            return null;
        }, x -> versionsDetail(versions)));
    }

    @Override
    public void undelete(Caller caller, String path, List<Integer> versions) {
        String p = SecretPaths.normalize(path);
        guard.run(() -> door.write(caller, Operation.SECRET_UNDELETE, resource(p), (k, who, tx, now) -> {
            k.kv().undelete(tx, p, versions, now);
            return null;
        }, x -> versionsDetail(versions)));
    }

    @Override
    public void destroy(Caller caller, String path, List<Integer> versions) {
        String p = SecretPaths.normalize(path);
        guard.run(() -> door.write(caller, Operation.SECRET_DESTROY, resource(p), (k, who, tx, now) -> {
            k.kv().destroy(tx, p, versions, now);
            return null;
        }, x -> versionsDetail(versions)));
    }

    @Override
    public SecretMetadata readMetadata(Caller caller, String path) {
        String p = SecretPaths.normalize(path);
        return guard.run(() -> door.read(caller, Operation.METADATA_READ, resource(p),
                (k, who, tx, now) -> k.kv().readMetadata(tx, p)));
    }

    @Override
    public void writeMetadata(Caller caller, String path, MetadataUpdate update) {
        String p = SecretPaths.normalize(path);
        guard.run(() -> door.write(caller, Operation.METADATA_WRITE, resource(p), (k, who, tx, now) -> {
            k.kv().writeMetadata(tx, p, update, now);
            return null;
        }, x -> Map.of("metadata", "changed")));
    }

    @Override
    public void deleteMetadata(Caller caller, String path) {
        String p = SecretPaths.normalize(path);
        guard.run(() -> door.write(caller, Operation.METADATA_DELETE, resource(p), (k, who, tx, now) -> {
            k.kv().deleteMetadata(tx, p);
            return null;
        }, x -> Map.of(SecretEvents.VERSIONS, "all")));
    }

    @Override
    public List<String> list(Caller caller, String folder) {
        String f = SecretPaths.normalize(folder);
        return guard.run(() -> door.read(caller, Operation.SECRET_LIST, resource(f),
                (k, who, tx, now) -> k.kv().list(tx, f)));
    }

    @Override
    public KvConfig readConfig(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.KV_CONFIG_READ, MOUNT + "config",
                (k, who, tx, now) -> k.kv().config(tx)));
    }

    @Override
    public void writeConfig(Caller caller, KvConfig config) {
        guard.run(() -> door.write(caller, Operation.KV_CONFIG_WRITE, MOUNT + "config", (k, who, tx, now) -> {
            k.kv().writeConfig(tx, config);
            return null;
        }));
    }
}
