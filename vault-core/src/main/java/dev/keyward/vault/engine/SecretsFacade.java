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
    private volatile ApprovalFacade gate;

    /** A read that found the secret critical: it is retried once the approval gate admitted it. */
    private static final class NeedsGrant extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NeedsGrant() {
            super(null, null, false, false);
        }
    }

    interface Guard {
        <T> T run(Supplier<T> call);
    }

    SecretsFacade(Door door, Guard guard) {
        this.door = door;
        this.guard = guard;
    }

    /** The approval gate for critical reads and for destroys. */
    void useGate(ApprovalFacade g) {
        this.gate = g;
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
        ApprovalFacade g = gate;
        java.util.function.Function<SecretVersion, Map<String, String>> details = v -> Map.of("version",
                Integer.toString(v.metadata().version()), "latest", Boolean.toString(version <= 0));
        return guard.run(() -> {
            if (g == null) {
                return door.read(caller, Operation.SECRET_READ, resource(p),
                        (k, who, tx, now) -> k.kv().read(tx, p, version, now), details);
            }
            try {
                // Authorized first (so nobody learns what is critical without read access), then gated.
                return door.read(caller, Operation.SECRET_READ, resource(p),
                        (k, who, tx, now) -> k.kv().read(tx, p, version, now, true).orElseThrow(NeedsGrant::new),
                        details);
            } catch (NeedsGrant critical) {
                g.admitInside(caller, dev.keyward.vault.api.GatedOperation.READ_CRITICAL, resource(p), null);
                return door.read(caller, Operation.SECRET_READ, resource(p),
                        (k, who, tx, now) -> k.kv().read(tx, p, version, now), details);
            }
        });
    }

    /** A destroy: authorized first, then, when the secret is critical or a gate is defined, admitted by the gate. */
    private interface Destroy {
        void run(Unsealed k, dev.keyward.vault.storage.StorageTx tx, java.time.Instant now);
    }

    private void gatedDestroy(Caller caller, Operation op, String p, String what, Destroy act,
                              Map<String, String> details) {
        ApprovalFacade g = gate;
        guard.run(() -> {
            try {
                return door.write(caller, op, resource(p), (k, who, tx, now) -> {
                    if (g != null && g.gated(k, tx, dev.keyward.vault.api.GatedOperation.DESTROY, resource(p))) {
                        throw new NeedsGrant();
                    }
                    act.run(k, tx, now);
                    return null;
                }, x -> details);
            } catch (NeedsGrant gated) {
                g.admitInside(caller, dev.keyward.vault.api.GatedOperation.DESTROY, resource(p), what);
                return door.write(caller, op, resource(p), (k, who, tx, now) -> {
                    act.run(k, tx, now);
                    return null;
                }, x -> details);
            }
        });
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
        gatedDestroy(caller, Operation.SECRET_DESTROY, p, "destroy versions " + versions, (k, tx, now) -> {
            k.kv().destroy(tx, p, versions, now);
        }, versionsDetail(versions));
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
        gatedDestroy(caller, Operation.METADATA_DELETE, p, "destroy every version and the metadata",
                (k, tx, now) -> k.kv().deleteMetadata(tx, p), Map.of(SecretEvents.VERSIONS, "all"));
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
