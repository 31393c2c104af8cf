package dev.keyward.vault.engine;

import dev.keyward.vault.api.AlertService;
import dev.keyward.vault.api.AlertSpec;
import dev.keyward.vault.api.ApprovalGate;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.GatedOperation;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.RotationRun;
import dev.keyward.vault.api.RotationService;
import dev.keyward.vault.api.RotationTrigger;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.SecretPaths;
import dev.keyward.vault.api.SecretVersion;
import dev.keyward.vault.crypto.Keyring;
import dev.keyward.vault.policy.BuiltInPolicies;
import dev.keyward.vault.rotation.RotationHost;
import dev.keyward.vault.rotation.RotationJob;
import dev.keyward.vault.rotation.RotationStepException;
import dev.keyward.vault.rotation.RotationStore;
import dev.keyward.vault.rotation.RotationStore.RunRec;
import dev.keyward.vault.rotation.RotationStore.StateRec;
import dev.keyward.vault.rotation.RotationPlan;
import dev.keyward.vault.rotation.Rotations;
import dev.keyward.vault.rotation.RotatorRegistry;
import dev.keyward.vault.rotation.Schedule;
import dev.keyward.vault.storage.StorageTx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link RotationService} through the guarded door, and the rotation job's access to the vault
 * ({@link RotationHost}): every step a rotation takes is a door call of the rotation job's system
 * principal, audited and durable before the step runs.
 */
final class RotationFacade implements RotationService {
    static final String SYS = "sys/rotation/";
    /** How often the scheduler looks for due rotations (a system property overrides it, e.g. for a demo). */
    static final Duration TICK = Duration.parse(System.getProperty("keyward.rotation.tick", "PT15S"));

    private final Engine engine;
    private final Door door;
    private final SecretsFacade.Guard guard;
    private final Supplier<ApprovalGate> gate;
    private volatile Supplier<AlertService> alerts;
    private final Rotations rotations;
    private final RotationJob job;

    RotationFacade(Engine engine, Door door, SecretsFacade.Guard guard, Supplier<ApprovalGate> gate,
                   Supplier<AlertService> alerts, RotatorRegistry registry) {
        this.engine = engine;
        this.door = door;
        this.guard = guard;
        this.gate = gate;
        this.alerts = alerts;
        registry.register(new dev.keyward.vault.rotation.X509Rotator(() -> dev.keyward.vault.server.LocalCa
                .loadOrCreate(engine.sealedBlobs(), engine.clock().instant())));
        this.rotations = new Rotations(new Host(), registry);
        this.job = new RotationJob(rotations, TICK);
    }

    /** Replaces where "needs attention" raises its alerts (the engine passes its alert service; tests record instead). */
    void useAlerts(Supplier<AlertService> a) {
        this.alerts = a;
    }

    Rotations rotations() {
        return rotations;
    }

    RotationJob job() {
        return job;
    }

    /** Rotations run only when asked for by {@link #runOne}: the scheduler never starts (a scratch copy). */
    private volatile boolean byHand;

    void unsealed() {
        if (!byHand) {
            job.start();
        }
    }

    /** Keeps the scheduler stopped from now on: no schedule, retry or queued run starts by itself. */
    void byHand() {
        byHand = true;
        job.stop();
    }

    /** Runs what is due for one secret now, on the caller's thread (its queued run included). */
    void runOne(String path) {
        rotations.runOne(path(path));
    }

    void sealed() {
        job.stop();
    }

    void close() {
        job.stop();
        rotations.close();
    }

    /** The store of the unsealed keys last used (it keeps what the scheduler's pass needs between passes). */
    private static volatile Object[] lastStore = {null, null};

    static RotationStore store(Unsealed k) {
        Object[] last = lastStore;
        if (last[0] == k) {
            return (RotationStore) last[1];
        }
        RotationStore s = new RotationStore(k.barrier(), k.keyring().named(Keyring.INDEX_KEY));
        lastStore = new Object[] {k, s};
        return s;
    }

    private static String path(String path) {
        String p = SecretPaths.normalize(path);
        SecretPaths.validateSecretPath(p);
        return p;
    }

    private static StateRec existing(RotationStore store, StorageTx tx, String p) {
        StateRec s = store.state(tx, p);
        if (s == null) {
            throw new NotFoundException("secret/" + p + " has no rotation configured.");
        }
        return s;
    }

    private static Map<String, String> custom(Unsealed k, StorageTx tx, String p) {
        try {
            return k.kv().readMetadata(tx, p).customMetadata();
        } catch (NotFoundException none) {
            return Map.of();
        }
    }

    // ------------------------------------------------------------ RotationService

    @Override
    public RotationRun rotateNow(Caller caller, String path, RotationTrigger trigger, String reason) {
        String p = path(path);
        if (trigger == null) {
            throw new InvalidRequestException("A trigger is required: manual, deployment or compromise.");
        }
        if (trigger == RotationTrigger.SCHEDULE || trigger == RotationTrigger.EXPIRY) {
            throw new InvalidRequestException("The " + trigger.id() + " trigger is the vault's own; ask for manual,"
                    + " deployment or compromise.");
        }
        String why = reason == null ? null : reason.strip();
        if ((trigger == RotationTrigger.MANUAL || trigger == RotationTrigger.COMPROMISE)
                && (why == null || why.isEmpty())) {
            throw new InvalidRequestException("A reason is required for a " + trigger.id() + " rotation.");
        }
        if (why != null && why.length() > 500) {
            throw new InvalidRequestException("A reason is at most 500 characters.");
        }
        return guard.run(() -> {
            Optional<String> grant = Optional.empty();
            if (trigger == RotationTrigger.MANUAL || trigger == RotationTrigger.DEPLOYMENT) {
                boolean critical = "critical".equals(engine.underKeys(u -> engine.storage().read(tx ->
                        custom(u, tx, p))).get("criticality"));
                if (critical) {
                    grant = gate.get().admit(caller, GatedOperation.ROTATE_NOW, "secret/" + p, null);
                }
            }
            Optional<String> g = grant;
            RunRec r = door.write(caller, Operation.ROTATION_RUN_START, "secret/" + p, (k, who, tx, now) ->
                    Rotations.queue(new RotationHost.Tx(store(k), tx, now), p, trigger, why, who.name(), true),
                    run -> {
                        Map<String, String> d = new LinkedHashMap<>();
                        d.put("run", run.id);
                        d.put("trigger", trigger.id());
                        d.put("state", run.state);
                        if (why != null) {
                            d.put("reason", why);
                        }
                        g.ifPresent(id -> d.put("grant", id));
                        return d;
                    });
            job.kick();
            return new RotationRun(r.id, p, r.trigger, r.state, r.startedAt == null ? r.createdAt : r.startedAt);
        });
    }

    @Override
    public RotationStatus configure(Caller caller, String path, RotationConfig config) {
        String p = path(path);
        return guard.run(() -> door.write(caller, Operation.ROTATION_CONFIG_SET, SYS + p, (k, who, tx, now) -> {
            RotationStore store = store(k);
            StateRec before = store.state(tx, p);
            if (before != null && before.activeRun != null) {
                throw new InvalidRequestException("A rotation of secret/" + p + " is running; change its config"
                        + " when it has ended.");
            }
            StateRec s = rotations.configure(before, p, config, who.name(), now);
            store.save(tx, s);
            return RotationPlan.view(s, now, custom(k, tx, p));
        }, st -> {
            Map<String, String> d = new LinkedHashMap<>();
            d.put("rotator", config.rotator());
            d.put("schedule", st.schedule());
            d.put("params", String.join(",", new java.util.TreeSet<>(config.params().keySet())));
            if (config.pairedWith() != null) {
                d.put("paired_with", config.pairedWith());
            }
            return d;
        }));
    }

    @Override
    public RotationConfig readConfig(Caller caller, String path) {
        String p = path(path);
        return guard.run(() -> door.read(caller, Operation.ROTATION_READ, SYS + p,
                (k, who, tx, now) -> existing(store(k), tx, p).config));
    }

    @Override
    public void deleteConfig(Caller caller, String path) {
        String p = path(path);
        guard.run(() -> door.write(caller, Operation.ROTATION_CONFIG_DELETE, SYS + p, (k, who, tx, now) -> {
            RotationStore store = store(k);
            StateRec s = existing(store, tx, p);
            if (s.activeRun != null) {
                throw new InvalidRequestException("A rotation of secret/" + p + " is running; remove its config"
                        + " when it has ended.");
            }
            store.delete(tx, p);
            return null;
        }));
    }

    @Override
    public List<Instant> preview(Caller caller, String path, int count) {
        String p = path(path);
        int n = count(count, 100);
        return guard.run(() -> door.read(caller, Operation.ROTATION_READ, SYS + p,
                (k, who, tx, now) -> RotationPlan.preview(existing(store(k), tx, p), now, n)));
    }

    @Override
    public List<Instant> previewSchedule(Caller caller, RotationSchedule schedule, int count) {
        int n = count(count, 100);
        return guard.run(() -> door.read(caller, Operation.ROTATION_READ, SYS,
                (k, who, tx, now) -> Schedule.of(schedule, now).preview("", now, n)));
    }

    @Override
    public RotationStatus status(Caller caller, String path) {
        String p = path(path);
        return guard.run(() -> door.read(caller, Operation.ROTATION_READ, SYS + p,
                (k, who, tx, now) -> RotationPlan.view(existing(store(k), tx, p), now, custom(k, tx, p))));
    }

    @Override
    public List<RotationStatus> schedules(Caller caller, String prefix) {
        String pre = prefix == null ? "" : SecretPaths.normalize(prefix);
        return guard.run(() -> door.read(caller, Operation.ROTATION_READ, SYS + pre, (k, who, tx, now) ->
                store(k).all(tx).stream().filter(s -> s.path.startsWith(pre))
                        .sorted(java.util.Comparator.comparing(s -> s.path))
                        .map(s -> RotationPlan.view(s, now, custom(k, tx, s.path))).toList(),
                l -> Map.of("count", Integer.toString(l.size()))));
    }

    @Override
    public List<RotationRecord> history(Caller caller, String path, int limit) {
        String p = path(path);
        int n = count(limit, 500);
        return guard.run(() -> door.read(caller, Operation.ROTATION_READ, SYS + p, (k, who, tx, now) -> {
            RotationStore store = store(k);
            existing(store, tx, p);
            return store.runs(tx, p, n).stream().map(RunRec::view).toList();
        }));
    }

    @Override
    public RotationStatus setNextRun(Caller caller, String path, Instant at) {
        String p = path(path);
        return guard.run(() -> door.write(caller, Operation.ROTATION_NEXT_SET, SYS + p, (k, who, tx, now) -> {
            RotationStore store = store(k);
            StateRec s = existing(store, tx, p);
            RotationPlan.setNext(s, at, now);
            store.save(tx, s);
            return RotationPlan.view(s, now, custom(k, tx, p));
        }, st -> Map.of("next_run", String.valueOf(at))));
    }

    @Override
    public List<String> rotators(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.ROTATION_READ, SYS,
                (k, who, tx, now) -> rotations.registry().types()));
    }

    private static int count(int n, int max) {
        if (n < 1 || n > max) {
            throw new InvalidRequestException("The count is from 1 to " + max + ".");
        }
        return n;
    }

    // ------------------------------------------------------------ the rotation job's access

    /** Every call as the rotation job: under the state lock, not counted as activity. */
    private final class Host implements RotationHost {
        private Caller job() {
            return engine.systemCaller(BuiltInPolicies.JOB_ROTATION);
        }

        @Override
        public <T> T record(Operation op, String path, Map<String, String> details, Function<Tx, T> act) {
            return engine.underKeys(u -> door.write(job(), op, SYS + path,
                    (k, who, tx, now) -> act.apply(new Tx(store(k), tx, now)), r -> details));
        }

        @Override
        public <T> T read(Function<Tx, T> act) {
            return engine.underKeys(u -> engine.storage().read(tx -> act.apply(new Tx(store(u), tx,
                    engine.clock().instant()))));
        }

        @Override
        public Current current(String path) {
            return engine.underKeys(u -> door.read(job(), Operation.SECRET_READ, "secret/" + path,
                    (k, who, tx, now) -> {
                        try {
                            SecretVersion v = k.kv().read(tx, path, 0, now);
                            return new Current(v.metadata().version(), v.hasData() ? v.data().fields() : Map.of());
                        } catch (NotFoundException none) {
                            return new Current(0, Map.of());
                        }
                    }, c -> Map.of("version", Integer.toString(c.version()), "by", "rotation")));
        }

        @Override
        public Map<String, String> version(String path, int version) {
            return engine.underKeys(u -> door.read(job(), Operation.SECRET_READ, "secret/" + path,
                    (k, who, tx, now) -> {
                        try {
                            SecretVersion v = k.kv().read(tx, path, version, now);
                            return v.hasData() ? v.data().fields() : Map.<String, String>of();
                        } catch (NotFoundException gone) {
                            return Map.<String, String>of();
                        }
                    }, m -> Map.of("version", Integer.toString(version), "by", "rotation")));
        }

        @Override
        public int finish(String path, Map<String, String> fields, int cas, Instant expiresAt,
                          Map<String, String> details, BiConsumer<Tx, Integer> same) {
            return engine.underKeys(u -> door.write(job(), Operation.SECRET_WRITE, "secret/" + path,
                    (k, who, tx, now) -> {
                        int v = k.kv().write(tx, path, SecretData.of(fields), cas, now).version();
                        if (expiresAt != null) {
                            Map<String, String> c = new java.util.TreeMap<>(custom(k, tx, path));
                            c.put("expires_at", expiresAt.toString());
                            k.kv().writeMetadata(tx, path, new dev.keyward.vault.api.MetadataUpdate(null, null, null,
                                    c), now);
                        }
                        same.accept(new Tx(store(k), tx, now), v);
                        return v;
                    }, v -> {
                        Map<String, String> d = new LinkedHashMap<>(details);
                        d.put("version", Integer.toString(v));
                        return d;
                    }));
        }

        @Override
        public void destroy(String path, int version) {
            engine.underKeys(u -> door.write(job(), Operation.SECRET_DESTROY, "secret/" + path, (k, who, tx, now) -> {
                k.kv().destroy(tx, path, List.of(version), now);
                return null;
            }, r -> Map.of("versions", Integer.toString(version), "by", "rotation")));
        }

        @Override
        public Map<String, String> customMetadata(String path) {
            return engine.underKeys(u -> engine.storage().read(tx -> custom(u, tx, path)));
        }

        @Override
        public Map<String, String> readSecret(String path) {
            String p = path(path);
            return engine.underKeys(u -> door.read(job(), Operation.SECRET_READ, "secret/" + p,
                    (k, who, tx, now) -> {
                        SecretVersion v;
                        try {
                            v = k.kv().read(tx, p, 0, now);
                        } catch (NotFoundException none) {
                            throw new RotationStepException("The secret secret/" + p + " that the rotator reads"
                                    + " does not exist.");
                        }
                        if (!v.hasData()) {
                            throw new RotationStepException("The secret secret/" + p + " that the rotator reads"
                                    + " is deleted.");
                        }
                        return v.data().fields();
                    }));
        }

        @Override
        public String alert(AlertSpec spec) {
            Supplier<AlertService> s = alerts;
            AlertService a = s == null ? null : s.get();
            return a == null ? null : a.raise(job(), spec);
        }

        @Override
        public Clock clock() {
            return engine.clock();
        }
    }
}
