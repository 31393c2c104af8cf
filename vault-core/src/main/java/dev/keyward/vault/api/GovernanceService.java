package dev.keyward.vault.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Governance: the leak scan, the boundary check of an automation, exceptions, access reviews and
 * the compliance report. Every call goes through the guarded door and is audited.
 */
public interface GovernanceService {

    // ------------------------------------------------------------ leak scan

    /**
     * Starts a leak scan. Inside the vault, every stored value (current and earlier versions that
     * are neither deleted nor destroyed) of at least {@link ScanStart#minLength()} bytes is reduced
     * to an HMAC-SHA256 under a random key made for this scan; the values themselves are dropped at
     * once. Nothing derived from a value (no hash, no length) is returned. The scan lives in memory
     * until {@link #endScan}, its expiry, or the vault sealing.
     */
    ScanStart startScan(Caller caller);

    /**
     * Looks for stored values in documents (files, git blobs, log lines) sent by the scanner. A
     * document longer than one request is sent in segments with increasing {@code offset} and
     * {@code more} set on all but the last; the vault carries what a value spanning two segments
     * needs. The documents' bytes are held only while the call runs, never stored or logged.
     */
    ScanResult scan(Caller caller, String scanId, List<ScanDocument> documents);

    /** Ends a scan and drops its keys; returns the totals. Ending an unknown or expired scan is refused. */
    ScanTotals endScan(Caller caller, String scanId);

    // ------------------------------------------------------------ boundary check

    /**
     * Compares an automation's declared privilege boundary ({@code needs}) with what its policies
     * grant: every grant (pattern and capability) not inside a declared need is {@code extra}, and
     * every declared need that no grant covers, or that a deny takes away, is {@code missing}.
     */
    BoundaryReport checkBoundary(Caller caller, PolicyService.IdentityRef identity, List<Need> needs);

    /**
     * {@link #checkBoundary} with the needs as a YAML file ({@code identity:} optional, {@code needs:}
     * a list of {@code path} and {@code capabilities}). A malformed file fails with a
     * {@link PolicyFileException} or an {@link InvalidRequestException} naming the mistake; a file
     * naming another identity is refused.
     */
    BoundaryReport checkBoundaryYaml(Caller caller, PolicyService.IdentityRef identity, String needsYaml);

    /**
     * Opens an approval request for applying a policy-as-code file (the drift gate's "open a request
     * for the change"): the {@code policy-apply} gated operation on {@code policies}, with the changes
     * {@code policy apply} of that file would make now as the request's change. An apply presents the
     * same text to the gate, so the grant fits that apply and no other (if the policies change in
     * between, a new request is needed). Refused when nothing would change; the gate's configuration
     * decides who approves, and a vault with no gate for policy changes refuses the request.
     */
    ApprovalService.Request requestPolicyApply(Caller caller, String desiredYaml, String reason);

    // ------------------------------------------------------------ baseline and exceptions

    /**
     * Records the documented baseline: the grants of the policies in a policy-as-code file (or, with
     * {@code policiesYaml == null}, of the live policies now). From then on a live grant that no
     * baseline grant of the same policy and rule id covers (pattern and capabilities) is outside
     * the baseline, and grants only under an unexpired exception whose controls the call meets.
     */
    BaselineInfo setBaseline(Caller caller, String policiesYaml, String reason);

    /** The baseline in force, or null when none was recorded. */
    BaselineInfo baseline(Caller caller);

    /** Every live grant outside the baseline, with the exception that covers it (or none). */
    List<OutsideGrant> outsideBaseline(Caller caller);

    /**
     * Records an exception for one grant (policy and rule id); it replaces an earlier one for the
     * same grant. The vault enforces its expiry and controls on every call the grant decides.
     */
    GrantException addException(Caller caller, ExceptionSpec spec);

    /** Every exception, revoked and expired ones included, newest first. */
    List<GrantException> exceptions(Caller caller);

    /** Ends an exception now: its grant stops granting if it is outside the baseline. */
    GrantException revokeException(Caller caller, String id, String reason);

    /** The uses recorded under an exception with extra logging, newest first (at most 1000). */
    List<ExceptionUse> exceptionUses(Caller caller, String id);

    // ------------------------------------------------------------ access reviews

    /** The schedule of access reviews in force, or null when none is set. */
    ReviewSchedule reviewSchedule(Caller caller);

    /**
     * Sets when access reviews open (e.g. quarterly), how long owners have to attest, and what
     * happens to a grant nobody attested by the deadline. A background job of the vault opens the
     * reviews (one per grant owner) and closes them at their deadline.
     */
    ReviewSchedule setReviewSchedule(Caller caller, ReviewScheduleSpec spec);

    /** Opens reviews now, one per grant owner, outside the schedule; returns them. */
    List<AccessReview> openReviews(Caller caller, String reason);

    /** Every review, newest first. */
    List<AccessReview> reviews(Caller caller);

    AccessReview review(Caller caller, String id);

    /**
     * Attests one grant of an open review: keep, reduce (to be narrowed: recorded for its owner)
     * or revoke (the grant is removed from its policy at once, as a new policy version).
     */
    AccessReview attest(Caller caller, String reviewId, String policy, String ruleId, Attestation decision,
                        String reason);

    // ------------------------------------------------------------ compliance report

    /**
     * The compliance report's figures for {@code [from, to)}: privilege changes with their
     * rationale and approvals, the policy changelog, grants unused in the period, expired and
     * expiring grants, exceptions with their controls, access reviews, drills, rotation status (through
     * the rotation service), the period's alerts and how they were resolved (through the alert service),
     * and the audit log's verification (signed head, entries covered, inclusion of the period). Reads
     * the audit log and verifies it, so the caller needs audit read as well; every read is audited,
     * and each service is read as the caller.
     */
    ComplianceReport complianceReport(Caller caller, Instant from, Instant to);

    /** Renders a report as a PDF or an HTML page (charts embedded as PNG images, no remote resources). */
    byte[] renderComplianceReport(ComplianceReport report, ReportFormat format);

    // ------------------------------------------------------------ drills

    /**
     * Rehearses the compromise of a secret on a scratch copy of this vault (its directory copied
     * while no call is in flight, opened as a second vault and unsealed with {@code unsealKeys}):
     * rotate the secret, revoke the tokens of every identity that can read it, contain the named
     * identity (or all of them), check the response, verify the copy's audit log, delete the copy.
     * Each step is timed. This vault is not changed, except that the result is kept for the report.
     *
     * @param identity   TYPE:NAME of the identity to contain, or null for every identity that can read it
     * @param unsealKeys the passphrase, the HSM PIN, or enough Shamir shares (wiped afterwards)
     */
    DrillRun drillCompromise(Caller caller, String secretPath, String identity, List<char[]> unsealKeys);

    /** Every drill run, newest first. */
    List<DrillRun> drills(Caller caller);

    // ------------------------------------------------------------ records

    enum ReportFormat { PDF, HTML }

    /**
     * A change of privileges: a policy version, or a change of roles, identities, exceptions, the
     * baseline or a review decision, as the audit log recorded it.
     *
     * @param rationale  the reason recorded with the change and the call's justification
     * @param approvalId the approval the call presented, or null
     */
    record PrivilegeChange(Instant at, long sequence, String identity, String operation, String resource,
                           String rationale, String approvalId, String outcome) {
    }

    /** One version of a policy made in the period. */
    record PolicyChange(String policy, int version, Instant at, String author, String reason, String kind,
                        List<String> diff, String approvalId, long sequence) {
        public PolicyChange {
            diff = List.copyOf(diff);
        }
    }

    record GrantLine(String policy, String ruleId, String path, java.util.Set<Capability> capabilities, String owner,
                     Instant expiresAt, Instant lastUsed) {
        public GrantLine {
            capabilities = java.util.Set.copyOf(capabilities);
        }
    }

    /**
     * The audit log behind the report.
     *
     * @param verified       the live log recomputed without a problem
     * @param periodIncluded the period's last entry is proved (inclusion proof, checked here)
     *                       to be in the signed head named
     */
    record AuditSummary(boolean verified, long entriesInLog, long entriesInPeriod, long firstSequence,
                        long lastSequence, String headFingerprint, long headSize, Instant headTime,
                        boolean periodIncluded, List<String> problems) {
        public AuditSummary {
            problems = List.copyOf(problems);
        }
    }

    /** Entries per day, for the activity chart. */
    record DayCount(java.time.LocalDate day, long allowed, long denied, long other, long privilegeChanges) {
    }

    /** A section the vault cannot fill (the caller may not read what it needs, or the feature is absent). */
    record Unavailable(String section, String reason) {
    }

    /**
     * One secret with rotation configured, as it stands when the report is made.
     *
     * @param status      {@code on schedule}, {@code overdue}, {@code failing} (the last run rolled back, or
     *                    retries are exhausted) or {@code by trigger only} (no schedule, nothing failed)
     * @param lastFailure the error of the latest failed run, or null (never a value)
     */
    record RotationLine(String path, String rotator, String schedule, String status, Instant lastRunAt,
                        String lastOutcome, Instant lastSuccessAt, Instant nextRun, String lastFailure) {
    }

    /** One rotation run that started in the period. */
    record RotationRunLine(String path, String id, String trigger, String reason, String by, String state,
                           Instant startedAt, Instant endedAt, Integer version, String failedStep, String error) {
    }

    /** Rotation status: every configured secret, and the runs of the period. */
    record RotationSection(List<RotationLine> secrets, List<RotationRunLine> runs) {
        public RotationSection {
            secrets = List.copyOf(secrets);
            runs = List.copyOf(runs);
        }

        public long count(String status) {
            return secrets.stream().filter(s -> s.status().equals(status)).count();
        }
    }

    /**
     * An alert raised in the period and how it was worked.
     *
     * @param state       open, acknowledged, resolved or false-positive (now)
     * @param by          who made the latest change of state (for an open alert: who raised it)
     * @param why         the reason recorded with it
     * @param containment the containment actions taken for it, as "action: state (detail)"
     */
    record AlertLine(String id, String detector, AlertSeverity severity, String identity, String resource,
                     String summary, Instant raisedAt, String state, String by, String why, Instant changedAt,
                     List<String> containment) {
        public AlertLine {
            containment = List.copyOf(containment);
        }
    }

    /** Anomalies: the alerts raised in the period, newest first. */
    record AnomalySection(List<AlertLine> alerts) {
        public AnomalySection {
            alerts = List.copyOf(alerts);
        }

        /** Alerts by a key (severity, detector or state), sorted by the key. */
        public java.util.Map<String, Long> countBy(java.util.function.Function<AlertLine, String> key) {
            java.util.Map<String, Long> out = new java.util.TreeMap<>();
            alerts.forEach(a -> out.merge(key.apply(a), 1L, Long::sum));
            return out;
        }
    }

    /**
     * @param rotation  rotation status, or null when the caller may not read it (then {@code unavailable} says so)
     * @param anomalies the period's alerts, or null when the caller may not read them
     */
    record ComplianceReport(Instant from, Instant to, Instant generatedAt, String generatedBy,
                            List<PrivilegeChange> privilegeChanges, List<PolicyChange> policyChangelog,
                            List<GrantLine> unusedGrants, List<GrantLine> expiredGrants,
                            List<GrantLine> expiringGrants, BaselineInfo baseline, List<OutsideGrant> outsideBaseline,
                            List<GrantException> exceptions, List<AccessReview> reviews, List<DrillRun> drills,
                            RotationSection rotation, AnomalySection anomalies,
                            AuditSummary audit, List<DayCount> activity, List<Unavailable> unavailable) {
        public ComplianceReport {
            privilegeChanges = List.copyOf(privilegeChanges);
            policyChangelog = List.copyOf(policyChangelog);
            unusedGrants = List.copyOf(unusedGrants);
            expiredGrants = List.copyOf(expiredGrants);
            expiringGrants = List.copyOf(expiringGrants);
            outsideBaseline = List.copyOf(outsideBaseline);
            exceptions = List.copyOf(exceptions);
            reviews = List.copyOf(reviews);
            drills = List.copyOf(drills);
            activity = List.copyOf(activity);
            unavailable = List.copyOf(unavailable);
        }
    }

    /**
     * A started scan.
     *
     * @param id            the scan's id, for {@link #scan} and {@link #endScan}
     * @param values        stored values covered
     * @param tooShort      stored values left out because they are shorter than {@code minLength}
     *                      (such strings occur in ordinary text)
     * @param minLength     the shortest value (in UTF-8 bytes) the scan looks for
     * @param maxRequestBytes the most document bytes one {@link #scan} call takes
     * @param expiresAt     when the scan is dropped unless ended before
     */
    record ScanStart(String id, int values, int tooShort, int minLength, int maxRequestBytes, Instant expiresAt) {
        public ScanStart {
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * One document, or one segment of it.
     *
     * @param id     the scanner's name for the document (at most 512 characters; the vault only echoes it)
     * @param offset where this segment starts in the document (0 for the first)
     * @param data   the bytes
     * @param more   further segments of this document follow
     */
    record ScanDocument(String id, long offset, byte[] data, boolean more) {
        public ScanDocument {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(data, "data");
            if (id.isEmpty() || id.length() > 512) {
                throw new InvalidRequestException("A document id is 1 to 512 characters.");
            }
            if (offset < 0) {
                throw new InvalidRequestException("A segment's offset is not negative.");
            }
        }

        @Override
        public String toString() {
            return "ScanDocument[" + id + ", offset=" + offset + ", " + data.length + " bytes]";
        }
    }

    /**
     * A stored value found in a document.
     *
     * @param documentId the document's id as sent
     * @param offset     where the value starts in the document
     * @param length     its length in bytes
     * @param path       the secret's path
     * @param field      the field holding the value
     * @param version    the version holding it
     * @param current    whether that version is the current one (else the value was rotated away)
     */
    record ScanHit(String documentId, long offset, int length, String path, String field, int version,
                   boolean current) {
    }

    record ScanResult(List<ScanHit> hits, long bytes) {
        public ScanResult {
            hits = List.copyOf(hits);
        }
    }

    record ScanTotals(String id, long documents, long bytes, long hits) {
    }

    /** One declared need: {@code capabilities} on the paths {@code path} (a pattern) matches. */
    record Need(String path, java.util.Set<Capability> capabilities) {
        public Need {
            path = PolicyRule.validatePattern(path);
            if (capabilities == null || capabilities.isEmpty()) {
                throw new InvalidRequestException("The need for '" + path + "' names no capability.");
            }
            capabilities = java.util.Set.copyOf(capabilities);
        }
    }

    /**
     * One difference between a declared boundary and the grants.
     *
     * @param path       the grant's pattern (extra) or the need's (missing)
     * @param capability the capability concerned
     * @param policy     the granting (extra) or denying (missing) policy, or null
     * @param ruleId     its rule, or null
     * @param reason     a sentence
     */
    record BoundaryGap(String path, Capability capability, String policy, int policyVersion, String ruleId,
                       String reason) {
    }

    /** The boundary check's answer; {@link #matches()} when neither list has an entry. */
    record BoundaryReport(String identity, List<String> policies, List<BoundaryGap> extra,
                          List<BoundaryGap> missing) {
        public BoundaryReport {
            policies = List.copyOf(policies);
            extra = List.copyOf(extra);
            missing = List.copyOf(missing);
        }

        public boolean matches() {
            return extra.isEmpty() && missing.isEmpty();
        }
    }

    /**
     * Compensating controls of an exception, enforced by the vault on each call its grant decides.
     *
     * @param extraLogging  every use is recorded under the exception (who, when, what) for review
     * @param hours         the grant works only in this weekly window (null = whenever the grant does)
     * @param approvalOnUse each call needs an approval (through the approvals gate; refused while
     *                      no approval can be presented)
     */
    record Controls(boolean extraLogging, PolicyConditions.TimeWindow hours, boolean approvalOnUse) {
        public static final Controls NONE = new Controls(false, null, false);

        public boolean isNone() {
            return !extraLogging && hours == null && !approvalOnUse;
        }
    }

    record ExceptionSpec(String policy, String ruleId, String owner, String reason, Instant expiresAt,
                         Controls controls) {
        public ExceptionSpec {
            if (policy == null || policy.isBlank() || ruleId == null || ruleId.isBlank()) {
                throw new InvalidRequestException("An exception names the grant: its policy and rule id.");
            }
            if (owner == null || owner.isBlank()) {
                throw new InvalidRequestException("An exception has an owner who answers for it.");
            }
            if (reason == null || reason.isBlank() || reason.length() > 1024) {
                throw new InvalidRequestException("An exception has a reason (at most 1024 characters).");
            }
            if (expiresAt == null) {
                throw new InvalidRequestException("An exception has an expiry.");
            }
            controls = controls == null ? Controls.NONE : controls;
        }
    }

    /**
     * An exception as recorded.
     *
     * @param status {@code active}, {@code expired} or {@code revoked} at the time of the call
     */
    record GrantException(String id, String policy, String ruleId, String owner, String reason, Instant expiresAt,
                          Controls controls, String createdBy, Instant createdAt, Instant revokedAt, String revokedBy,
                          String revokeReason, long uses, Instant lastUsed, String status) {
    }

    record ExceptionUse(Instant at, String identity, String operation, String resource) {
    }

    record BaselineInfo(int version, String setBy, Instant setAt, String reason, int grants) {
    }

    /**
     * A live grant outside the baseline.
     *
     * @param exceptionId the exception covering it, or null
     * @param status      {@code excepted} (an active exception), {@code expired}, {@code revoked} or
     *                    {@code none}: only {@code excepted} grants work
     */
    record OutsideGrant(String policy, int policyVersion, String ruleId, String path,
                        java.util.Set<Capability> capabilities, String exceptionId, String status) {
        public OutsideGrant {
            capabilities = java.util.Set.copyOf(capabilities);
        }
    }

    /** What an owner says of a grant under review. */
    enum Attestation { KEEP, REDUCE, REVOKE }

    /** What happens to a grant nobody attested by the deadline. */
    enum OnMissed {
        /** The grant expires at the deadline (a new policy version with that expiry). */
        EXPIRE,
        /** An alert is raised for the grant; it keeps working. */
        ALERT
    }

    /**
     * @param every    {@code monthly}, {@code quarterly}, {@code yearly}, or a number of days such as {@code 30d}
     * @param deadline how long owners have to attest after a review opens
     * @param onMissed what happens to unattested grants
     * @param firstAt  when the first review opens (null = now)
     */
    record ReviewScheduleSpec(String every, java.time.Duration deadline, OnMissed onMissed, Instant firstAt) {
        public ReviewScheduleSpec {
            if (every == null || !every.matches("monthly|quarterly|yearly|[1-9][0-9]{0,3}d")) {
                throw new InvalidRequestException("A review runs monthly, quarterly, yearly, or every N days (e.g. 30d).");
            }
            if (deadline == null || deadline.isNegative() || deadline.isZero() || deadline.toDays() > 366) {
                throw new InvalidRequestException("The deadline is a positive duration of at most a year.");
            }
            java.util.Objects.requireNonNull(onMissed, "onMissed");
        }
    }

    record ReviewSchedule(String every, java.time.Duration deadline, OnMissed onMissed, Instant nextRun,
                          String setBy, Instant setAt) {
    }

    /**
     * One grant under review.
     *
     * @param decision   the attestation, or null while none was made
     * @param outcome    what followed: e.g. {@code revoked in ops v4}, {@code expired at the deadline},
     *                   {@code alert raised}, or null
     */
    record ReviewItem(String policy, int policyVersion, String ruleId, String path, java.util.Set<Capability> capabilities,
                      Instant expiresAt, Instant lastUsed, Attestation decision, String reason, String attestedBy,
                      Instant attestedAt, String outcome) {
        public ReviewItem {
            capabilities = java.util.Set.copyOf(capabilities);
        }
    }

    /**
     * An access review of one owner's grants.
     *
     * @param status {@code open} or {@code closed}
     */
    record AccessReview(String id, String owner, Instant openedAt, String openedBy, Instant deadline, OnMissed onMissed,
                        String status, Instant closedAt, List<ReviewItem> items) {
        public AccessReview {
            items = List.copyOf(items);
        }

        public long attested() {
            return items.stream().filter(i -> i.decision() != null).count();
        }
    }

    /** One timed step of a drill; {@code detail} says what it did or why it failed (never a value). */
    record DrillStep(String name, long millis, boolean ok, String detail) {
    }

    record DrillRun(String id, String secret, String identity, Instant startedAt, String startedBy, boolean ok,
                    long totalMillis, List<DrillStep> steps) {
        public DrillRun {
            steps = List.copyOf(steps);
        }
    }
}
