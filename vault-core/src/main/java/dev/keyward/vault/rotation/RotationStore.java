package dev.keyward.vault.rotation;

import dev.keyward.vault.api.RotationService.RotationConfig;
import dev.keyward.vault.api.RotationService.RotationRecord;
import dev.keyward.vault.api.RotationTrigger;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.DestroyableKey;
import dev.keyward.vault.crypto.Hmac;
import dev.keyward.vault.crypto.Random;
import dev.keyward.vault.identity.Records;
import dev.keyward.vault.storage.StorageTx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rotation records in storage, each sealed by the barrier: a secret's config and schedule state
 * ({@code rot/s/<id(path)>}) and its runs ({@code rot/r/<id(path)>/<run id>}, run ids sort by
 * start time). A run's record holds the pending value while the run is between set and finish, so
 * a restart can restore the target; it is dropped as soon as the run ends.
 */
public final class RotationStore {
    public static final String KIND = "rotation";
    public static final String PREFIX = "rot/";
    static final String STATE = "rot/s/";
    static final String RUN = "rot/r/";
    /** Runs kept per secret; older ones are dropped. */
    static final int KEEP_RUNS = 200;

    private final Barrier barrier;
    private final DestroyableKey indexKey;

    public RotationStore(Barrier barrier, DestroyableKey indexKey) {
        this.barrier = barrier;
        this.indexKey = indexKey;
    }

    /** A secret's config and where its schedule and retries stand. */
    public static final class StateRec {
        public String path;
        public RotationConfig config;
        public String configuredBy;
        public Instant configuredAt;
        /** What interval slots count from. */
        public Instant anchor;
        /** The slot of the next scheduled run, its start (jitter included) and its window's end. */
        public Instant slot;
        public Instant due;
        public Instant windowEnd;
        /** The next run was set by hand. */
        public boolean manualNext;
        public boolean overdue;
        public String activeRun;
        /** How many runs the secret has had (orders run ids). */
        public long runSeq;
        public int attempts;
        public Instant nextRetryAt;
        public RotationTrigger retryTrigger;
        public String retryReason;
        public String retryBy;
        public boolean needsAttention;
        public String lastOutcome;
        public Instant lastRunAt;
        public Instant lastSuccessAt;
        public Instant graceUntil;
        public int previousVersion;
        public String graceRun;
        /** A run queued because the paired secret rotated: when it may start. */
        public Instant pairDueAt;
        public RotationTrigger pairTrigger;
        public String pairReason;

        @Override
        public String toString() {
            return "StateRec[" + path + "]";
        }
    }

    /** One run. {@code pending} is set only between the set step and the end of the run. */
    public static final class RunRec {
        public String id;
        public String path;
        public RotationTrigger trigger;
        public String reason;
        public String by;
        public String state;
        public int attempt;
        public Instant createdAt;
        public Instant startedAt;
        public Instant endedAt;
        public int baseVersion;
        public Map<String, String> pending;
        public Integer version;
        public String failedStep;
        public String errorClass;
        public String error;
        public Map<String, Long> stepMillis = new LinkedHashMap<>();
        /** Started because the paired secret rotated (it does not start the pair again). */
        public boolean paired;

        public RotationRecord view() {
            return new RotationRecord(id, path, trigger, reason, by, state, attempt, startedAt == null ? createdAt
                    : startedAt, endedAt, version, failedStep, errorClass, error, Map.copyOf(stepMillis));
        }

        @Override
        public String toString() {
            return "RunRec[" + id + " " + path + " " + state + (pending == null ? "" : ", pending hidden") + "]";
        }
    }

    String id(String path) {
        return Hmac.id(indexKey, "rotation.path", path);
    }

    private String stateKey(String path) {
        return STATE + id(path);
    }

    public StateRec state(StorageTx tx, String path) {
        return Records.get(tx, barrier, KIND, stateKey(path), StateRec.class);
    }

    public void save(StorageTx tx, StateRec s) {
        Records.put(tx, barrier, KIND, stateKey(s.path), s);
    }

    /** Removes a secret's config, state and runs. */
    public void delete(StorageTx tx, String path) {
        tx.delete(stateKey(path));
        tx.deletePrefix(RUN + id(path) + "/");
    }

    /** Every configured secret's state, in storage order. */
    public List<StateRec> all(StorageTx tx) {
        List<StateRec> out = new ArrayList<>();
        String after = null;
        while (true) {
            List<StorageTx.Entry> page = tx.scan(STATE, after, 1000);
            for (StorageTx.Entry e : page) {
                out.add(Records.decode(barrier.open(Barrier.Binding.of(KIND, e.key()), e.value()), StateRec.class));
            }
            if (page.size() < 1000) {
                return out;
            }
            after = page.get(page.size() - 1).key();
        }
    }

    /** A run id that sorts after every earlier run of the secret ({@code seq} counts its runs). */
    public static String newRunId(Instant now, long seq) {
        return String.format("%013d-%07d-", now.toEpochMilli(), seq % 10_000_000)
                + Base64.getUrlEncoder().withoutPadding().encodeToString(Random.bytes(6));
    }

    private String runKey(String path, String runId) {
        return RUN + id(path) + "/" + runId;
    }

    public RunRec run(StorageTx tx, String path, String runId) {
        return Records.get(tx, barrier, KIND, runKey(path, runId), RunRec.class);
    }

    public void save(StorageTx tx, RunRec r) {
        Records.put(tx, barrier, KIND, runKey(r.path, r.id), r);
    }

    /** The runs of a secret, newest first; keeps at most {@link #KEEP_RUNS} (drops the oldest). */
    public List<RunRec> runs(StorageTx tx, String path, int limit) {
        String prefix = RUN + id(path) + "/";
        TreeMap<String, byte[]> all = new TreeMap<>();
        String after = null;
        while (true) {
            List<StorageTx.Entry> page = tx.scan(prefix, after, 1000);
            page.forEach(e -> all.put(e.key(), e.value()));
            if (page.size() < 1000) {
                break;
            }
            after = page.get(page.size() - 1).key();
        }
        List<RunRec> out = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : all.descendingMap().entrySet()) {
            if (out.size() >= limit) {
                break;
            }
            out.add(Records.decode(barrier.open(Barrier.Binding.of(KIND, e.getKey()), e.getValue()), RunRec.class));
        }
        return out;
    }

    /** Drops runs beyond {@link #KEEP_RUNS} (in a write transaction). */
    public void prune(StorageTx tx, String path) {
        String prefix = RUN + id(path) + "/";
        List<String> keys = new ArrayList<>();
        String after = null;
        while (true) {
            List<StorageTx.Entry> page = tx.scan(prefix, after, 1000);
            page.forEach(e -> keys.add(e.key()));
            if (page.size() < 1000) {
                break;
            }
            after = page.get(page.size() - 1).key();
        }
        for (int i = 0; i < keys.size() - KEEP_RUNS; i++) {
            tx.delete(keys.get(i));
        }
    }

    @Override
    public String toString() {
        return "RotationStore[keys hidden]";
    }
}
