package dev.keyward.vault.engine;

import dev.keyward.vault.anomaly.AlertBook;
import dev.keyward.vault.anomaly.AnomalyConfig;
import dev.keyward.vault.anomaly.AnomalyJob;
import dev.keyward.vault.anomaly.Deliveries;
import dev.keyward.vault.anomaly.Detectors;
import dev.keyward.vault.anomaly.Finding;
import dev.keyward.vault.anomaly.Monitor;
import dev.keyward.vault.api.ContainedException;
import dev.keyward.vault.api.AlertService;
import dev.keyward.vault.api.AlertSeverity;
import dev.keyward.vault.api.AlertSpec;
import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InclusionProof;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.api.RotationRun;
import dev.keyward.vault.api.RotationService;
import dev.keyward.vault.api.RotationTrigger;
import dev.keyward.vault.audit.AuditEvent;
import dev.keyward.vault.audit.AuditTap;
import dev.keyward.vault.audit.MerkleAuditLog;
import dev.keyward.vault.notify.WebhookSender;
import dev.keyward.vault.policy.BuiltInPolicies;
import dev.keyward.vault.storage.Storage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AlertService} through the guarded door, and the wiring of anomaly detection: the
 * {@link AnomalyJob} reads the audit stream, its findings become alerts raised by the containment
 * job's system caller, and containment's actions (configured per detector and severity) run on
 * the {@code keyward-containment} thread, each one audited and undoable. Restrictions (locked,
 * read-only, risk) are checked by the door for every call.
 */
final class AlertFacade implements AlertService {
    private static final Logger LOG = LoggerFactory.getLogger(AlertFacade.class);
    static final String ALERTS = "sys/alerts/";
    static final String CONTAINMENT = "sys/containment/";
    /** Operations a restricted identity may still call: reading and working its own alerts, logging out. */
    private static final Set<Operation> ALWAYS = Set.of(Operation.ALERT_READ, Operation.ALERT_ACK,
            Operation.ALERT_RESOLVE, Operation.ALERT_FALSE_POSITIVE, Operation.ALERT_CONFIG, Operation.ALERT_RAISE,
            Operation.CONTAINMENT_UNDO, Operation.OPERATOR_LOGOUT, Operation.TOKEN_LOOKUP, Operation.VAULT_SEAL,
            Operation.VAULT_STATUS);

    private final Engine engine;
    private final Door door;
    private final SecretsFacade.Guard guard;
    private final Storage storage;
    private final Clock clock;
    private final AnomalyJob job;
    private final Deliveries deliveries;
    private final ExecutorService containment;
    private volatile AnomalyConfig config = AnomalyConfig.defaults();
    private volatile int configVersion;
    private volatile AlertBook.Restrictions restrictions = AlertBook.Restrictions.NONE;
    /** The keys of the unsealed vault, for the final save at seal (the hooks run after they are dropped). */
    private volatile Unsealed keys;

    AlertFacade(Engine engine, Door door, SecretsFacade.Guard guard, Storage storage, Clock clock) {
        this.engine = engine;
        this.door = door;
        this.guard = guard;
        this.storage = storage;
        this.clock = clock;
        this.job = new AnomalyJob(new JobHost());
        this.deliveries = new Deliveries(clock, WebhookSender.Retry.DEFAULT);
        this.containment = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "keyward-containment");
            t.setDaemon(true);
            return t;
        });
        door.restrict(this::check);
    }

    AnomalyJob job() {
        return job;
    }

    // ------------------------------------------------------------ seal lifecycle

    void unsealed() {
        Unsealed u = engine.unsealedKeys();
        keys = u;
        AlertBook book = new AlertBook(u.barrier());
        storage.read(tx -> {
            restrictions = book.restrictions(tx);
            AlertBook.StoredConfig c = book.config(tx);
            config = c == null ? AnomalyConfig.defaults() : parseStored(c.yaml());
            configVersion = c == null ? 0 : c.version();
            return null;
        });
        job.start();
    }

    private static AnomalyConfig parseStored(String yaml) {
        try {
            return AnomalyConfig.parse(yaml);
        } catch (KeywardException e) {
            LOG.error("the stored detector configuration no longer parses; the built-in one is used");
            return AnomalyConfig.defaults();
        }
    }

    void sealed() {
        byte[] state = job.stop();
        Unsealed u = keys;
        if (state != null && u != null) {
            try {
                storage.write(tx -> {
                    new AlertBook(u.barrier()).putState(tx, state);
                    return null;
                });
            } catch (RuntimeException e) {
                LOG.warn("the anomaly detectors' state could not be saved at seal: {}", e.getClass().getSimpleName());
            }
        }
        keys = null;
        restrictions = AlertBook.Restrictions.NONE;
    }

    /** Alerts are stored and contained but delivered nowhere (a scratch copy must not page anyone). */
    private volatile boolean quiet;

    void quiet() {
        quiet = true;
    }

    void close() {
        containment.shutdownNow();
        deliveries.close();
    }

    // ------------------------------------------------------------ the door's check

    private void check(Principal p, Operation op, boolean write) {
        AlertBook.Restrictions r = restrictions;
        if (p == null || p.kind() == Principal.Kind.SYSTEM || ALWAYS.contains(op)
                || (r.byIdentity().isEmpty() && !r.vaultReadOnly())) {
            return;
        }
        Restriction mine = r.of(p.id());
        if (mine != null && mine.locked()) {
            throw new ContainedException("permission denied: this identity is locked by containment of an alert;"
                    + " an operator can undo it (keyward alerts undo)");
        }
        if (write && (r.vaultReadOnly() || mine != null && mine.readOnly())) {
            throw new ContainedException("permission denied: read-only mode (containment of an alert) - writes"
                    + " are refused, reads are still served; an operator can undo it (keyward alerts undo)");
        }
    }

    /** The risk score containment gave an identity (0 to 100), which policy conditions test with max_risk. */
    int risk(String identityId) {
        Restriction r = restrictions.of(identityId);
        return r == null ? 0 : r.risk();
    }

    // ------------------------------------------------------------ raising

    @Override
    public String raise(Caller caller, AlertSpec spec) {
        return raise(caller, spec, Map.of());
    }

    /** Raises; {@code done} are containment actions already taken (by name, with what they did). */
    private String raise(Caller caller, AlertSpec spec, Map<String, String> done) {
        Alert a = guard.run(() -> door.write(caller, Operation.ALERT_RAISE, ALERTS + spec.detector(),
                (k, p, tx, now) -> {
                    Alert made = newAlert(k, tx, spec, p, now);
                    new AlertBook(k.barrier()).put(tx, made);
                    return made;
                }, made -> Map.of("alert", made.id(), "detector", made.detector(), "severity",
                        made.severity().id(), "identity", String.valueOf(made.identity()))));
        afterRaise(a, done);
        return a.id();
    }

    private Alert newAlert(Unsealed k, dev.keyward.vault.storage.StorageTx tx, AlertSpec spec, Principal by,
                           Instant now) {
        List<String> leaves = new ArrayList<>();
        MerkleAuditLog log = engine.auditLog();
        for (long seq : spec.evidence()) {
            String leaf = "";
            if (log != null) {
                try {
                    leaf = log.inclusionProof(k.audit(), tx, seq, 0).leafHash();
                } catch (KeywardException notYetCovered) {
                    leaf = ""; // no signed head covers it yet: proveEvidence issues one
                }
            }
            leaves.add(leaf);
        }
        Map<String, String> details = new TreeMap<>(spec.details());
        String identityId = details.remove("identity_id");
        return new Alert(AlertBook.newId("al", now), spec.detector(), spec.severity(), spec.identity(), identityId,
                spec.resource(), spec.summary(), Detectors.info(spec.detector()).runbook(), spec.evidence(), leaves,
                details, now, by.name(), AlertState.OPEN, List.of(new StateChange(AlertState.OPEN, by.name(),
                spec.summary(), now)), List.of());
    }

    /** Delivery and containment, on the containment thread (never the caller's). */
    private void afterRaise(Alert a, Map<String, String> done) {
        AnomalyConfig c = config;
        try {
            containment.execute(() -> {
                for (String action : c.actions(a.detector(), a.severity())) {
                    try {
                        if (done.containsKey(action)) {
                            record(engine.systemCaller(BuiltInPolicies.JOB_CONTAINMENT), a, action, opOf(action),
                                    "applied", done.get(action), Map.of());
                        } else {
                            contain(a, action);
                        }
                    } catch (RuntimeException e) {
                        LOG.warn("containment action {} failed: {}", action, e.getClass().getSimpleName());
                    }
                }
                if (!quiet) {
                    deliveries.deliver(c.delivery(), "alert.raise", a);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            LOG.warn("the vault is closing: alert {} is stored but not delivered", a.id());
        }
    }

    /** A detector's finding: an alert raised by the containment job. */
    private void found(Finding f) {
        Map<String, String> d = new LinkedHashMap<>(f.details());
        if (f.identityId() != null) {
            d.put("identity_id", f.identityId());
        }
        Caller job = engine.systemCaller(BuiltInPolicies.JOB_CONTAINMENT);
        Map<String, String> done = new LinkedHashMap<>();
        if (f.identityId() != null && config.actions(f.detector(), f.severity()).contains("revoke-tokens")) {
            // The one action that races the thief: taken before the alert is even stored.
            int n = engine.identities().revokeAll(job, f.identityId());
            this.job.withMonitor(m -> m.tokensRevoked(f.identityId(), clock.millis()));
            done.put("revoke-tokens", n + " tokens revoked");
        }
        raise(job, new AlertSpec(f.detector(), f.severity(), f.identity(), f.resource(), f.summary(), f.evidence(), d),
                done);
    }

    // ------------------------------------------------------------ containment

    /** Applies one action for an alert; records it (applied or cannot-apply), audited. */
    ContainmentAction contain(Alert a, String action) {
        Caller job = engine.systemCaller(BuiltInPolicies.JOB_CONTAINMENT);
        String id = a.identityId();
        boolean needsIdentity = Set.of("revoke-tokens", "lock", "read-only", "risk").contains(action);
        if (needsIdentity && id == null) {
            return record(job, a, action, opOf(action), "cannot-apply",
                    "the alert names no identity to " + action, Map.of());
        }
        switch (action) {
            case "revoke-tokens" -> {
                int n = engine.identities().revokeAll(job, id);
                // the revocation itself is audited by the identity service (token.revoke)
                this.job.withMonitor(m -> m.tokensRevoked(id, clock.millis()));
                return record(job, a, action, Operation.CONTAINMENT_REVOKE_TOKENS, "applied", n + " tokens revoked",
                        Map.of("tokens", Integer.toString(n)));
            }
            case "lock" -> {
                return restrict(job, a, action, Operation.CONTAINMENT_LOCK, r -> new Restriction(id, a.identity(),
                        true, r.readOnly(), r.risk()), "identity locked", Map.of());
            }
            case "read-only" -> {
                return restrict(job, a, action, Operation.CONTAINMENT_READ_ONLY, r -> new Restriction(id,
                        a.identity(), r.locked(), true, r.risk()), "identity read-only", Map.of());
            }
            case "risk" -> {
                int add = switch (a.severity()) {
                    case INFO -> 5;
                    case LOW -> 10;
                    case MEDIUM -> 25;
                    case HIGH -> 50;
                    case CRITICAL -> 100;
                };
                int[] added = {0};
                return restrict(job, a, action, Operation.CONTAINMENT_RISK, r -> {
                    int to = Math.min(100, r.risk() + add);
                    added[0] = to - r.risk();
                    return new Restriction(id, a.identity(), r.locked(), r.readOnly(), to);
                }, "risk raised", Map.of("risk_added", () -> Integer.toString(added[0])));
            }
            case "vault-read-only" -> {
                return committing(() -> guard.run(() -> door.write(job, Operation.CONTAINMENT_READ_ONLY,
                        CONTAINMENT + "read-only/vault",
                        (k, p, tx, now) -> {
                            AlertBook book = new AlertBook(k.barrier());
                            AlertBook.Restrictions next = book.restrictions(tx).withVaultReadOnly(true);
                            book.putRestrictions(tx, next);
                            ContainmentAction ca = action(a, action, "applied", "the whole vault is read-only", now);
                            book.putAction(tx, ca);
                            book.withAction(tx, a.id(), ca.id());
                            publishAfterCommit(next);
                            return ca;
                        }, ca -> Map.of("alert", a.id(), "action", ca.id(), "state", ca.state()))));
            }
            case "rotate" -> {
                return rotate(job, a);
            }
            case "seal" -> {
                ContainmentAction ca = record(job, a, action, Operation.CONTAINMENT_SEAL, "applied",
                        "vault sealed; unsealing undoes it", Map.of());
                engine.seal(job);
                return ca;
            }
            default -> throw new InvalidRequestException("Unknown containment action '" + action + "'.");
        }
    }

    private static Operation opOf(String action) {
        return switch (action) {
            case "revoke-tokens" -> Operation.CONTAINMENT_REVOKE_TOKENS;
            case "lock" -> Operation.CONTAINMENT_LOCK;
            case "read-only", "vault-read-only" -> Operation.CONTAINMENT_READ_ONLY;
            case "rotate" -> Operation.CONTAINMENT_ROTATE;
            case "seal" -> Operation.CONTAINMENT_SEAL;
            default -> Operation.CONTAINMENT_RISK;
        };
    }

    private ContainmentAction rotate(Caller job, Alert a) {
        RotationService r = engine.rotation();
        List<String> paths = new ArrayList<>();
        if (a.resource() != null && a.resource().startsWith("secret/")) {
            paths.add(a.resource().substring("secret/".length()));
        }
        if (r == null || paths.isEmpty()) {
            return record(job, a, "rotate", Operation.CONTAINMENT_ROTATE, "cannot-apply", r == null
                    ? "this vault has no rotation service" : "the alert names no secret to rotate", Map.of());
        }
        List<String> done = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (String path : paths) {
            try {
                RotationRun run = r.rotateNow(job, path, RotationTrigger.COMPROMISE, "containment of alert " + a.id());
                done.add(run.id());
            } catch (KeywardException e) {
                failed.add(e.getClass().getSimpleName());
            }
        }
        return record(job, a, "rotate", Operation.CONTAINMENT_ROTATE, done.isEmpty() ? "cannot-apply" : "applied",
                done.isEmpty() ? "rotation refused: " + String.join(", ", failed) : "rotation started: "
                        + String.join(", ", done), Map.of("runs", String.join(",", done)));
    }

    private interface Change {
        Restriction apply(Restriction r);
    }

    private ContainmentAction restrict(Caller job, Alert a, String action, Operation op, Change change, String detail,
                                       Map<String, Supplier<String>> more) {
        String id = a.identityId();
        return committing(() -> guard.run(() -> door.write(job, op, CONTAINMENT + action + "/" + id,
                (k, p, tx, now) -> {
            AlertBook book = new AlertBook(k.barrier());
            AlertBook.Restrictions cur = book.restrictions(tx);
            Restriction had = cur.of(id);
            Restriction next = change.apply(had == null ? new Restriction(id, a.identity(), false, false, 0) : had);
            AlertBook.Restrictions all = cur.with(next);
            book.putRestrictions(tx, all);
            Map<String, String> extra = new TreeMap<>();
            more.forEach((n, v) -> extra.put(n, v.get()));
            ContainmentAction ca = action(a, action, "applied", detail + (extra.isEmpty() ? "" : " " + extra), now);
            book.putAction(tx, ca);
            book.withAction(tx, a.id(), ca.id());
            publishAfterCommit(all);
            return ca;
        }, ca -> Map.of("alert", a.id(), "action", ca.id(), "identity", id, "state", ca.state()))));
    }

    /** Marks where a containment write stores new restrictions (they are re-read once it committed). */
    private static void publishAfterCommit(AlertBook.Restrictions r) {
        // the transaction may run on the storage's committer thread: committing() re-reads after it
    }

    /** Runs a containment write; the restrictions it stored take effect for the next call once it committed. */
    private <T> T committing(Supplier<T> write) {
        T result = write.get();
        restrictions = engine.underKeys(u -> storage.read(tx -> new AlertBook(u.barrier()).restrictions(tx)));
        return result;
    }

    private ContainmentAction record(Caller job, Alert a, String action, Operation op, String state, String detail,
                                     Map<String, String> extra) {
        return guard.run(() -> door.write(job, op, CONTAINMENT + action + (a.identityId() == null ? ""
                : "/" + a.identityId()), (k, p, tx, now) -> {
            AlertBook book = new AlertBook(k.barrier());
            ContainmentAction ca = action(a, action, state, detail, now);
            book.putAction(tx, ca);
            book.withAction(tx, a.id(), ca.id());
            return ca;
        }, ca -> {
            Map<String, String> d = new TreeMap<>(extra);
            d.put("alert", a.id());
            d.put("action", ca.id());
            d.put("state", ca.state());
            d.put("detail", ca.detail());
            return d;
        }));
    }

    private static ContainmentAction action(Alert a, String action, String state, String detail, Instant now) {
        return new ContainmentAction(AlertBook.newId("ca", now), a.id(), action, a.identity(), a.identityId(), state,
                detail, now, null, null);
    }

    // ------------------------------------------------------------ operators' calls

    @Override
    public List<Alert> listAlerts(Caller caller, AlertFilter filter) {
        AlertFilter f = filter == null ? AlertFilter.all() : filter;
        return guard.run(() -> door.read(caller, Operation.ALERT_READ, ALERTS + "list",
                (k, p, tx, now) -> new AlertBook(k.barrier()).list(tx, f)));
    }

    @Override
    public Alert showAlert(Caller caller, String alertId) {
        return guard.run(() -> door.read(caller, Operation.ALERT_READ, ALERTS + "list",
                (k, p, tx, now) -> new AlertBook(k.barrier()).alert(tx, alertId)));
    }

    @Override
    public List<InclusionProof> proveEvidence(Caller caller, String alertId) {
        Alert a = showAlert(caller, alertId);
        List<InclusionProof> out = new ArrayList<>();
        boolean issued = false;
        for (long seq : a.evidence()) {
            try {
                out.add(engine.audit().inclusionProof(caller, seq, 0));
            } catch (InvalidRequestException notCovered) {
                if (issued) {
                    throw notCovered;
                }
                engine.audit().issueHead(caller);
                issued = true;
                out.add(engine.audit().inclusionProof(caller, seq, 0));
            }
        }
        return out;
    }

    @Override
    public Alert acknowledge(Caller caller, String alertId, String why) {
        return change(caller, alertId, AlertState.ACKNOWLEDGED, Operation.ALERT_ACK, why, "alert.ack");
    }

    @Override
    public Alert resolve(Caller caller, String alertId, String why) {
        return change(caller, alertId, AlertState.RESOLVED, Operation.ALERT_RESOLVE, why, "alert.resolve");
    }

    @Override
    public Alert markFalsePositive(Caller caller, String alertId, String why) {
        Alert a = change(caller, alertId, AlertState.FALSE_POSITIVE, Operation.ALERT_FALSE_POSITIVE, why,
                "alert.false-positive");
        job.withMonitor(m -> m.falsePositive(a.detector(), a.identityId(), a.details()));
        return a;
    }

    private static String why(String why) {
        if (why == null || why.isBlank()) {
            throw new InvalidRequestException("Say why (a reason is recorded with the change).");
        }
        if (why.length() > 1024) {
            throw new InvalidRequestException("A reason is at most 1024 characters.");
        }
        return why.trim();
    }

    private Alert change(Caller caller, String alertId, AlertState to, Operation op, String why, String event) {
        String reason = why(why);
        Alert a = guard.run(() -> door.write(caller, op, ALERTS + alertId, (k, p, tx, now) -> {
            AlertBook book = new AlertBook(k.barrier());
            Alert cur = book.alert(tx, alertId);
            if (cur.state() == AlertState.RESOLVED || cur.state() == AlertState.FALSE_POSITIVE) {
                throw new InvalidRequestException("Alert " + alertId + " is already " + cur.state().id() + ".");
            }
            return book.change(tx, alertId, to, p.name(), reason, now);
        }, changed -> Map.of("alert", changed.id(), "state", changed.state().id(), "detector", changed.detector())));
        AnomalyConfig c = config;
        try {
            if (!quiet) {
                containment.execute(() -> deliveries.deliver(c.delivery(), event, a));
            }
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            LOG.warn("the vault is closing: the change of alert {} is not delivered", a.id());
        }
        return a;
    }

    @Override
    public ContainmentStatus containmentStatus(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.ALERT_READ, CONTAINMENT + "status", (k, p, tx, now) -> {
            AlertBook book = new AlertBook(k.barrier());
            AlertBook.Restrictions r = book.restrictions(tx);
            return new ContainmentStatus(r.vaultReadOnly(), List.copyOf(r.byIdentity().values()),
                    book.actions(tx, 100));
        }));
    }

    @Override
    public ContainmentAction undoContainment(Caller caller, String actionId, String why) {
        String reason = why(why);
        return committing(() -> guard.run(() -> door.write(caller, Operation.CONTAINMENT_UNDO, CONTAINMENT + "undo",
                (k, p, tx, now) -> {
                    AlertBook book = new AlertBook(k.barrier());
                    ContainmentAction a = book.action(tx, actionId);
                    if (!a.state().equals("applied")) {
                        throw new InvalidRequestException("Containment action " + actionId + " is " + a.state()
                                + ": there is nothing to undo.");
                    }
                    AlertBook.Restrictions r = book.restrictions(tx);
                    Restriction had = a.identityId() == null ? null : r.of(a.identityId());
                    AlertBook.Restrictions next = r;
                    String note;
                    switch (a.action()) {
                        case "lock" -> {
                            next = had == null ? r : r.with(new Restriction(had.identityId(), had.identity(), false,
                                    had.readOnly(), had.risk()));
                            note = "unlocked";
                        }
                        case "read-only" -> {
                            next = had == null ? r : r.with(new Restriction(had.identityId(), had.identity(),
                                    had.locked(), false, had.risk()));
                            note = "read-only mode ended";
                        }
                        case "vault-read-only" -> {
                            next = r.withVaultReadOnly(false);
                            note = "the vault is writable again";
                        }
                        case "risk" -> {
                            int added = riskAdded(a.detail());
                            next = had == null ? r : r.with(new Restriction(had.identityId(), had.identity(),
                                    had.locked(), had.readOnly(), Math.max(0, had.risk() - added)));
                            note = "risk lowered by " + added;
                        }
                        case "revoke-tokens" -> note = "revoked tokens stay revoked; the identity logs in again";
                        case "rotate" -> note = "a rotation is not reversed; restore a version if needed";
                        case "seal" -> note = "the vault was unsealed";
                        default -> note = "nothing to revert";
                    }
                    book.putRestrictions(tx, next);
                    ContainmentAction undone = new ContainmentAction(a.id(), a.alertId(), a.action(), a.identity(),
                            a.identityId(), "undone", a.detail() + "; undo: " + note, a.at(), p.name(), reason);
                    book.putAction(tx, undone);
                    publishAfterCommit(next);
                    return undone;
                }, u -> Map.of("action", u.id(), "undone", u.action(), "alert", String.valueOf(u.alertId())))));
    }

    private static int riskAdded(String detail) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("risk_added=(\\d+)").matcher(detail);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    @Override
    public DetectorConfig detectorConfig(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.ALERT_READ, ALERTS + "config",
                (k, p, tx, now) -> describe(config, configVersion)));
    }

    @Override
    public DetectorConfig applyDetectorConfig(Caller caller, String yaml) {
        AnomalyConfig parsed = AnomalyConfig.parse(yaml);
        DetectorConfig d = guard.run(() -> door.write(caller, Operation.ALERT_CONFIG, ALERTS + "config",
                (k, p, tx, now) -> {
                    AlertBook book = new AlertBook(k.barrier());
                    AlertBook.StoredConfig cur = book.config(tx);
                    int v = cur == null ? 1 : cur.version() + 1;
                    book.putConfig(tx, new AlertBook.StoredConfig(yaml, v));
                    return describe(parsed, v);
                }, c -> Map.of("version", Integer.toString(c.version()))));
        config = parsed;
        configVersion = d.version();
        job.withMonitor(m -> m.configure(parsed));
        return d;
    }

    private DetectorConfig describe(AnomalyConfig c, int version) {
        List<DetectorInfo> ds = new ArrayList<>();
        for (String name : Detectors.names()) {
            AnomalyConfig.DetectorSettings s = c.detector(name);
            Map<String, List<String>> cont = new TreeMap<>();
            for (AlertSeverity sev : AlertSeverity.values()) {
                List<String> acts = c.actions(name, sev);
                if (!acts.isEmpty()) {
                    cont.put(sev.id(), acts);
                }
            }
            ds.add(new DetectorInfo(name, s.enabled(), s.severity() != null ? s.severity()
                    : Detectors.info(name).severity(), cont, Detectors.info(name).runbook()));
        }
        List<String> deliveryNames = new ArrayList<>();
        Map<String, String> problems = deliveries.problems();
        for (String n : c.delivery().names()) {
            deliveryNames.add(problems.containsKey(n) ? n + " (last delivery failed: " + problems.get(n) + ")" : n);
        }
        return new DetectorConfig(c.shownYaml(), version, ds, deliveryNames);
    }

    /** The configuration in force (for tests and tools in this module). */
    AnomalyConfig config() {
        return config;
    }

    // ------------------------------------------------------------ the job's host

    private final class JobHost implements AnomalyJob.Host {
        @Override
        public Monitor.State loadState() {
            return engine.underKeys(u -> storage.read(tx -> new AlertBook(u.barrier()).state(tx)));
        }

        @Override
        public AnomalyConfig loadConfig() {
            return config;
        }

        @Override
        public void saveState(byte[] encoded) {
            engine.underKeys(u -> storage.write(tx -> {
                new AlertBook(u.barrier()).putState(tx, encoded);
                return null;
            }));
        }

        @Override
        public List<AuditTap.Committed> entriesAfter(long afterSequence, int limit) {
            MerkleAuditLog log = engine.auditLog();
            if (log == null) {
                return List.of();
            }
            return engine.underKeys(u -> storage.read(tx -> {
                List<AuditTap.Committed> out = new ArrayList<>();
                for (AuditRecord r : log.query(u.audit(), tx, new AuditQuery(null, null, null, null, null, null,
                        afterSequence, limit)).entries()) {
                    out.add(new AuditTap.Committed(r.sequence(), event(r)));
                }
                return out;
            }));
        }

        @Override
        public void found(Finding f) {
            AlertFacade.this.found(f);
        }
    }

    private static AuditEvent event(AuditRecord r) {
        return new AuditEvent(r.time(), r.requestId(), r.identityId(), r.identityName(),
                r.authMethod() == null ? "NONE" : r.authMethod(), r.sourceAddress(), r.operation(), r.resource(),
                AuditEvent.Decision.valueOf(r.decision()), r.rule(), r.justification(), r.approvalId(),
                AuditEvent.Outcome.valueOf(r.outcome()), r.errorClass(), r.credentialHmac(), r.details());
    }

    /** Waits (tests, benchmarks) until the detectors saw entry {@code sequence} and containment ran what it was given. */
    boolean settle(long sequence, Duration timeout) throws InterruptedException {
        if (!job.awaitProcessed(sequence, timeout)) {
            return false;
        }
        java.util.concurrent.CompletableFuture<Void> f = new java.util.concurrent.CompletableFuture<>();
        containment.execute(() -> f.complete(null));
        try {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }
}
