package dev.keyward.vault.engine;

import dev.keyward.vault.api.AlertService;
import dev.keyward.vault.api.AlertSeverity;
import dev.keyward.vault.api.AlertSpec;
import dev.keyward.vault.api.ApprovalGate;
import dev.keyward.vault.api.ApprovalRequiredException;
import dev.keyward.vault.api.ApprovalService;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.GatedOperation;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.api.SecretMetadata;
import dev.keyward.vault.approval.Approvals;
import dev.keyward.vault.crypto.Keyring;
import dev.keyward.vault.identity.Machines;
import dev.keyward.vault.identity.OperatorRecord;
import dev.keyward.vault.policy.BuiltInPolicies;
import dev.keyward.vault.storage.StorageTx;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ApprovalService} and {@link ApprovalGate} through the guarded door; the rules are in
 * {@link Approvals}. The expiry sweep (pending requests, grants, elevations) runs as the system
 * caller of the {@code approvals} job while the vault is unsealed.
 */
final class ApprovalFacade implements ApprovalService, ApprovalGate {
    private static final Logger LOG = LoggerFactory.getLogger(ApprovalFacade.class);
    static final String REQUESTS = "sys/approvals/requests/";
    static final String SELF = "sys/approvals/self";
    static final String CONFIG = "sys/approvals/config";
    /** How often the sweep looks for what ran out of time. */
    static final Duration SWEEP_TICK = Duration.ofSeconds(5);

    /** How many approvals the caller's policies ask for an operation on a resource (0: none). */
    interface PolicyApprovals {
        int required(StorageTx tx, Principal p, Caller caller, Operation op, String resource, Instant now);
    }

    private final Engine engine;
    private final Door door;
    private final SecretsFacade.Guard guard;
    private final PolicyApprovals policyApprovals;
    private volatile Supplier<AlertService> alerts;
    private final Object sweepLock = new Object();
    private ScheduledExecutorService sweeper;
    private ScheduledFuture<?> sweeping;
    private volatile Unsealed cachedKeys;
    private volatile Approvals cached;

    ApprovalFacade(Engine engine, Door door, SecretsFacade.Guard guard, PolicyApprovals policyApprovals,
                   Supplier<AlertService> alerts) {
        this.engine = engine;
        this.door = door;
        this.guard = guard;
        this.policyApprovals = policyApprovals;
        this.alerts = alerts;
    }

    /** Replaces where break-glass raises its alert (the engine passes its alert service; tests record instead). */
    void useAlerts(Supplier<AlertService> a) {
        this.alerts = a;
    }

    Approvals rules(Unsealed k) {
        Approvals a = cached;
        if (cachedKeys != k || a == null) {
            a = new Approvals(k.barrier(), k.keyring().named(Keyring.INDEX_KEY));
            cached = a;
            cachedKeys = k;
        }
        return a;
    }

    static Approvals.Directory directory(Unsealed k) {
        return new Approvals.Directory() {
            @Override
            public OperatorRecord operator(StorageTx tx, String name) {
                return name == null ? null : k.identities().operator(tx, name);
            }

            @Override
            public String identityId(StorageTx tx, String identity) {
                int colon = identity.indexOf(':');
                if (colon < 0) {
                    return null;
                }
                String kind = identity.substring(0, colon);
                String name = identity.substring(colon + 1);
                return switch (kind) {
                    case "operator" -> {
                        OperatorRecord op = k.identities().operator(tx, name);
                        yield op == null ? null : op.id();
                    }
                    case "approle" -> {
                        Machines.AppRoleRecord r = k.machines().appRole(tx, name);
                        yield r == null ? null : r.id();
                    }
                    case "cert" -> {
                        Machines.CertRecord r = k.machines().cert(tx, name);
                        yield r == null ? null : r.id();
                    }
                    default -> null;
                };
            }
        };
    }

    private static boolean admin(Principal p) {
        return p.kind() == Principal.Kind.OPERATOR && p.roles().contains(BuiltInPolicies.ADMIN);
    }

    private static Map<String, String> details(Request r) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("request", r.id());
        d.put("operation", r.operation());
        d.put("resource", r.resource());
        d.put("status", r.status());
        d.put("requester", r.requester());
        if (r.breakGlass()) {
            d.put("break_glass", "true");
        }
        return d;
    }

    /** The request's audit details with its newest vote (the one this call added) and its signature. */
    private static Map<String, String> voteDetails(Request r) {
        Map<String, String> d = details(r);
        if (!r.votes().isEmpty()) {
            Vote v = r.votes().get(r.votes().size() - 1);
            d.put("approver", v.approver());
            d.put("decision", v.approve() ? "approve" : "deny");
            d.put("key_id", v.keyId());
            d.put("signature", v.signature());
        }
        d.put("votes", Integer.toString(r.votes().size()));
        return d;
    }

    // ------------------------------------------------------------ configuration

    @Override
    public Track putTrack(Caller caller, Track track) {
        return guard.run(() -> door.write(caller, Operation.APPROVAL_CONFIG, CONFIG,
                (k, p, tx, now) -> rules(k).config().putTrack(tx, track),
                t -> Map.of("track", t.name(), "operators", String.join(",", t.operators()), "roles",
                        String.join(",", t.roles()))));
    }

    @Override
    public List<Track> listTracks(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.APPROVAL_READ, SELF + "/config",
                (k, p, tx, now) -> rules(k).config().tracks(tx)));
    }

    @Override
    public void deleteTrack(Caller caller, String name) {
        guard.run(() -> door.write(caller, Operation.APPROVAL_CONFIG, CONFIG, (k, p, tx, now) -> {
            rules(k).config().deleteTrack(tx, name);
            return null;
        }, x -> Map.of("track", String.valueOf(name), "action", "delete")));
    }

    @Override
    public Gate putGate(Caller caller, Gate gate) {
        return guard.run(() -> door.write(caller, Operation.APPROVAL_CONFIG, CONFIG,
                (k, p, tx, now) -> rules(k).config().putGate(tx, gate),
                g -> Map.of("gate", g.id(), "operation", g.operation(), "resource", g.resource(), "thresholds",
                        g.thresholds().stream().map(t -> t.track() + ">=" + t.approve()).toList().toString(),
                        "deny", Integer.toString(g.deny()), "break_glass", Boolean.toString(g.breakGlass()))));
    }

    @Override
    public List<Gate> listGates(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.APPROVAL_READ, SELF + "/config",
                (k, p, tx, now) -> rules(k).config().gates(tx)));
    }

    @Override
    public void deleteGate(Caller caller, String id) {
        guard.run(() -> door.write(caller, Operation.APPROVAL_CONFIG, CONFIG, (k, p, tx, now) -> {
            rules(k).config().deleteGate(tx, id);
            return null;
        }, x -> Map.of("gate", String.valueOf(id), "action", "delete")));
    }

    // ------------------------------------------------------------ requests

    @Override
    public Request request(Caller caller, RequestSpec spec) {
        return guard.run(() -> door.write(caller, Operation.APPROVAL_REQUEST, REQUESTS + "new",
                (k, p, tx, now) -> openRequest(k, p, caller, tx, spec, now), ApprovalFacade::details));
    }

    private Request openRequest(Unsealed k, Principal p, Caller caller, StorageTx tx, RequestSpec spec, Instant now) {
        int policyK = 0;
        for (Operation o : Operation.values()) {
            if (o.id().equals(spec.operation())) {
                policyK = policyApprovals.required(tx, p, caller, o, spec.resource(), now);
            }
        }
        return rules(k).open(tx, directory(k), p, spec, policyK, k.identities().operators(tx), now);
    }

    @Override
    public Request approve(Caller caller, String requestId, String reason, char[] passphrase) {
        return vote(caller, Operation.APPROVAL_APPROVE, requestId, true, reason, passphrase);
    }

    @Override
    public Request deny(Caller caller, String requestId, String reason, char[] passphrase) {
        return vote(caller, Operation.APPROVAL_DENY, requestId, false, reason, passphrase);
    }

    private Request vote(Caller caller, Operation op, String requestId, boolean approve, String reason,
                         char[] passphrase) {
        return guard.run(() -> door.write(caller, op, REQUESTS + requestId, (k, p, tx, now) -> rules(k).vote(tx,
                directory(k), p, requestId, approve, reason, passphrase, null, now),
                ApprovalFacade::voteDetails));
    }

    @Override
    public Request signedVote(Caller caller, String requestId, boolean approve, String reason, String signatureBase64) {
        String sig = signatureBase64 == null ? "" : signatureBase64.trim();
        return guard.run(() -> door.write(caller, approve ? Operation.APPROVAL_APPROVE : Operation.APPROVAL_DENY,
                REQUESTS + requestId, (k, p, tx, now) -> rules(k).vote(tx, directory(k), p, requestId, approve, reason,
                        null, (key, message) -> sig, now), ApprovalFacade::voteDetails));
    }

    @Override
    public String signingMessage(Caller caller, String requestId, boolean approve, String reason) {
        String why = reason == null ? "" : reason.trim();
        return guard.run(() -> door.read(caller, Operation.APPROVAL_READ, SELF + "/requests",
                (k, p, tx, now) -> rules(k).signingMessage(tx, requestId, p.name(), approve, why)));
    }

    @Override
    public Request cancel(Caller caller, String requestId, String reason) {
        return guard.run(() -> door.write(caller, Operation.APPROVAL_CANCEL, REQUESTS + requestId,
                (k, p, tx, now) -> rules(k).cancel(tx, p, admin(p), requestId, reason, now), ApprovalFacade::details));
    }

    @Override
    public Request show(Caller caller, String requestId) {
        return guard.run(() -> door.read(caller, Operation.APPROVAL_READ, SELF + "/requests",
                (k, p, tx, now) -> rules(k).show(tx, requestId)));
    }

    @Override
    public List<Request> waitingForMe(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.APPROVAL_READ, SELF + "/inbox",
                (k, p, tx, now) -> rules(k).waitingFor(tx, directory(k), p, now)));
    }

    @Override
    public List<Request> mine(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.APPROVAL_READ, SELF + "/mine",
                (k, p, tx, now) -> rules(k).mine(tx, p, now)));
    }

    @Override
    public List<Request> history(Caller caller, int limit) {
        return guard.run(() -> door.read(caller, Operation.APPROVAL_READ, SELF + "/history", (k, p, tx, now) -> {
            Approvals a = rules(k);
            boolean reviewer = admin(p) || p.roles().contains(BuiltInPolicies.AUDITOR) || a.config().tracks(tx).stream()
                    .anyMatch(t -> t.operators().contains(p.name()) || t.roles().stream().anyMatch(p.roles()::contains));
            return reviewer ? a.history(tx, limit, now) : a.mine(tx, p, now);
        }));
    }

    @Override
    public List<Request> grants(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.APPROVAL_READ, SELF + "/grants",
                (k, p, tx, now) -> rules(k).grantsOf(tx, p, now)));
    }

    // ------------------------------------------------------------ keys

    @Override
    public SigningKey signingKey(Caller caller, char[] passphrase) {
        return guard.run(() -> door.write(caller, Operation.APPROVAL_KEY, SELF + "/key", (k, p, tx, now) -> {
            OperatorRecord op = operatorOf(k, tx, p);
            return dev.keyward.vault.approval.ApproverKeys.view(rules(k).keys().keyOrCreate(tx, op, passphrase, now));
        }, s -> Map.of("key_id", s.keyId(), "held_by_vault", Boolean.toString(s.heldByVault()))));
    }

    @Override
    public SigningKey registerSigningKey(Caller caller, String publicKeyBase64, char[] passphrase) {
        return guard.run(() -> door.write(caller, Operation.APPROVAL_KEY, SELF + "/key", (k, p, tx, now) -> {
            OperatorRecord op = operatorOf(k, tx, p);
            return dev.keyward.vault.approval.ApproverKeys.view(rules(k).keys().registerKey(tx, op, publicKeyBase64, passphrase, now));
        }, s -> Map.of("key_id", s.keyId(), "held_by_vault", Boolean.toString(s.heldByVault()), "action", "register")));
    }

    private static OperatorRecord operatorOf(Unsealed k, StorageTx tx, Principal p) {
        OperatorRecord op = p.kind() == Principal.Kind.OPERATOR ? k.identities().operator(tx, p.name()) : null;
        if (op == null || !op.id().equals(p.id())) {
            throw new dev.keyward.vault.api.AccessDeniedException("Only operators hold signing keys.");
        }
        return op;
    }

    /** Creates a new operator's signing key in the transaction that creates the operator. */
    void operatorCreated(Unsealed k, StorageTx tx, OperatorRecord op, char[] passphrase, Instant now) {
        rules(k).keys().createKey(tx, op, passphrase, now);
    }

    /** Records who created an automation identity (its creator never approves its elevation). */
    void identityCreated(Unsealed k, StorageTx tx, String identity, Principal by, Instant now) {
        rules(k).keys().recordCreator(tx, identity, by.name(), now);
    }

    // ------------------------------------------------------------ elevation

    @Override
    public Elevation startElevation(Caller caller, String requestId) {
        return guard.run(() -> door.write(caller, Operation.APPROVAL_ELEVATION_START, REQUESTS + requestId,
                (k, p, tx, now) -> rules(k).startElevation(tx, directory(k), p, requestId, now),
                e -> Map.of("request", e.requestId(), "identity", e.identity(), "grant", e.grant(), "expires_at",
                        e.expiresAt().toString())));
    }

    @Override
    public Elevation endElevation(Caller caller, String requestId) {
        return guard.run(() -> door.write(caller, Operation.APPROVAL_ELEVATION_END, SELF + "/elevations/" + requestId,
                (k, p, tx, now) -> rules(k).endElevation(tx, p, admin(p), requestId, now),
                e -> Map.of("request", e.requestId(), "identity", e.identity(), "grant", e.grant(), "ended_by",
                        String.valueOf(e.endedBy()))));
    }

    @Override
    public List<Elevation> elevations(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.APPROVAL_READ, SELF + "/elevations",
                (k, p, tx, now) -> rules(k).elevations(tx, now)));
    }

    /** What a principal holds through live elevations ({@code policy:NAME}, {@code role:NAME}). */
    List<String> elevated(Unsealed k, StorageTx tx, Principal p, Instant now) {
        return rules(k).elevatedGrants(tx, p.id(), now);
    }

    // ------------------------------------------------------------ break-glass

    @Override
    public Request breakGlass(Caller caller, BreakGlassSpec spec) {
        Approvals.BreakGlass bg = guard.run(() -> door.write(caller, Operation.APPROVAL_BREAK_GLASS,
                REQUESTS + "break-glass", (k, p, tx, now) -> rules(k).breakGlass(tx, directory(k), p, spec,
                        k.identities().operators(tx), now),
                b -> {
                    Map<String, String> d = details(b.grant());
                    d.put("reason", spec.reason());
                    d.put("alerted", String.join(",", b.approvers()));
                    return d;
                }));
        raiseAlert(bg);
        return bg.grant();
    }

    private void raiseAlert(Approvals.BreakGlass bg) {
        Supplier<AlertService> s = alerts;
        AlertService a = s == null ? null : s.get();
        if (a == null) {
            return; // no alert service (a test set none): the approvers' notices, written with the grant, still are
        }
        Request g = bg.grant();
        try {
            a.raise(engine.systemCaller(BuiltInPolicies.JOB_APPROVALS), new AlertSpec("break-glass", AlertSeverity.HIGH,
                    "operator:" + g.requester(), g.resource(), g.requester() + " broke the glass for " + g.operation()
                    + " on " + g.resource(), List.of(), Map.of("request", g.id(), "operation", g.operation(),
                    "approvers", String.join(",", bg.approvers()))));
        } catch (RuntimeException e) {
            LOG.warn("the break-glass alert could not be raised: {}", e.getClass().getSimpleName());
        }
    }

    @Override
    public List<Notice> notices(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.APPROVAL_READ, SELF + "/notices",
                (k, p, tx, now) -> rules(k).notices(tx, p.name())));
    }

    // ------------------------------------------------------------ the gate

    private enum Verdict { NONE, USE, WAIT, OPEN, REFUSE, UNDEFINED }

    private record Decision(Verdict verdict, String requestId) {
    }

    @Override
    public Optional<String> admit(Caller caller, GatedOperation operation, String resource, String change) {
        return guard.run(() -> admitInside(caller, operation, resource, change));
    }

    /** {@link #admit} for callers already under the state lock. */
    Optional<String> admitInside(Caller caller, GatedOperation operation, String resource, String change) {
        String res = resource == null ? "" : resource;
        // Most calls meet no gate: find that out without an audit entry of its own.
        boolean maybe = engine.underKeys(k -> engine.storage().read(tx -> rules(k).config().gateFor(tx, operation.id(), res) != null
                || (bySecretCriticality(operation) && critical(k, tx, res))));
        if (!maybe) {
            return Optional.empty();
        }
        Decision d = door.read(caller, Operation.APPROVAL_GATE, SELF + "/gate", (k, p, tx, now) -> {
            Approvals a = rules(k);
            ApprovalService.Gate g = a.config().gateFor(tx, operation.id(), res);
            if (g == null) {
                if (!bySecretCriticality(operation) || !critical(k, tx, res)) {
                    return new Decision(Verdict.NONE, null);
                }
                if (p.kind() == Principal.Kind.SYSTEM && (operation == GatedOperation.ROTATE_NOW
                        || operation == GatedOperation.READ_CRITICAL)) {
                    return new Decision(Verdict.NONE, null); // the vault's own jobs (rotation, containment)
                }
                return new Decision(Verdict.UNDEFINED, null);
            }
            if (caller.approvalId() != null) {
                return new Decision(Verdict.USE, caller.approvalId());
            }
            Request open = a.openRequestOf(tx, p, operation.id(), res, now);
            if (open != null) {
                return new Decision(Verdict.WAIT, open.id());
            }
            return new Decision(caller.justification() == null || caller.justification().isBlank() ? Verdict.REFUSE
                    : Verdict.OPEN, null);
        }, x -> Map.of("operation", operation.id(), "resource", res, "verdict", x.verdict().name().toLowerCase(),
                "request", String.valueOf(x.requestId())));
        switch (d.verdict()) {
            case NONE:
                return Optional.empty();
            case USE:
                Request used = door.write(caller, Operation.APPROVAL_GRANT_USE, REQUESTS + d.requestId(),
                        (k, p, tx, now) -> {
                            Request r = rules(k).show(tx, d.requestId());
                            if (change != null && r.change() != null && !r.change().equals(change)) {
                                throw new ApprovalRequiredException("The approval " + r.id() + " was given for another "
                                        + "change than this one: request approval for this change.", null);
                            }
                            return rules(k).consume(tx, directory(k), p, d.requestId(), operation.id(), res, now);
                        }, r -> {
                            Map<String, String> m = details(r);
                            m.put("uses_left", Integer.toString(r.usesLeft()));
                            m.put("signatures", Long.toString(r.votes().stream().filter(Vote::approve).count()));
                            return m;
                        });
                return Optional.of(used.id());
            case WAIT:
                throw new ApprovalRequiredException(operation.id() + " on " + res + " waits for approval: request "
                        + d.requestId() + ". Retry with it as the approval once it is approved.", d.requestId());
            case OPEN:
                Request opened = door.write(caller, Operation.APPROVAL_REQUEST, REQUESTS + "new",
                        (k, p, tx, now) -> openRequest(k, p, caller, tx, new RequestSpec(operation.id(), res, change,
                                null, caller.justification(), null, null, 1), now), ApprovalFacade::details);
                throw new ApprovalRequiredException(operation.id() + " on " + res + " needs approval: request "
                        + opened.id() + " is open. Retry with it as the approval once it is approved.", opened.id());
            case UNDEFINED:
                throw new ApprovalRequiredException(operation.id() + " on " + res + " is gated (the secret is critical) "
                        + "but no gate says who approves it: an admin defines one (keyward approvals gate put).", null);
            default:
                throw new ApprovalRequiredException(operation.id() + " on " + res + " needs approval: open a request "
                        + "with a justification (keyward request " + operation.id() + " " + res + " --reason ...).", null);
        }
    }

    /** Whether the operation on the resource meets a gate (defined, or the secret is critical). */
    boolean gated(Unsealed k, StorageTx tx, GatedOperation op, String resource) {
        return rules(k).config().gateFor(tx, op.id(), resource) != null || (bySecretCriticality(op) && critical(k, tx, resource));
    }

    /** Whether the secret's criticality alone gates this operation. */
    private static boolean bySecretCriticality(GatedOperation op) {
        return op == GatedOperation.READ_CRITICAL || op == GatedOperation.ROTATE_NOW || op == GatedOperation.DESTROY;
    }

    /** Whether the secret at {@code resource} ({@code secret/PATH} or {@code PATH}) is marked critical. */
    static boolean critical(Unsealed k, StorageTx tx, String resource) {
        String path = resource.startsWith("secret/") ? resource.substring("secret/".length()) : resource;
        try {
            return k.kv().critical(tx, dev.keyward.vault.api.SecretPaths.normalize(path));
        } catch (dev.keyward.vault.api.InvalidRequestException notASecretPath) {
            return false;
        }
    }

    /** The resource every policy change is gated on (one resource, so no change can slip past by its name). */
    static final String POLICIES = "policies";

    /**
     * Asks the gate before a policy change when a gate is defined for it: the change is the diff
     * people review, and a grant was given for exactly that diff. Call under the state lock.
     */
    void admitPolicyChange(Caller caller, String why, java.util.function.BiFunction<Unsealed, StorageTx, String> diff) {
        if (!defined(GatedOperation.POLICY_APPLY, POLICIES)) {
            return;
        }
        String change = engine.underKeys(k -> engine.storage().read(tx -> diff.apply(k, tx)));
        Caller c = (caller.justification() == null || caller.justification().isBlank()) && why != null
                ? caller.withJustification(why) : caller;
        admitInside(c, GatedOperation.POLICY_APPLY, POLICIES, change);
    }

    /** Whether a gate is defined for the operation on the resource (no audit: configuration only). */
    boolean defined(GatedOperation op, String resource) {
        return engine.underKeys(k -> engine.storage().read(tx -> rules(k).config().gateFor(tx, op.id(), resource) != null));
    }

    /** The grant presented for a door operation guarded by a policy's approvals condition, counted. */
    int approvalsFor(Unsealed k, StorageTx tx, Principal p, Caller caller, Operation op, String resource, Instant now) {
        if (caller.approvalId() == null || p.kind() == Principal.Kind.SYSTEM) {
            return 0;
        }
        return rules(k).approvalsFor(tx, directory(k), p, caller.approvalId(), op.id(), resource, now);
    }

    /** Uses the grant presented for a door operation, in the call's own write (see Door). */
    boolean consumeForCall(Unsealed k, StorageTx tx, Principal p, Caller caller, Operation op, String resource,
                           Instant now) {
        if (caller.approvalId() == null || p.kind() == Principal.Kind.SYSTEM) {
            return false;
        }
        Approvals a = rules(k);
        Request r;
        try {
            r = a.show(tx, caller.approvalId());
        } catch (NotFoundException e) {
            return false;
        }
        if (!r.operation().equals(op.id())) {
            return false; // a grant for a gated operation: the gate uses it
        }
        a.consume(tx, directory(k), p, r.id(), op.id(), resource, now);
        return true;
    }

    // ------------------------------------------------------------ the expiry sweep

    void unsealed() {
        synchronized (sweepLock) {
            if (sweeper == null) {
                sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "keyward-approvals");
                    t.setDaemon(true);
                    return t;
                });
            }
            if (sweeping == null) {
                long every = SWEEP_TICK.toMillis();
                sweeping = sweeper.scheduleWithFixedDelay(this::sweepQuietly, every, every, TimeUnit.MILLISECONDS);
            }
        }
    }

    void sealed() {
        synchronized (sweepLock) {
            if (sweeping != null) {
                sweeping.cancel(false);
                sweeping = null;
            }
        }
    }

    void close() {
        synchronized (sweepLock) {
            sealed();
            if (sweeper != null) {
                sweeper.shutdownNow();
                sweeper = null;
            }
        }
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (dev.keyward.vault.api.VaultSealedException | dev.keyward.vault.api.VaultNotInitializedException s) {
            // sealed meanwhile: the next unseal starts the sweep again
        } catch (RuntimeException e) {
            LOG.warn("the approval sweep failed: {}", e.getClass().getSimpleName());
        }
    }

    /**
     * One run of the sweep: expires pending requests and grants past their time and ends
     * elevations past their expiry, each as its own audited call of the approvals job. Returns how
     * many it changed.
     */
    int sweep() {
        Caller job = engine.systemCaller(BuiltInPolicies.JOB_APPROVALS);
        record Due(List<Request> requests, List<Elevation> elevations) {
        }
        // Looking is not audited and not activity (the vault still seals itself when idle); each change is.
        Due due = engine.underKeys(k -> engine.storage().read(tx -> {
            Instant now = engine.clock().instant();
            return new Due(rules(k).due(tx, now), rules(k).dueElevations(tx, now));
        }));
        if (due.requests().isEmpty() && due.elevations().isEmpty()) {
            return 0;
        }
        int changed = 0;
        for (Request r : due.requests()) {
            Boolean done = engine.underKeys(k0 -> door.write(job, Operation.APPROVAL_GRANT_EXPIRE, "sys/approvals/requests/"
                    + r.id(), (k, p, tx, now) -> rules(k).expire(tx, r.id(), now), x -> {
                        Map<String, String> m = details(r);
                        m.put("was", r.status());
                        return m;
                    }));
            changed += Boolean.TRUE.equals(done) ? 1 : 0;
        }
        for (Elevation e : due.elevations()) {
            engine.underKeys(k0 -> door.write(job, Operation.APPROVAL_ELEVATION_END, "sys/approvals/elevations/"
                    + e.requestId(), (k, p, tx, now) -> rules(k).endElevation(tx, p, true, e.requestId(), now),
                    x -> Map.of("request", e.requestId(), "identity", e.identity(), "grant", e.grant(), "ended_by",
                            "expiry")));
            changed++;
        }
        return changed;
    }
}
