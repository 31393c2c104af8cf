package dev.keyward.vault.rotation;

import dev.keyward.vault.api.AlertSeverity;
import dev.keyward.vault.api.AlertSpec;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.RotationService.RotationConfig;
import dev.keyward.vault.api.RotationTrigger;
import dev.keyward.vault.api.SecretPaths;
import dev.keyward.vault.api.VaultNotInitializedException;
import dev.keyward.vault.api.VaultSealedException;
import dev.keyward.vault.rotation.RotationStore.RunRec;
import dev.keyward.vault.rotation.RotationStore.StateRec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rotation engine: the staged protocol (pending, set, test, finish), rollback, retries with
 * backoff, "needs attention", grace periods, pairing, and the scheduler's pass over every
 * configured secret. Every change goes through {@link RotationHost#record} before the step it
 * announces runs, so a crash anywhere leaves a record that says what to do on the next pass:
 * a run that stopped in pending, set or test is rolled back (the target restored to the current
 * value), a run that stopped in finish is finished. Passes run one at a time ({@link #tick} is
 * synchronized), so one secret never has two rotations at once.
 */
public final class Rotations {
    private static final Logger LOG = LoggerFactory.getLogger(Rotations.class);
    static final Duration DEFAULT_ROUTINE_GRACE = Duration.ofHours(1);
    static final Duration DEFAULT_UPGRADE_GRACE = Duration.ofHours(24);
    static final int DEFAULT_ATTEMPTS = 5;
    static final Duration DEFAULT_BACKOFF = Duration.ofMinutes(1);
    static final Duration DEFAULT_PAIR_SPACING = Duration.ofMinutes(5);
    static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofSeconds(30);
    static final String DETECTOR = "rotation.needs-attention";

    private final RotationHost host;
    private final RotatorRegistry registry;
    private final ExecutorService steps = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "keyward-rotation-step");
        t.setDaemon(true);
        return t;
    });

    public Rotations(RotationHost host, RotatorRegistry registry) {
        this.host = host;
        this.registry = registry;
    }

    public RotatorRegistry registry() {
        return registry;
    }

    // ------------------------------------------------------------ configs (called inside the door's act)

    /**
     * Checks a config and makes the state it starts with ({@code existing} keeps its history of
     * outcomes); nothing is stored when it throws.
     */
    public StateRec configure(StateRec existing, String path, RotationConfig cfg, String by, Instant now) {
        check(path, cfg);
        StateRec s = existing == null ? new StateRec() : existing;
        s.path = path;
        s.config = cfg;
        s.configuredBy = by;
        s.configuredAt = now;
        s.anchor = now;
        s.manualNext = false;
        s.nextRetryAt = null;
        s.attempts = 0;
        s.needsAttention = false;
        RotationPlan.schedule(s, now);
        return s;
    }

    /** Checks a config: the rotator and its parameters, the schedule, the durations, the pair. */
    public void check(String path, RotationConfig cfg) {
        if (cfg == null) {
            throw new InvalidRequestException("A rotation config is required.");
        }
        Rotator r = registry.get(cfg.rotator());
        r.validate(cfg.params());
        if (cfg.params().containsKey("timeout")) {
            stepTimeout(cfg);
        }
        if (cfg.schedule() != null) {
            Schedule.of(cfg.schedule(), Instant.EPOCH);
        }
        nonNegative(cfg.routineGrace(), "routine_grace");
        nonNegative(cfg.upgradeGrace(), "upgrade_grace");
        nonNegative(cfg.expiryLead(), "expiry_lead");
        nonNegative(cfg.pairSpacing(), "pair_spacing");
        if (cfg.retryBackoff() != null && cfg.retryBackoff().compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidRequestException("retry_backoff is at least 1s.");
        }
        if (cfg.maxAttempts() != null && (cfg.maxAttempts() < 1 || cfg.maxAttempts() > 20)) {
            throw new InvalidRequestException("max_attempts is from 1 to 20.");
        }
        if (cfg.pairedWith() != null) {
            String other = SecretPaths.normalize(cfg.pairedWith());
            SecretPaths.validateSecretPath(other);
            if (other.equals(path)) {
                throw new InvalidRequestException("A secret is not paired with itself.");
            }
        }
        if (cfg.schedule() == null && cfg.expiryLead() == null) {
            LOG.debug("a rotation config without a schedule: rotations only by trigger");
        }
    }

    private static void nonNegative(Duration d, String name) {
        if (d != null && d.isNegative()) {
            throw new InvalidRequestException(name + " is not negative.");
        }
    }

    // ------------------------------------------------------------ asking for a run

    /**
     * Queues a run of a configured secret (inside an audited write), or returns the one already
     * active. A run asked for by a caller resets the window's attempts.
     */
    public static RunRec queue(RotationHost.Tx t, String path, RotationTrigger trigger, String reason, String by,
                               boolean resetAttempts) {
        StateRec s = t.store().state(t.tx(), path);
        if (s == null) {
            throw new NotFoundException("secret/" + path + " has no rotation configured.");
        }
        if (s.activeRun != null) {
            RunRec active = t.store().run(t.tx(), path, s.activeRun);
            if (active != null) {
                return active;
            }
        }
        RunRec r = new RunRec();
        s.runSeq++;
        r.id = RotationStore.newRunId(t.now(), s.runSeq);
        r.path = path;
        r.trigger = trigger;
        r.reason = reason;
        r.by = by;
        r.state = "queued";
        r.createdAt = t.now();
        if (resetAttempts) {
            s.attempts = 0;
            s.nextRetryAt = null;
        }
        r.attempt = s.attempts + 1;
        s.activeRun = r.id;
        t.store().save(t.tx(), r);
        t.store().save(t.tx(), s);
        t.store().prune(t.tx(), path);
        return r;
    }

    // ------------------------------------------------------------ the scheduler's pass

    /** One pass over every configured secret: interrupted runs, queued runs, graces, retries, slots, expiries. */
    public synchronized void tick() {
        Instant now = host.clock().instant();
        List<RotationStore.Due> all = host.read(t -> t.store().dueAll(t.tx()));
        for (String path : dueSet(all, now)) {
            try {
                tickOne(path);
            } catch (VaultSealedException | VaultNotInitializedException sealed) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("rotation pass over one secret failed: {}", e.getClass().getSimpleName());
            }
        }
    }

    /**
     * A pass over one secret only (its queued or interrupted run, retry, grace end or slot), for a
     * caller that drives rotations itself instead of the scheduler (a compromise drill's scratch copy).
     */
    public synchronized void runOne(String path) {
        try {
            tickOne(path);
        } catch (VaultSealedException | VaultNotInitializedException sealed) {
            // nothing runs while sealed
        }
    }

    /**
     * The secrets a pass has to look at: a run active or due (schedule, retry, pair, grace end), or
     * an expiry to watch (their metadata is read then).
     */
    public List<String> dueSet(List<RotationStore.Due> all, Instant now) {
        List<String> out = new ArrayList<>();
        for (RotationStore.Due d : all) {
            if (d.dueAt(now) || watchesExpiry(d)) {
                out.add(d.path());
            }
        }
        return out;
    }

    private boolean watchesExpiry(RotationStore.Due d) {
        if (d.expiryLead()) {
            return true;
        }
        try {
            return registry.get(d.rotator()) instanceof Expiring;
        } catch (InvalidRequestException unknown) {
            return false;
        }
    }

    private void tickOne(String path) {
        Instant now = host.clock().instant();
        StateRec s = host.read(t -> t.store().state(t.tx(), path));
        if (s == null) {
            return;
        }
        if (s.activeRun != null) {
            RunRec r = host.read(t -> t.store().run(t.tx(), path, s.activeRun));
            if (r == null) {
                host.record(Operation.ROTATION_RUN_ROLLED_BACK, path, Map.of("run", s.activeRun, "reason",
                        "run record missing"), t -> {
                    StateRec x = t.store().state(t.tx(), path);
                    x.activeRun = null;
                    t.store().save(t.tx(), x);
                    return null;
                });
            } else if (r.state.equals("queued")) {
                if (pairWait(s, now) == null) {
                    execute(r);
                } // else it stays queued until the paired secret's spacing has passed
            } else {
                recover(r);
            }
            return;
        }
        if (s.graceUntil != null && !now.isBefore(s.graceUntil)) {
            endGrace(path);
        }
        if (s.pairDueAt != null && !now.isBefore(s.pairDueAt)) {
            startRun(path, s.pairTrigger == null ? RotationTrigger.SCHEDULE : s.pairTrigger,
                    s.pairReason, true);
            return;
        }
        if (s.nextRetryAt != null && !now.isBefore(s.nextRetryAt)) {
            startRun(path, s.retryTrigger == null ? RotationTrigger.SCHEDULE : s.retryTrigger, s.retryReason,
                    false);
            return;
        }
        if (s.due != null && !now.isBefore(s.due)) {
            if (now.isBefore(s.windowEnd)) {
                startRun(path, RotationTrigger.SCHEDULE, s.manualNext ? "next run set by hand" : "scheduled",
                        false);
                return;
            }
            missed(path, now);
            StateRec after = host.read(t -> t.store().state(t.tx(), path));
            if (after.due != null && !now.isBefore(after.due) && now.isBefore(after.windowEnd)) {
                startRun(path, RotationTrigger.SCHEDULE, "scheduled", false);
            }
            return;
        }
        Rotator rotator = registry.get(s.config.rotator());
        Duration lead = s.config.expiryLead() != null ? s.config.expiryLead()
                : rotator instanceof Expiring e ? e.defaultLead(s.config.params()) : null;
        if (lead != null && s.nextRetryAt == null && !s.needsAttention) {
            Instant expires = RotationPlan.expiresAt(host.customMetadata(path));
            if (expires != null) {
                Instant from = expires.minus(lead);
                if (!now.isBefore(from) && (s.lastSuccessAt == null || s.lastSuccessAt.isBefore(from))) {
                    startRun(path, RotationTrigger.EXPIRY, "expires at " + expires, false);
                }
            }
        }
    }

    /** A slot whose window passed without a run: flagged overdue; the schedule moves on. */
    private void missed(String path, Instant now) {
        host.record(Operation.ROTATION_SLOT_MISSED, path, Map.of(), t -> {
            StateRec s = t.store().state(t.tx(), path);
            Instant missedSlot = s.slot;
            s.overdue = true;
            s.attempts = 0;
            if (s.config.schedule() == null) {
                s.slot = null;
                s.due = null;
                s.windowEnd = null;
                s.manualNext = false;
            } else {
                Schedule sch = Schedule.of(s.config.schedule(), s.anchor);
                Instant current = sch.slotAtOrBefore(now);
                Instant slot = current != null && now.isBefore(current.plus(sch.window()))
                        && (missedSlot == null || current.isAfter(missedSlot)) ? current : sch.nextSlotAfter(now);
                s.slot = slot;
                s.due = sch.dueAt(path, slot);
                s.windowEnd = slot.plus(sch.window());
                s.manualNext = false;
            }
            t.store().save(t.tx(), s);
            return null;
        });
    }

    /** Queues and runs a rotation the vault itself starts (schedule, retry, expiry, pair). */
    private void startRun(String path, RotationTrigger trigger, String reason, boolean paired) {
        Instant now = host.clock().instant();
        StateRec s = host.read(t -> t.store().state(t.tx(), path));
        if (postponedForPair(s, trigger, reason, now)) {
            return;
        }
        RunRec r = host.record(Operation.ROTATION_RUN_START, path, Map.of("trigger", trigger.id(), "reason",
                clip(reason), "paired", Boolean.toString(paired)), t -> {
            StateRec x = t.store().state(t.tx(), path);
            x.nextRetryAt = null;
            x.pairDueAt = null;
            x.pairTrigger = null;
            x.pairReason = null;
            t.store().save(t.tx(), x);
            RunRec q = queue(t, path, trigger, reason, "system:rotation", false);
            if (paired && !q.paired) {
                q.paired = true;
                t.store().save(t.tx(), q);
            }
            return q;
        });
        execute(r);
    }

    /** Until when a run of {@code s} waits for its paired secret (rotating now or within the spacing), or null. */
    private Instant pairWait(StateRec s, Instant now) {
        if (s.config.pairedWith() == null) {
            return null;
        }
        String other = SecretPaths.normalize(s.config.pairedWith());
        StateRec o = host.read(t -> t.store().state(t.tx(), other));
        if (o == null) {
            return null;
        }
        Duration spacing = s.config.pairSpacing() == null ? DEFAULT_PAIR_SPACING : s.config.pairSpacing();
        if (o.activeRun != null && !o.activeRun.equals(s.activeRun)) {
            return now.plus(spacing);
        }
        if (o.lastRunAt != null && now.isBefore(o.lastRunAt.plus(spacing))) {
            return o.lastRunAt.plus(spacing);
        }
        return null;
    }

    /** Whether the paired secret rotates now or did within the spacing; if so this run waits (recorded). */
    private boolean postponedForPair(StateRec s, RotationTrigger trigger, String reason, Instant now) {
        String other = s.config.pairedWith() == null ? null : SecretPaths.normalize(s.config.pairedWith());
        Instant at = pairWait(s, now);
        if (at == null) {
            return false;
        }
        host.record(Operation.ROTATION_RUN_POSTPONED, s.path, Map.of("paired_with", other, "until", at.toString(),
                "trigger", trigger.id()), t -> {
            StateRec x = t.store().state(t.tx(), s.path);
            x.pairDueAt = at;
            x.pairTrigger = trigger;
            x.pairReason = reason;
            if (x.due != null && !x.due.isAfter(now)) {
                x.due = null; // the postponed run stands for this slot
                Schedule sch = x.config.schedule() == null ? null : Schedule.of(x.config.schedule(), x.anchor);
                if (sch != null) {
                    Instant slot = sch.nextSlotAfter(now);
                    x.slot = slot;
                    x.due = sch.dueAt(x.path, slot);
                    x.windowEnd = slot.plus(sch.window());
                }
            }
            t.store().save(t.tx(), x);
            return null;
        });
        return true;
    }

    // ------------------------------------------------------------ the staged protocol

    private record Step(String name, Operation op) {
    }

    private static final Step PENDING = new Step("pending", Operation.ROTATION_STEP_PENDING);
    private static final Step SET = new Step("set", Operation.ROTATION_STEP_SET);
    private static final Step TEST = new Step("test", Operation.ROTATION_STEP_TEST);
    private static final Step FINISH = new Step("finish", Operation.ROTATION_STEP_FINISH);

    /** Runs a queued run through its steps. */
    private void execute(RunRec queued) {
        String path = queued.path;
        StateRec s = host.read(t -> t.store().state(t.tx(), path));
        if (s.graceUntil != null) {
            endGrace(path); // one previous version at a time: the older one's grace ends now
        }
        Rotator rotator = registry.get(s.config.rotator());
        RotationHost.Current cur = host.current(path);
        RotationContext ctx = context(s, cur.fields());
        long t0 = System.nanoTime();
        mark(queued, PENDING, null, cur.version(), 0);
        Map<String, String> pending;
        long stepStart = System.nanoTime();
        try {
            pending = timed(ctx, () -> rotator.generate(ctx));
        } catch (RuntimeException e) {
            rollBack(queued.id, path, PENDING, e, false, null, ctx, rotator, elapsed(stepStart));
            return;
        }
        long pendingMs = elapsed(stepStart);
        mark(queued, SET, pending, cur.version(), pendingMs);
        stepStart = System.nanoTime();
        try {
            timed(ctx, () -> {
                rotator.set(ctx, pending);
                return null;
            });
        } catch (RuntimeException e) {
            rollBack(queued.id, path, SET, e, true, pending, ctx, rotator, elapsed(stepStart));
            return;
        }
        mark(queued, TEST, null, cur.version(), elapsed(stepStart));
        stepStart = System.nanoTime();
        try {
            timed(ctx, () -> {
                rotator.test(ctx, pending);
                return null;
            });
        } catch (RuntimeException e) {
            rollBack(queued.id, path, TEST, e, true, pending, ctx, rotator, elapsed(stepStart));
            return;
        }
        mark(queued, FINISH, null, cur.version(), elapsed(stepStart));
        finish(path, queued.id, ctx, rotator, t0);
    }

    /** Records that a step is about to run (with the pending value from set on). */
    private void mark(RunRec run, Step step, Map<String, String> pending, int baseVersion, long previousStepMs) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("run", run.id);
        details.put("trigger", run.trigger.id());
        details.put("attempt", Integer.toString(run.attempt));
        details.put("step", step.name());
        if (!step.equals(PENDING)) {
            details.put("previous_step_ms", Long.toString(previousStepMs));
        }
        host.record(step.op(), run.path, details, t -> {
            RunRec r = t.store().run(t.tx(), run.path, run.id);
            String before = r.state;
            r.state = step.name();
            if (step.equals(PENDING)) {
                r.startedAt = t.now();
                r.baseVersion = baseVersion;
            } else {
                r.stepMillis.put(before, previousStepMs);
            }
            if (pending != null) {
                r.pending = new java.util.TreeMap<>(pending);
            }
            t.store().save(t.tx(), r);
            return null;
        });
    }

    private void finish(String path, String runId, RotationContext ctx, Rotator rotator, long t0) {
        RunRec r = host.read(t -> t.store().run(t.tx(), path, runId));
        StateRec s0 = host.read(t -> t.store().state(t.tx(), path));
        Map<String, String> details = new LinkedHashMap<>();
        details.put("rotation_run", runId);
        details.put("trigger", r.trigger.id());
        int version;
        try {
            Instant expires = rotator instanceof Expiring e ? e.expiresAt(r.pending) : null;
            version = host.finish(path, r.pending, r.baseVersion, expires, details, (t, v) -> {
                RunRec x = t.store().run(t.tx(), path, runId);
                StateRec s = t.store().state(t.tx(), path);
                x.state = "finished";
                x.version = v;
                x.pending = null;
                x.endedAt = t.now();
                x.stepMillis.put("finish", 0L);
                s.activeRun = null;
                s.attempts = 0;
                s.nextRetryAt = null;
                s.needsAttention = false;
                s.overdue = false;
                s.lastOutcome = "finished";
                s.lastRunAt = t.now();
                s.lastSuccessAt = t.now();
                s.pairDueAt = null; // this rotation stands for one the pair asked for
                s.pairTrigger = null;
                s.pairReason = null;
                if (x.baseVersion > 0) {
                    s.previousVersion = x.baseVersion;
                    s.graceUntil = t.now().plus(grace(s.config, x.trigger));
                    s.graceRun = runId;
                }
                if (s.config.schedule() != null) {
                    RotationPlan.schedule(s, t.now());
                } else {
                    s.due = null;
                    s.slot = null;
                    s.windowEnd = null;
                }
                t.store().save(t.tx(), x);
                t.store().save(t.tx(), s);
            });
        } catch (RuntimeException e) {
            // the pending value passed its test but could not become current (e.g. someone wrote a
            // version meanwhile): the target goes back to the current value
            rollBack(runId, path, FINISH, e, true, r.pending, ctx, rotator, 0);
            return;
        }
        long total = elapsed(t0);
        host.record(Operation.ROTATION_RUN_FINISH, path, Map.of("run", runId, "trigger", r.trigger.id(),
                "version", Integer.toString(version), "attempt", Integer.toString(r.attempt), "duration_ms",
                Long.toString(total), "outcome", "finished"), t -> null);
        StateRec s = host.read(t -> t.store().state(t.tx(), path));
        if (s.graceUntil != null && !s.graceUntil.isAfter(host.clock().instant())) {
            endGrace(path);
        }
        if (s0.config.pairedWith() != null && !r.paired && s0.pairDueAt == null) {
            queuePair(path, s0.config, r);
        }
    }

    /** After a rotation, the paired secret rotates once the spacing has passed. */
    private void queuePair(String path, RotationConfig cfg, RunRec r) {
        String other = SecretPaths.normalize(cfg.pairedWith());
        Duration spacing = cfg.pairSpacing() == null ? DEFAULT_PAIR_SPACING : cfg.pairSpacing();
        Instant at = host.clock().instant().plus(spacing);
        StateRec o = host.read(t -> t.store().state(t.tx(), other));
        if (o == null) {
            return;
        }
        host.record(Operation.ROTATION_RUN_POSTPONED, other, Map.of("paired_with", path, "until", at.toString(),
                "trigger", r.trigger.id()), t -> {
            StateRec x = t.store().state(t.tx(), other);
            x.pairDueAt = at;
            x.pairTrigger = r.trigger;
            x.pairReason = "paired with secret/" + path;
            t.store().save(t.tx(), x);
            return null;
        });
    }

    static Duration grace(RotationConfig c, RotationTrigger trigger) {
        return switch (trigger) {
            case COMPROMISE -> Duration.ZERO;
            case DEPLOYMENT -> c.upgradeGrace() == null ? DEFAULT_UPGRADE_GRACE : c.upgradeGrace();
            default -> c.routineGrace() == null ? DEFAULT_ROUTINE_GRACE : c.routineGrace();
        };
    }

    /** A run that stopped early (a crash, a seal): finish resumes; anything before it rolls back. */
    private void recover(RunRec r) {
        StateRec s = host.read(t -> t.store().state(t.tx(), r.path));
        Rotator rotator = registry.get(s.config.rotator());
        RotationHost.Current cur = host.current(r.path);
        RotationContext ctx = context(s, cur.fields());
        KeywardException interrupted = new RotationStepException("The rotation was interrupted (the vault stopped or"
                + " sealed during the " + r.state + " step).");
        switch (r.state) {
            case "pending" -> rollBack(r.id, r.path, PENDING, interrupted, false, null, ctx, rotator, 0);
            case "set" -> rollBack(r.id, r.path, SET, interrupted, true, r.pending, ctx, rotator, 0);
            case "test" -> rollBack(r.id, r.path, TEST, interrupted, true, r.pending, ctx, rotator, 0);
            case "finish" -> {
                if (cur.version() != r.baseVersion) {
                    rollBack(r.id, r.path, FINISH, interrupted, true, r.pending, ctx, rotator, 0);
                } else {
                    finish(r.path, r.id, ctx, rotator, System.nanoTime());
                }
            }
            default -> host.record(Operation.ROTATION_RUN_ROLLED_BACK, r.path, Map.of("run", r.id, "reason",
                    "ended run still active"), t -> {
                StateRec x = t.store().state(t.tx(), r.path);
                x.activeRun = null;
                t.store().save(t.tx(), x);
                return null;
            });
        }
    }

    /**
     * A step failed: the target gets the current value back (when the set may have happened), the
     * pending value is dropped, and a retry is planned with backoff; past the bound the secret needs
     * attention (an alert and an audit entry).
     */
    private void rollBack(String runId, String path, Step failed, RuntimeException cause, boolean restore,
                          Map<String, String> pending, RotationContext ctx, Rotator rotator, long stepMs) {
        if (cause instanceof VaultSealedException || cause instanceof VaultNotInitializedException) {
            throw cause; // the vault sealed mid-run: the record says where it stopped; the next unseal recovers
        }
        StateRec s = host.read(t -> t.store().state(t.tx(), path)); // sealed or closed: stop here, recover later
        String restoreFailure = null;
        if (restore && pending != null) {
            try {
                timed(ctx, () -> {
                    rotator.restore(ctx, ctx.current(), pending);
                    return null;
                });
            } catch (VaultSealedException | VaultNotInitializedException sealed) {
                throw sealed;
            } catch (RuntimeException e) {
                restoreFailure = e.getClass().getSimpleName();
            }
        }
        Instant now = host.clock().instant();
        RunRec r = host.read(t -> t.store().run(t.tx(), path, runId));
        int max = s.config.maxAttempts() == null ? DEFAULT_ATTEMPTS : s.config.maxAttempts();
        Duration base = s.config.retryBackoff() == null ? DEFAULT_BACKOFF : s.config.retryBackoff();
        int attempts = s.attempts + 1;
        Instant retryAt = now.plus(base.multipliedBy(1L << Math.min(attempts - 1, 20)));
        boolean windowed = r.trigger == RotationTrigger.SCHEDULE && s.windowEnd != null && !s.manualNext;
        boolean exhausted = restoreFailure != null || attempts >= max
                || (windowed && s.due != null && !s.due.isAfter(now) && retryAt.isAfter(s.windowEnd));
        String errorClass = cause.getClass().getSimpleName();
        String error = cause instanceof RotationStepException || cause instanceof InvalidRequestException
                || cause instanceof NotFoundException ? cause.getMessage()
                : "The " + failed.name() + " step failed (" + errorClass + ").";
        Map<String, String> details = new LinkedHashMap<>();
        details.put("run", runId);
        details.put("trigger", r.trigger.id());
        details.put("attempt", Integer.toString(r.attempt));
        details.put("failed_step", failed.name());
        details.put("error_class", errorClass);
        details.put("step_ms", Long.toString(stepMs));
        details.put("restored", restore && pending != null ? (restoreFailure == null ? "true" : "failed: "
                + restoreFailure) : "not needed");
        details.put("outcome", exhausted ? "needs-attention" : "retry at " + retryAt);
        String fRestoreFailure = restoreFailure;
        host.record(Operation.ROTATION_RUN_ROLLED_BACK, path, details, t -> {
            RunRec x = t.store().run(t.tx(), path, runId);
            StateRec y = t.store().state(t.tx(), path);
            x.state = exhausted ? "needs-attention" : "rolled-back";
            x.pending = null;
            x.endedAt = t.now();
            x.failedStep = failed.name();
            x.errorClass = fRestoreFailure == null ? errorClass : errorClass + ", restore: " + fRestoreFailure;
            x.error = error;
            x.stepMillis.put(failed.name(), stepMs);
            y.activeRun = null;
            y.attempts = attempts;
            y.lastOutcome = x.state;
            y.lastRunAt = t.now();
            y.nextRetryAt = exhausted ? null : retryAt;
            y.retryTrigger = x.trigger;
            y.retryReason = x.reason;
            y.retryBy = x.by;
            if (exhausted) {
                y.needsAttention = true;
            }
            if (windowed && y.due != null && !y.due.isAfter(t.now()) && y.config.schedule() != null) {
                // this slot's run is the one that failed: the schedule moves on, retries stand for it
                Schedule sch = Schedule.of(y.config.schedule(), y.anchor);
                Instant slot = sch.nextSlotAfter(t.now());
                if (exhausted) {
                    y.overdue = true;
                }
                y.slot = slot;
                y.due = sch.dueAt(path, slot);
                y.windowEnd = slot.plus(sch.window());
            }
            t.store().save(t.tx(), x);
            t.store().save(t.tx(), y);
            return null;
        });
        if (exhausted) {
            needsAttention(path, runId, r, failed, errorClass, attempts);
        }
    }

    private void needsAttention(String path, String runId, RunRec r, Step failed, String errorClass, int attempts) {
        String alertId = null;
        try {
            alertId = host.alert(new AlertSpec(DETECTOR, AlertSeverity.HIGH, null, "secret/" + path,
                    "Rotation of secret/" + path + " failed " + attempts + " time(s) and stopped retrying; the last"
                            + " failure was in the " + failed.name() + " step (" + errorClass + ").", List.of(),
                    Map.of("run", runId, "trigger", r.trigger.id(), "failed_step", failed.name(), "error_class",
                            errorClass, "attempts", Integer.toString(attempts))));
        } catch (RuntimeException e) {
            LOG.warn("the needs-attention alert for a rotation could not be raised: {}", e.getClass().getSimpleName());
        }
        host.record(Operation.ROTATION_RUN_NEEDS_ATTENTION, path, Map.of("run", runId, "attempts",
                Integer.toString(attempts), "failed_step", failed.name(), "error_class", errorClass, "alert",
                alertId == null ? "none (no alert service)" : alertId), t -> null);
    }

    /** The previous version's grace ended: revoked on the target, destroyed when the config says so. */
    private void endGrace(String path) {
        StateRec s = host.read(t -> t.store().state(t.tx(), path));
        if (s.graceUntil == null) {
            return;
        }
        int prevVersion = s.previousVersion;
        Rotator rotator = registry.get(s.config.rotator());
        RotationHost.Current cur = host.current(path);
        RotationContext ctx = context(s, cur.fields());
        Map<String, String> previous = prevVersion > 0 ? host.version(path, prevVersion) : Map.of();
        boolean destroy = s.config.destroyPrevious() == null || s.config.destroyPrevious();
        try {
            if (!previous.isEmpty()) {
                timed(ctx, () -> {
                    rotator.revokePrevious(ctx, previous, cur.fields());
                    return null;
                });
            }
        } catch (VaultSealedException | VaultNotInitializedException sealed) {
            throw sealed;
        } catch (RuntimeException e) {
            Duration base = s.config.retryBackoff() == null ? DEFAULT_BACKOFF : s.config.retryBackoff();
            host.record(Operation.ROTATION_GRACE_REVOKE, path, Map.of("version", Integer.toString(prevVersion),
                    "outcome", "failed", "error_class", e.getClass().getSimpleName()), t -> {
                StateRec x = t.store().state(t.tx(), path);
                x.graceUntil = t.now().plus(base);
                t.store().save(t.tx(), x);
                return null;
            });
            return;
        }
        if (destroy && !previous.isEmpty()) {
            host.destroy(path, prevVersion);
        }
        host.record(Operation.ROTATION_GRACE_REVOKE, path, Map.of("version", Integer.toString(prevVersion),
                "outcome", "revoked", "destroyed", Boolean.toString(destroy && !previous.isEmpty())), t -> {
            StateRec x = t.store().state(t.tx(), path);
            x.graceUntil = null;
            x.previousVersion = 0;
            x.graceRun = null;
            t.store().save(t.tx(), x);
            return null;
        });
    }

    // ------------------------------------------------------------ helpers

    private RotationContext context(StateRec s, Map<String, String> current) {
        return new RotationContext(s.path, s.config.params(), current, host::readSecret, host.clock(),
                stepTimeout(s.config));
    }

    static Duration stepTimeout(RotationConfig c) {
        String t = c.params().get("timeout");
        if (t == null) {
            return DEFAULT_STEP_TIMEOUT;
        }
        Duration d = dev.keyward.vault.server.Durations.parse(t);
        if (d.isZero() || d.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new InvalidRequestException("timeout is longer than zero and at most 10m.");
        }
        return d;
    }

    /** Runs a rotator's step with the step timeout (plus a little for the rotator's own timeout to act first). */
    private <T> T timed(RotationContext ctx, java.util.function.Supplier<T> step) {
        Future<T> f = steps.submit(step::get);
        try {
            return f.get(ctx.timeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(false); // never interrupt: the step may be reading storage (see RotationJob#stop)
            throw new RotationStepException("The step did not finish within " + Schedule.human(ctx.timeout())
                    + ".");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err; // the process is in trouble: no rollback now; the record says where it stopped
            }
            throw new RotationStepException("The step failed (" + e.getCause().getClass().getSimpleName() + ").");
        } catch (InterruptedException e) {
            f.cancel(false);
            Thread.currentThread().interrupt();
            throw new RotationStepException("The step was interrupted.");
        }
    }

    private static long elapsed(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    static String clip(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    /** Stops the step threads (the vault closes). */
    public void close() {
        steps.shutdownNow();
    }

    @Override
    public String toString() {
        return "Rotations[" + registry.types() + "]";
    }
}
