package dev.keyward.vault.approval;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.ApprovalRequiredException;
import dev.keyward.vault.api.ApprovalService.BreakGlassSpec;
import dev.keyward.vault.api.ApprovalService.Elevation;
import dev.keyward.vault.api.ApprovalService.Gate;
import dev.keyward.vault.api.ApprovalService.Notice;
import dev.keyward.vault.api.ApprovalService.Request;
import dev.keyward.vault.api.ApprovalService.RequestSpec;
import dev.keyward.vault.api.ApprovalService.Threshold;
import dev.keyward.vault.api.ApprovalService.Track;
import dev.keyward.vault.api.ApprovalService.Vote;
import dev.keyward.vault.api.GatedOperation;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.audit.AuditEntries;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.DestroyableKey;
import dev.keyward.vault.crypto.Random;
import dev.keyward.vault.identity.OperatorRecord;
import dev.keyward.vault.identity.Records;
import dev.keyward.vault.storage.StorageTx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The approval rules over storage: tracks, gates, requests and their signed votes, grants,
 * elevations, break-glass, notices. Every record is sealed by the barrier under kind
 * {@code approval}; names are keyed hashes. Layout:
 * <ul>
 * <li>{@code appr/t/<id(track)>}, {@code appr/g/<id(gate)>}: configuration</li>
 * <li>{@code appr/r/<request id>}: a request with its votes and grant state (never deleted: the history)</li>
 * <li>{@code appr/k/<id(operator id)>}: an operator's signing key</li>
 * <li>{@code appr/e/<request id>}: an elevation; {@code appr/ei/<id(identity id)>}: ids of its live elevations</li>
 * <li>{@code appr/n/<id(operator)>/<time>-<n>}: notices to an operator</li>
 * <li>{@code appr/c/<id(identity)>}: who created an automation identity</li>
 * </ul>
 *
 * <p>A grant counts only signatures that verify now, over the request as stored, by approvers who
 * are eligible now: a removed or demoted approver's vote stops counting, a changed record stops
 * verifying. The requester, the change's author and, for an elevation, the identity's creator
 * never count. Thresholds are met by distinct approvers, each counted for one track.
 */
public final class Approvals {
    public static final String KIND = "approval";
    static final String TRACKS = "appr/t/";
    static final String GATES = "appr/g/";
    static final String REQUESTS = "appr/r/";
    static final String KEYS = "appr/k/";
    static final String ELEVATIONS = "appr/e/";
    static final String LIVE = "appr/ei/";
    static final String NOTICES = "appr/n/";
    static final String CREATORS = "appr/c/";
    /** The storage prefix of every approval record (for the rewrap's registry). */
    public static final String PREFIX = "appr/";

    public static final String PENDING = "pending";
    public static final String APPROVED = "approved";
    public static final String DENIED = "denied";
    public static final String CANCELLED = "cancelled";
    public static final String EXPIRED = "expired";
    public static final String USED = "used";
    public static final String GRANT_EXPIRED = "grant-expired";

    /** Longest anything may be granted for, whatever a gate says. */
    public static final Duration MAX_GRANT = Duration.ofHours(24);
    static final Duration DEFAULT_PENDING = Duration.ofHours(24);

    /** What the rules need to know about identities. */
    public interface Directory {
        /** The operator of that name, or null. */
        OperatorRecord operator(StorageTx tx, String name);

        /** The stable id of {@code approle:NAME}, {@code cert:NAME} or {@code operator:NAME}, or null. */
        String identityId(StorageTx tx, String identity);
    }

    /** A stored request: the api view plus who asked (by id) and what an elevation binds. */
    record Req(String id, String requester, String requesterId, String operation, String resource, String change,
               String author, String justification, Duration duration, Instant createdAt, Instant pendingUntil,
               String status, List<Threshold> thresholds, int deny, List<StoredVote> votes, Instant grantedAt,
               Instant grantExpiresAt, int uses, int usesLeft, boolean breakGlass, String closedBy,
               String closeReason, String targetId, String creator) {
        Req {
            thresholds = List.copyOf(thresholds);
            votes = List.copyOf(votes);
        }

        Req with(String newStatus, List<StoredVote> newVotes, Instant granted, Instant grantExpires, int left,
                 String by, String why) {
            return new Req(id, requester, requesterId, operation, resource, change, author, justification, duration,
                    createdAt, pendingUntil, newStatus, thresholds, deny, newVotes, granted, grantExpires, uses, left,
                    breakGlass, by, why, targetId, creator);
        }

        Request view() {
            return new Request(id, requester, operation, resource, change, author, justification, duration, createdAt,
                    pendingUntil, status, thresholds, deny, votes.stream().map(StoredVote::view).toList(), grantedAt,
                    grantExpiresAt, uses, usesLeft, breakGlass, closedBy, closeReason);
        }
    }

    record StoredVote(String approver, String approverId, boolean approve, String reason, Instant at, String keyId,
                      String publicKey, String signature) {
        Vote view() {
            return new Vote(approver, approve, reason, at, keyId, signature);
        }
    }

    record ElevationRec(String requestId, String identity, String identityId, String grant, Instant startedAt,
                        Instant expiresAt, Instant endedAt, String endedBy) {
        Elevation view() {
            return new Elevation(requestId, identity, grant, startedAt, expiresAt, endedAt, endedBy);
        }

        boolean live(Instant now) {
            return endedAt == null && now.isBefore(expiresAt);
        }
    }

    record Live(List<String> requestIds) {
        Live {
            requestIds = requestIds == null ? List.of() : List.copyOf(requestIds);
        }
    }

    record Creator(String identity, String createdBy, Instant at) {
    }

    private final ApprovalRecords records;
    private final ApprovalConfig config;
    private final ApproverKeys keys;

    public Approvals(Barrier barrier, DestroyableKey indexKey) {
        this.records = new ApprovalRecords(barrier, indexKey);
        this.config = new ApprovalConfig(records);
        this.keys = new ApproverKeys(records);
    }

    private String id(String prefix, String domain, String name) {
        return records.id(prefix, domain, name);
    }

    private <T> T get(StorageTx tx, String key, Class<T> type) {
        return records.get(tx, key, type);
    }

    private void put(StorageTx tx, String key, Object value) {
        records.put(tx, key, value);
    }

    private <T> List<T> scan(StorageTx tx, String prefix, Class<T> type) {
        return records.scan(tx, prefix, type);
    }

    /** Tracks and gates. */
    public ApprovalConfig config() {
        return config;
    }

    /** Approvers' signing keys and the creators of automation identities. */
    public ApproverKeys keys() {
        return keys;
    }

    // ------------------------------------------------------------ requests

    Req req(StorageTx tx, String requestId) {
        if (requestId == null || requestId.isBlank() || requestId.length() > 64) {
            throw new NotFoundException("There is no approval request " + printable(requestId) + ".");
        }
        Req r = get(tx, REQUESTS + requestId, Req.class);
        if (r == null) {
            throw new NotFoundException("There is no approval request " + printable(requestId) + ".");
        }
        return r;
    }

    private static String printable(String s) {
        return s == null ? "(none)" : "'" + s.replaceAll("[^A-Za-z0-9._:-]", "?") + "'";
    }

    public Request show(StorageTx tx, String requestId) {
        return req(tx, requestId).view();
    }

    /** The request's status as of {@code now} (expiry applies even before the sweep records it). */
    static String effective(Req r, Instant now) {
        if (r.status().equals(PENDING) && !now.isBefore(r.pendingUntil())) {
            return EXPIRED;
        }
        if (r.status().equals(APPROVED) && r.grantExpiresAt() != null && !now.isBefore(r.grantExpiresAt())) {
            return GRANT_EXPIRED;
        }
        return r.status();
    }

    /**
     * Opens a request. {@code policyApprovals} is, for a door operation, how many approvals the
     * requester's policies ask for it (0 when none do).
     */
    public Request open(StorageTx tx, Directory dir, Principal requester, RequestSpec s, int policyApprovals,
                        List<OperatorRecord> everyone, Instant now) {
        boolean gated = ApprovalConfig.operationKind(s.operation());
        if (s.operation().equals(GatedOperation.BREAK_GLASS.id())) {
            throw new InvalidRequestException("Break-glass is not requested: use break-glass on the gated operation.");
        }
        Gate gate = config.gateFor(tx, s.operation(), s.resource());
        List<Threshold> thresholds;
        int deny;
        Duration maxDuration;
        Duration pendingTtl;
        if (gate != null) {
            thresholds = gate.thresholds();
            deny = gate.deny();
            maxDuration = gate.maxDuration();
            pendingTtl = gate.pendingTtl();
        } else if (!gated && policyApprovals > 0) {
            thresholds = List.of(new Threshold(dev.keyward.vault.api.ApprovalService.ANY_TRACK, policyApprovals));
            deny = 1;
            maxDuration = Duration.ofHours(1);
            pendingTtl = DEFAULT_PENDING;
        } else {
            throw new InvalidRequestException("No gate decides who approves " + s.operation() + " on "
                    + printable(s.resource()) + (gated ? "" : " and no policy asks for approvals there")
                    + ": an admin defines one (keyward approvals gate put).");
        }
        String targetId = null;
        String creator = null;
        if (s.operation().equals(GatedOperation.ELEVATION.id())) {
            if (s.change() == null || !s.change().matches("(policy|role):[A-Za-z0-9._-]{1,64}")) {
                throw new InvalidRequestException("An elevation's change is policy:NAME or role:NAME.");
            }
            if (s.change().startsWith("role:") && !s.resource().startsWith("operator:")) {
                throw new InvalidRequestException("Only an operator is elevated to a role; a machine identity gets a policy.");
            }
            targetId = dir.identityId(tx, s.resource());
            if (targetId == null) {
                throw new NotFoundException("There is no identity " + printable(s.resource())
                        + " (approle:NAME, cert:NAME or operator:NAME).");
            }
            creator = keys.creatorOf(tx, s.resource());
        }
        String author = s.author() == null || s.author().isBlank() ? requester.name() : s.author().trim();
        Duration duration = min(s.duration(), maxDuration);
        Duration pending = s.pendingTtl() == null ? pendingTtl : min(s.pendingTtl(), pendingTtl);
        String rid = "apr-" + HexFormat.of().formatHex(Random.bytes(10));
        Req r = new Req(rid, requester.name(), requester.id(), s.operation(), s.resource(), s.change(), author,
                s.justification().trim(), duration, now, now.plus(pending), PENDING, thresholds, deny, List.of(), null,
                null, s.uses(), s.uses(), false, null, null, targetId, creator);
        put(tx, REQUESTS + rid, r);
        for (String approver : eligibleApprovers(tx, r, everyone)) {
            notify(tx, approver, "review", rid, requester.name() + " asks for " + s.operation() + " on " + s.resource(),
                    now);
        }
        return r.view();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** A live request of this requester for this operation and resource (pending or usable), or null. */
    public Request openRequestOf(StorageTx tx, Principal requester, String operation, String resource, Instant now) {
        Req best = null;
        for (Req r : scan(tx, REQUESTS, Req.class)) {
            String st = effective(r, now);
            if (r.requesterId().equals(requester.id()) && r.operation().equals(operation)
                    && r.resource().equals(resource) && (st.equals(PENDING) || st.equals(APPROVED))
                    && (best == null || r.createdAt().isAfter(best.createdAt()))) {
                best = r;
            }
        }
        return best == null ? null : best.view();
    }

    /** The canonical statement an approver signs: the request as stored, the decision and its reason. */
    public static byte[] signingMessage(Req r, String approver, boolean approve, String reason) {
        Map<String, Object> req = new TreeMap<>();
        req.put("id", r.id());
        req.put("requester", r.requester());
        req.put("requester_id", r.requesterId());
        req.put("operation", r.operation());
        req.put("resource", r.resource());
        req.put("change", r.change() == null ? "" : r.change());
        req.put("author", r.author());
        req.put("justification", r.justification());
        req.put("duration_seconds", r.duration().toSeconds());
        req.put("created_at", r.createdAt().toString());
        req.put("pending_until", r.pendingUntil().toString());
        req.put("uses", r.uses());
        req.put("deny", r.deny());
        List<Map<String, Object>> th = new ArrayList<>();
        for (Threshold t : r.thresholds()) {
            th.add(Map.of("track", t.track(), "approve", t.approve()));
        }
        req.put("thresholds", th);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", 1);
        m.put("purpose", "keyward approval");
        m.put("approver", approver);
        m.put("decision", approve ? "approve" : "deny");
        m.put("reason", reason == null ? "" : reason);
        m.put("request", req);
        try {
            return AuditEntries.canonicalize(Records.JSON.writeValueAsString(m));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the signing message could not be written", e);
        }
    }

    public String signingMessage(StorageTx tx, String requestId, String approver, boolean approve, String reason) {
        return new String(signingMessage(req(tx, requestId), approver, approve, reason), StandardCharsets.UTF_8);
    }

    /** Why {@code op} may not review {@code r} at all (requester, author, creator), or null. */
    private static String excluded(Req r, OperatorRecord op) {
        if (op.id().equals(r.requesterId()) || op.name().equals(r.requester())) {
            return "You cannot review your own request.";
        }
        if (op.name().equals(r.author())) {
            return "You wrote this change: its author cannot review it.";
        }
        if (r.creator() != null && op.name().equals(r.creator())) {
            return "You created " + r.resource() + ": its creator cannot review its elevation.";
        }
        return null;
    }

    /** The request's tracks this operator is eligible for now (empty when none). */
    private Set<String> tracksOf(StorageTx tx, Req r, OperatorRecord op, List<Track> all) {
        Set<String> out = new HashSet<>();
        if (op == null || op.disabled() || excluded(r, op) != null) {
            return out;
        }
        Set<String> wanted = new HashSet<>();
        boolean any = false;
        for (Threshold t : r.thresholds()) {
            if (t.track().equals(dev.keyward.vault.api.ApprovalService.ANY_TRACK)) {
                any = true;
            }
            wanted.add(t.track());
        }
        for (Track t : all) {
            boolean member = t.operators().contains(op.name()) || t.roles().stream().anyMatch(op.roles()::contains);
            if (member && (any || wanted.contains(t.name()))) {
                out.add(t.name());
                if (any) {
                    out.add(dev.keyward.vault.api.ApprovalService.ANY_TRACK);
                }
            }
        }
        return out;
    }

    /** The operators of {@code everyone} who may review the request now. */
    private List<String> eligibleApprovers(StorageTx tx, Req r, List<OperatorRecord> everyone) {
        List<Track> all = config.tracks(tx);
        List<String> out = new ArrayList<>();
        for (OperatorRecord op : everyone) {
            if (!tracksOf(tx, r, op, all).isEmpty()) {
                out.add(op.name());
            }
        }
        return out;
    }

    /** The outcome of counting a request's votes now. */
    record Count(boolean approved, boolean denied, int validApprovals) {
    }

    /** Counts the votes that verify now, by approvers eligible now, against the thresholds. */
    Count count(StorageTx tx, Directory dir, Req r) {
        List<Track> all = config.tracks(tx);
        List<Set<String>> approvers = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int denials = 0;
        for (StoredVote v : r.votes()) {
            if (!seen.add(v.approverId())) {
                continue; // one vote per approver, however it got there
            }
            OperatorRecord op = dir.operator(tx, v.approver());
            if (op == null || !op.id().equals(v.approverId())) {
                continue; // removed (or a new operator of the same name)
            }
            Set<String> tracks = tracksOf(tx, r, op, all);
            if (tracks.isEmpty()) {
                continue; // demoted, disabled, or never eligible
            }
            Signing.KeyRec k = keys.key(tx, op.id());
            if (k == null || !k.owns(v.publicKey())
                    || !Signing.verify(v.publicKey(), signingMessage(r, op.name(), v.approve(), v.reason()),
                    v.signature())) {
                continue;
            }
            if (v.approve()) {
                approvers.add(tracks);
            } else {
                denials++;
            }
        }
        boolean denied = denials >= Math.max(1, r.deny());
        return new Count(!denied && ThresholdMatching.satisfied(r.thresholds(), approvers), denied, approvers.size());
    }

    /** A signature for a vote: made by the vault with the approver's passphrase, or by the approver. */
    public interface SignatureSource {
        String sign(Signing.KeyRec key, byte[] message);
    }

    /** The vote, recorded; returns the request as it stands afterwards. */
    public Request vote(StorageTx tx, Directory dir, Principal who, String requestId, boolean approve, String reason,
                        char[] passphrase, SignatureSource signature, Instant now) {
        Req r = req(tx, requestId);
        if (who.kind() != Principal.Kind.OPERATOR) {
            throw new AccessDeniedException("Only operators review requests.");
        }
        String st = effective(r, now);
        if (!st.equals(PENDING)) {
            throw new InvalidRequestException("Request " + r.id() + " is " + st + (st.equals(EXPIRED)
                    ? " (its review time ended at " + r.pendingUntil() + ")" : "") + ": it takes no more votes.");
        }
        if (reason != null && reason.length() > 1024) {
            throw new InvalidRequestException("A reason is at most 1024 characters.");
        }
        if (!approve && (reason == null || reason.isBlank())) {
            throw new InvalidRequestException("A denial needs a reason.");
        }
        OperatorRecord op = dir.operator(tx, who.name());
        if (op == null || !op.id().equals(who.id())) {
            throw new AccessDeniedException("Only operators review requests.");
        }
        String ex = excluded(r, op);
        if (ex != null) {
            throw new AccessDeniedException(ex);
        }
        if (tracksOf(tx, r, op, config.tracks(tx)).isEmpty()) {
            throw new AccessDeniedException("You are not an eligible reviewer for this request's tracks "
                    + r.thresholds().stream().map(Threshold::track).toList() + ".");
        }
        if (r.votes().stream().anyMatch(v -> v.approverId().equals(op.id()))) {
            throw new InvalidRequestException("You have already reviewed request " + r.id() + ".");
        }
        Signing.KeyRec key = signature == null ? keys.keyOrCreate(tx, op, passphrase, now) : keys.key(tx, op.id());
        if (key == null) {
            throw new InvalidRequestException("You have no signing key yet: approve once with your passphrase, or "
                    + "register your public key.");
        }
        String why = reason == null ? "" : reason.trim();
        byte[] message = signingMessage(r, op.name(), approve, why);
        String sig = signature == null ? Signing.sign(key, passphrase, message) : signature.sign(key, message);
        if (!Signing.verify(key.publicKey(), message, sig)) {
            throw new InvalidRequestException("The signature does not verify against your signing key for this request "
                    + "and decision.");
        }
        List<StoredVote> votes = new ArrayList<>(r.votes());
        votes.add(new StoredVote(op.name(), op.id(), approve, why, now, key.keyId(), key.publicKey(), sig));
        Req voted = r.with(PENDING, votes, null, null, r.usesLeft(), null, null);
        Count c = count(tx, dir, voted);
        Req after = voted;
        if (c.denied()) {
            after = voted.with(DENIED, votes, null, null, 0, op.name(), why);
            notify(tx, r.requester(), "denied", r.id(), op.name() + " denied " + r.operation() + " on " + r.resource(), now);
        } else if (c.approved()) {
            after = voted.with(APPROVED, votes, now, now.plus(r.duration()), r.uses(), null, null);
            notify(tx, r.requester(), "approved", r.id(), r.operation() + " on " + r.resource() + " is approved until "
                    + now.plus(r.duration()), now);
        }
        put(tx, REQUESTS + r.id(), after);
        return after.view();
    }

    public Request cancel(StorageTx tx, Principal who, boolean admin, String requestId, String reason, Instant now) {
        Req r = req(tx, requestId);
        if (!admin && !r.requesterId().equals(who.id())) {
            throw new AccessDeniedException("Only the requester or an admin cancels a request.");
        }
        String st = effective(r, now);
        if (!st.equals(PENDING) && !st.equals(APPROVED)) {
            throw new InvalidRequestException("Request " + r.id() + " is " + st + ": there is nothing to cancel.");
        }
        Req after = r.with(CANCELLED, r.votes(), r.grantedAt(), r.grantExpiresAt(), 0, who.name(),
                reason == null ? "" : reason);
        put(tx, REQUESTS + r.id(), after);
        return after.view();
    }

    /** Whether the principal is the one a grant was issued to (the requester; for an elevation also its target). */
    private static boolean holder(Req r, Principal p) {
        return r.requesterId().equals(p.id()) || (r.targetId() != null && r.targetId().equals(p.id()));
    }

    /**
     * Checks that grant {@code grantId} can be used now by {@code who} for {@code operation} on
     * {@code resource}, without using it; returns the request, or throws naming why not.
     */
    Req usable(StorageTx tx, Directory dir, Principal who, String grantId, String operation, String resource,
               Instant now) {
        Req r;
        try {
            r = req(tx, grantId);
        } catch (NotFoundException e) {
            throw new ApprovalRequiredException("The approval " + printable(grantId) + " presented is not a grant.",
                    null);
        }
        String st = effective(r, now);
        if (!st.equals(APPROVED)) {
            throw new ApprovalRequiredException("The approval " + r.id() + " is " + st + ", not a usable grant.",
                    st.equals(PENDING) ? r.id() : null);
        }
        if (!r.operation().equals(operation) || !r.resource().equals(resource)) {
            throw new ApprovalRequiredException("The approval " + r.id() + " is for " + r.operation() + " on "
                    + r.resource() + ", not for this operation.", null);
        }
        if (!holder(r, who)) {
            throw new ApprovalRequiredException("The approval " + r.id() + " was granted to someone else.", null);
        }
        if (r.usesLeft() < 1) {
            throw new ApprovalRequiredException("The approval " + r.id() + " is used up.", null);
        }
        if (!r.breakGlass() && !count(tx, dir, r).approved()) {
            throw new ApprovalRequiredException("The approval " + r.id() + " no longer has the signatures it needs "
                    + "(an approver was removed or demoted, or a signature does not verify).", r.id());
        }
        return r;
    }

    /** How many valid approvals back a presented grant for this call (0 when it is not usable). */
    public int approvalsFor(StorageTx tx, Directory dir, Principal who, String grantId, String operation,
                            String resource, Instant now) {
        try {
            Req r = usable(tx, dir, who, grantId, operation, resource, now);
            return r.breakGlass() ? 16 : count(tx, dir, r).validApprovals();
        } catch (ApprovalRequiredException | NotFoundException notUsable) {
            return 0;
        }
    }

    /** Uses the grant once (write transaction); returns it as it stands afterwards. */
    public Request consume(StorageTx tx, Directory dir, Principal who, String grantId, String operation,
                           String resource, Instant now) {
        Req r = usable(tx, dir, who, grantId, operation, resource, now);
        int left = r.usesLeft() - 1;
        Req after = r.with(left == 0 ? USED : APPROVED, r.votes(), r.grantedAt(), r.grantExpiresAt(), left, null, null);
        put(tx, REQUESTS + r.id(), after);
        return after.view();
    }

    // ------------------------------------------------------------ lists

    private List<Req> all(StorageTx tx) {
        List<Req> out = scan(tx, REQUESTS, Req.class);
        out.sort(Comparator.comparing(Req::createdAt).reversed().thenComparing(Req::id));
        return out;
    }

    private static Request current(Req r, Instant now) {
        String st = effective(r, now);
        return st.equals(r.status()) ? r.view() : r.with(st, r.votes(), r.grantedAt(), r.grantExpiresAt(),
                r.usesLeft(), r.closedBy(), r.closeReason()).view();
    }

    public List<Request> waitingFor(StorageTx tx, Directory dir, Principal who, Instant now) {
        OperatorRecord op = who.kind() == Principal.Kind.OPERATOR ? dir.operator(tx, who.name()) : null;
        if (op == null) {
            return List.of();
        }
        List<Track> tracks = config.tracks(tx);
        List<Request> out = new ArrayList<>();
        for (Req r : all(tx)) {
            if (effective(r, now).equals(PENDING) && r.votes().stream().noneMatch(v -> v.approverId().equals(op.id()))
                    && !tracksOf(tx, r, op, tracks).isEmpty()) {
                out.add(r.view());
            }
        }
        return out;
    }

    public List<Request> mine(StorageTx tx, Principal who, Instant now) {
        return all(tx).stream().filter(r -> r.requesterId().equals(who.id())).map(r -> current(r, now)).toList();
    }

    public List<Request> history(StorageTx tx, int limit, Instant now) {
        return all(tx).stream().limit(Math.max(1, Math.min(limit, 10_000))).map(r -> current(r, now)).toList();
    }

    public List<Request> grantsOf(StorageTx tx, Principal who, Instant now) {
        return all(tx).stream().filter(r -> holder(r, who) && effective(r, now).equals(APPROVED) && r.usesLeft() > 0)
                .map(Req::view).toList();
    }

    /** Pending requests past their review time, and grants past their expiry, as of {@code now}. */
    public List<Request> due(StorageTx tx, Instant now) {
        return all(tx).stream().filter(r -> !effective(r, now).equals(r.status())).map(Req::view).toList();
    }

    /** Records an expiry the sweep found; returns false when the request changed meanwhile. */
    public boolean expire(StorageTx tx, String requestId, Instant now) {
        Req r = req(tx, requestId);
        String st = effective(r, now);
        if (st.equals(r.status())) {
            return false;
        }
        put(tx, REQUESTS + r.id(), r.with(st, r.votes(), r.grantedAt(), r.grantExpiresAt(), 0, "system:approvals",
                "expired"));
        if (st.equals(EXPIRED)) {
            notify(tx, r.requester(), "expired", r.id(), "Nobody reviewed " + r.operation() + " on " + r.resource()
                    + " in time.", now);
        }
        return true;
    }

    // ------------------------------------------------------------ elevation

    public Elevation startElevation(StorageTx tx, Directory dir, Principal who, String requestId, Instant now) {
        Req r = req(tx, requestId);
        if (!r.operation().equals(GatedOperation.ELEVATION.id())) {
            throw new InvalidRequestException("Request " + r.id() + " is not an elevation.");
        }
        if (get(tx, ELEVATIONS + r.id(), ElevationRec.class) != null) {
            throw new InvalidRequestException("Elevation " + r.id() + " has been used already.");
        }
        consume(tx, dir, who, r.id(), r.operation(), r.resource(), now);
        Instant until = now.plus(r.duration());
        if (r.grantExpiresAt() != null && until.isAfter(r.grantExpiresAt().plus(r.duration()))) {
            until = r.grantExpiresAt().plus(r.duration());
        }
        ElevationRec e = new ElevationRec(r.id(), r.resource(), r.targetId(), r.change(), now, until, null, null);
        put(tx, ELEVATIONS + r.id(), e);
        String liveKey = id(LIVE, "live", r.targetId());
        Live l = get(tx, liveKey, Live.class);
        List<String> ids = new ArrayList<>(l == null ? List.of() : l.requestIds());
        ids.add(r.id());
        put(tx, liveKey, new Live(ids));
        return e.view();
    }

    public Elevation endElevation(StorageTx tx, Principal who, boolean admin, String requestId, Instant now) {
        Req r = req(tx, requestId);
        ElevationRec e = get(tx, ELEVATIONS + r.id(), ElevationRec.class);
        if (e == null) {
            throw new InvalidRequestException("Elevation " + r.id() + " has not started.");
        }
        if (!admin && who.kind() != Principal.Kind.SYSTEM && !holder(r, who)) {
            throw new AccessDeniedException("Only the elevation's holder or an admin ends it.");
        }
        if (e.endedAt() != null) {
            return e.view();
        }
        ElevationRec ended = new ElevationRec(e.requestId(), e.identity(), e.identityId(), e.grant(), e.startedAt(),
                e.expiresAt(), now.isBefore(e.expiresAt()) ? now : e.expiresAt(), who.name());
        put(tx, ELEVATIONS + r.id(), ended);
        String liveKey = id(LIVE, "live", e.identityId());
        Live l = get(tx, liveKey, Live.class);
        if (l != null) {
            List<String> ids = new ArrayList<>(l.requestIds());
            ids.remove(r.id());
            if (ids.isEmpty()) {
                tx.delete(liveKey);
            } else {
                put(tx, liveKey, new Live(ids));
            }
        }
        return ended.view();
    }

    public List<Elevation> elevations(StorageTx tx, Instant now) {
        return scan(tx, ELEVATIONS, ElevationRec.class).stream().filter(e -> e.live(now))
                .sorted(Comparator.comparing(ElevationRec::expiresAt)).map(ElevationRec::view).toList();
    }

    /** Elevations past their expiry that the sweep has not ended yet. */
    public List<Elevation> dueElevations(StorageTx tx, Instant now) {
        return scan(tx, ELEVATIONS, ElevationRec.class).stream()
                .filter(e -> e.endedAt() == null && !now.isBefore(e.expiresAt())).map(ElevationRec::view).toList();
    }

    /**
     * What a principal holds through live elevations now ({@code policy:NAME} and {@code role:NAME}):
     * one read per call, of the identity's own list; expired ones never count, swept or not.
     */
    public List<String> elevatedGrants(StorageTx tx, String identityId, Instant now) {
        Live l = get(tx, id(LIVE, "live", identityId), Live.class);
        if (l == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String rid : l.requestIds()) {
            ElevationRec e = get(tx, ELEVATIONS + rid, ElevationRec.class);
            if (e != null && e.live(now) && e.identityId().equals(identityId)) {
                out.add(e.grant());
            }
        }
        return out;
    }

    // ------------------------------------------------------------ break-glass

    /** The break-glass grant and whom to alert. */
    public record BreakGlass(Request grant, List<String> approvers) {
    }

    public BreakGlass breakGlass(StorageTx tx, Directory dir, Principal who, BreakGlassSpec s,
                                 List<OperatorRecord> everyone, Instant now) {
        if (who.kind() != Principal.Kind.OPERATOR) {
            throw new AccessDeniedException("Only an operator breaks the glass.");
        }
        ApprovalConfig.operationKind(s.operation());
        Gate gate = config.gateFor(tx, s.operation(), s.resource());
        if (gate == null || !gate.breakGlass()) {
            throw new InvalidRequestException("The gate for " + s.operation() + " on " + printable(s.resource())
                    + " is not soft: break-glass is refused there.");
        }
        String targetId = s.operation().equals(GatedOperation.ELEVATION.id()) ? dir.identityId(tx, s.resource()) : null;
        Duration d = min(s.duration(), gate.maxDuration());
        String rid = "apr-" + HexFormat.of().formatHex(Random.bytes(10));
        Req r = new Req(rid, who.name(), who.id(), s.operation(), s.resource(), null, who.name(), s.reason().trim(), d,
                now, now, APPROVED, gate.thresholds(), gate.deny(), List.of(), now, now.plus(d), 1, 1, true, null, null,
                targetId, null);
        put(tx, REQUESTS + rid, r);
        List<String> approvers = eligibleApprovers(tx, r, everyone);
        for (String a : approvers) {
            notify(tx, a, "break-glass", rid, who.name() + " broke the glass for " + s.operation() + " on "
                    + s.resource() + ": " + s.reason().trim(), now);
        }
        return new BreakGlass(r.view(), approvers);
    }

    public List<Request> breakGlassList(StorageTx tx) {
        return all(tx).stream().filter(Req::breakGlass).map(Req::view).toList();
    }

    // ------------------------------------------------------------ notices

    private void notify(StorageTx tx, String to, String kind, String requestId, String summary, Instant now) {
        String nid = now.toEpochMilli() + "-" + HexFormat.of().formatHex(Random.bytes(4));
        put(tx, id(NOTICES, "notice", to) + "/" + nid, new Notice(nid, to, kind, requestId, summary, now));
    }

    public List<Notice> notices(StorageTx tx, String to) {
        List<Notice> out = new ArrayList<>(scan(tx, id(NOTICES, "notice", to) + "/", Notice.class));
        out.sort(Comparator.comparing(Notice::at).reversed());
        return out.size() > 200 ? out.subList(0, 200) : out;
    }
}
