package dev.keyward.vault.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Approvals: requests for gated operations, review tracks, signed approvals and denials, time-boxed
 * grants, just-in-time elevation and break-glass. Every call goes through the guarded door and is
 * audited ({@code approval.*}). The same service answers {@link ApprovalGate#admit} for the other
 * features.
 *
 * <p>Each approval or denial is an Ed25519 signature by the approver's own key over the canonical
 * (RFC 8785) form of the request; the key is held in the vault encrypted under a key derived from
 * the approver's passphrase, or held by the approver elsewhere (see {@link #registerSigningKey}).
 * Remote calls are by name: no method here is overloaded.
 */
public interface ApprovalService {

    // ------------------------------------------------------------ configuration (admin)

    /** Adds or replaces a review track: who may review for it. */
    Track putTrack(Caller caller, Track track);

    List<Track> listTracks(Caller caller);

    void deleteTrack(Caller caller, String name);

    /** Adds or replaces a gate: which operation on which resources needs which approvals. */
    Gate putGate(Caller caller, Gate gate);

    List<Gate> listGates(Caller caller);

    void deleteGate(Caller caller, String id);

    // ------------------------------------------------------------ requests

    /** Opens a request (the caller is the requester). */
    Request request(Caller caller, RequestSpec spec);

    /** Approves with the caller's signature; {@code passphrase} opens the caller's signing key. */
    Request approve(Caller caller, String requestId, String reason, char[] passphrase);

    /** Denies with the caller's signature. */
    Request deny(Caller caller, String requestId, String reason, char[] passphrase);

    /**
     * Approves or denies with a signature the caller made with their own key outside the vault
     * (base64 Ed25519 over {@link #signingMessage}), checked against the caller's registered key.
     */
    Request signedVote(Caller caller, String requestId, boolean approve, String reason, String signatureBase64);

    /** The exact text (RFC 8785 JSON, signed as UTF-8) the caller signs to approve or deny with this reason. */
    String signingMessage(Caller caller, String requestId, boolean approve, String reason);

    /** Withdraws a pending request or an unused grant (the requester, or an admin). */
    Request cancel(Caller caller, String requestId, String reason);

    Request show(Caller caller, String requestId);

    /** Pending requests the caller is eligible to review and has not voted on. */
    List<Request> waitingForMe(Caller caller);

    /** The caller's own requests, newest first. */
    List<Request> mine(Caller caller);

    /** Every request, newest first (approvers and auditors; the caller's own otherwise). */
    List<Request> history(Caller caller, int limit);

    /** The caller's grants that are usable now. */
    List<Request> grants(Caller caller);

    // ------------------------------------------------------------ signing keys

    /** The caller's signing key (created on first use from {@code passphrase} when missing). */
    SigningKey signingKey(Caller caller, char[] passphrase);

    /**
     * Replaces the caller's vault-held signing key by a public key the caller holds elsewhere (a
     * PKCS#11 token, an offline machine): X.509 SubjectPublicKeyInfo DER or the raw 32 bytes, base64.
     */
    SigningKey registerSigningKey(Caller caller, String publicKeyBase64, char[] passphrase);

    // ------------------------------------------------------------ just-in-time elevation

    /** Starts an approved elevation (consumes its grant); it ends by itself at expiry. */
    Elevation startElevation(Caller caller, String requestId);

    /** Ends an elevation before its expiry. */
    Elevation endElevation(Caller caller, String requestId);

    /** Elevations in force now. */
    List<Elevation> elevations(Caller caller);

    // ------------------------------------------------------------ break-glass

    /** Bypasses a soft gate with a reason: a single-use grant now, every approver alerted. */
    Request breakGlass(Caller caller, BreakGlassSpec spec);

    /** Notices addressed to the caller (break-glass uses, decisions on their requests), newest first. */
    List<Notice> notices(Caller caller);

    // ------------------------------------------------------------ records

    /** Operation names: a {@link GatedOperation} id ({@code read-critical}) or an {@link Operation} id. */
    String ANY_TRACK = "*";

    /**
     * A review track: eligible approvers by operator name and by role.
     *
     * @param name      e.g. security, operations, development, or a custom name
     * @param operators operator names
     * @param roles     role names: every operator holding one is eligible
     */
    record Track(String name, List<String> operators, List<String> roles) {
        public Track {
            Names.validate("track", name);
            operators = operators == null ? List.of() : List.copyOf(operators);
            roles = roles == null ? List.of() : List.copyOf(roles);
            if (operators.isEmpty() && roles.isEmpty()) {
                throw new InvalidRequestException("A track names at least one operator or role.");
            }
        }
    }

    /** {@code approve} distinct approvers from {@code track} ({@link #ANY_TRACK}: from any track). */
    record Threshold(String track, int approve) {
        public Threshold {
            Objects.requireNonNull(track, "track");
            if (approve < 1 || approve > 16) {
                throw new InvalidRequestException("A track's threshold is between 1 and 16 (0 would allow without review).");
            }
        }
    }

    /**
     * A gate.
     *
     * @param id          its name
     * @param operation   a gated operation id or an operation id
     * @param resource    a resource pattern ({@code secret/prod/*}, {@code approle:*}, {@code *})
     * @param thresholds  approvals per track; every one must be met
     * @param deny        this many denials reject the request (at least 1)
     * @param breakGlass  whether the gate is soft: an operator may bypass it with a reason
     * @param maxDuration the longest a grant may last
     * @param pendingTtl  how long a request waits for review before it expires
     */
    record Gate(String id, String operation, String resource, List<Threshold> thresholds, int deny, boolean breakGlass,
                Duration maxDuration, Duration pendingTtl) {
        public Gate {
            Names.validate("gate", id);
            Objects.requireNonNull(operation, "operation");
            resource = resource == null || resource.isBlank() ? "*" : resource;
            thresholds = thresholds == null ? List.of() : List.copyOf(thresholds);
            if (thresholds.isEmpty()) {
                throw new InvalidRequestException("A gate names at least one track threshold (a missing threshold never allows).");
            }
            if (deny < 1) {
                throw new InvalidRequestException("A gate's deny threshold is at least 1.");
            }
            maxDuration = maxDuration == null ? Duration.ofHours(1) : maxDuration;
            pendingTtl = pendingTtl == null ? Duration.ofHours(24) : pendingTtl;
            if ((maxDuration.isNegative() || maxDuration.isZero()) || (pendingTtl.isNegative() || pendingTtl.isZero())) {
                throw new InvalidRequestException("A gate's durations must be positive.");
            }
        }
    }

    /**
     * What a requester asks for.
     *
     * @param operation     a gated operation id or an operation id
     * @param resource      what it acts on
     * @param change        the exact change as people read it (a policy diff; for an elevation
     *                      {@code policy:NAME} or {@code role:NAME}); never a secret value
     * @param author        who wrote the change (defaults to the requester); never an approver
     * @param justification why; required
     * @param duration      how long the grant should last (capped by the gate)
     * @param pendingTtl    how long to wait for review (capped by the gate), or null
     * @param uses          how many times the grant may be used (1 or more)
     */
    record RequestSpec(String operation, String resource, String change, String author, String justification,
                       Duration duration, Duration pendingTtl, int uses) {
        public RequestSpec {
            if (operation == null || operation.isBlank() || resource == null || resource.isBlank()) {
                throw new InvalidRequestException("A request names an operation and a resource.");
            }
            if (justification == null || justification.isBlank()) {
                throw new InvalidRequestException("A request needs a justification.");
            }
            if (justification.length() > 1024 || resource.length() > 512
                    || (change != null && change.length() > 64 * 1024)) {
                throw new InvalidRequestException("A request's justification is at most 1024 characters, its resource 512, its change 64 KiB.");
            }
            duration = duration == null ? Duration.ofMinutes(15) : duration;
            if ((duration.isNegative() || duration.isZero()) || (pendingTtl != null && (pendingTtl.isNegative() || pendingTtl.isZero()))) {
                throw new InvalidRequestException("A request's durations must be positive.");
            }
            if (uses < 1 || uses > 100) {
                throw new InvalidRequestException("A grant is used 1 to 100 times.");
            }
        }

        public static RequestSpec of(String operation, String resource, String change, String justification) {
            return new RequestSpec(operation, resource, change, null, justification, null, null, 1);
        }
    }

    /** One approver's vote: signed, with the key it was made with. */
    record Vote(String approver, boolean approve, String reason, Instant at, String keyId, String signature) {
    }

    /**
     * A request and, once approved, its grant (the grant's id is the request's id).
     *
     * @param status pending, approved, denied, cancelled, expired, used, grant-expired
     */
    record Request(String id, String requester, String operation, String resource, String change, String author,
                   String justification, Duration duration, Instant createdAt, Instant pendingUntil, String status,
                   List<Threshold> thresholds, int deny, List<Vote> votes, Instant grantedAt, Instant grantExpiresAt,
                   int uses, int usesLeft, boolean breakGlass, String closedBy, String closeReason) {
        public Request {
            thresholds = List.copyOf(thresholds);
            votes = List.copyOf(votes);
        }
    }

    /** An operator's signing key (public half only). */
    record SigningKey(String operator, String keyId, String publicKey, boolean heldByVault, Instant createdAt) {
    }

    /** A temporary binding: {@code grant} ({@code policy:NAME} or {@code role:NAME}) for {@code identity}. */
    record Elevation(String requestId, String identity, String grant, Instant startedAt, Instant expiresAt,
                     Instant endedAt, String endedBy) {
    }

    /** A break-glass bypass of a soft gate. */
    record BreakGlassSpec(String operation, String resource, String reason, Duration duration) {
        public BreakGlassSpec {
            if (operation == null || resource == null || reason == null || reason.isBlank()) {
                throw new InvalidRequestException("Break-glass names an operation, a resource and a reason.");
            }
            duration = duration == null ? Duration.ofMinutes(15) : duration;
            if ((duration.isNegative() || duration.isZero())) {
                throw new InvalidRequestException("A break-glass duration must be positive.");
            }
        }
    }

    /** A message from the approvals service to one operator. */
    record Notice(String id, String to, String kind, String requestId, String summary, Instant at) {
    }
}
