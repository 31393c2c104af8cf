package dev.keyward.vault.engine;

import dev.keyward.vault.api.AlertService;
import dev.keyward.vault.api.AlertSeverity;
import dev.keyward.vault.api.AlertSpec;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.GovernanceService;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.crypto.Random;
import dev.keyward.vault.policy.PolicyCode;
import dev.keyward.vault.policy.PolicyStore;
import dev.keyward.vault.api.PolicyService;
import dev.keyward.vault.api.SecretMetadata;
import dev.keyward.vault.api.SecretVersion;
import dev.keyward.vault.governance.LeakIndex;
import dev.keyward.vault.governance.Drills;
import dev.keyward.vault.governance.LeakScans;
import dev.keyward.vault.governance.ReviewJob;
import dev.keyward.vault.governance.Reviews;
import dev.keyward.vault.policy.BuiltInPolicies;
import dev.keyward.vault.policy.Boundary;
import dev.keyward.vault.policy.NeedsFile;
import dev.keyward.vault.secrets.KvStore;
import dev.keyward.vault.storage.StorageTx;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** {@link GovernanceService} through the guarded door. */
final class GovernanceFacade implements GovernanceService {
    static final String SCAN = "sys/governance/scan";
    static final String CHECK = "sys/governance/check";
    static final String BASELINE = "sys/governance/baseline";
    static final String EXCEPTIONS = "sys/governance/exceptions";

    static final String REVIEWS = "sys/governance/reviews";
    /** How often the access-review job looks for due and overdue reviews. */
    static final java.time.Duration REVIEW_TICK = java.time.Duration.ofMinutes(1);

    private final Engine engine;
    private final Door door;
    private final SecretsFacade.Guard guard;
    private volatile Supplier<AlertService> alerts;
    private final LeakScans scans = new LeakScans();
    private final ReviewJob reviewJob;

    /** {@code alerts} gives the alert service, or null while the vault has none. */
    GovernanceFacade(Engine engine, Door door, SecretsFacade.Guard guard, Supplier<AlertService> alerts) {
        this.engine = engine;
        this.door = door;
        this.guard = guard;
        this.alerts = alerts;
        this.reviewJob = new ReviewJob(this::reviewTick, REVIEW_TICK);
    }

    /** The vault sealed: every scan's keys go, the review job stops. */
    void sealed() {
        reviewJob.stop();
        scans.close();
    }

    void unsealed() {
        reviewJob.start();
    }

    ReviewJob reviewJob() {
        return reviewJob;
    }

    /** Where missed reviews raise their alerts (the engine sets its alert service; tests record instead). */
    void useAlerts(Supplier<AlertService> a) {
        this.alerts = a;
    }

    // ------------------------------------------------------------ leak scan

    @Override
    public ScanStart startScan(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_SCAN, SCAN, (k, p, tx, now) -> {
            LeakIndex.Builder b = LeakIndex.builder();
            addValues(k.kv(), tx, "", now, b);
            return scans.open(b.build(), b.tooShort(), now);
        }, s -> Map.of("step", "start", "scan", s.id(), "values", Integer.toString(s.values()),
                "too_short", Integer.toString(s.tooShort()))));
    }

    /** Every field value of every readable version (neither deleted nor destroyed), depth first. */
    private static void addValues(KvStore kv, StorageTx tx, String folder, Instant now, LeakIndex.Builder b) {
        for (String name : kv.list(tx, folder)) {
            if (name.endsWith("/")) {
                addValues(kv, tx, folder + name, now, b);
                continue;
            }
            String path = folder + name;
            SecretMetadata m;
            try {
                m = kv.readMetadata(tx, path);
            } catch (NotFoundException gone) {
                continue;
            }
            for (int v : m.versions().keySet()) {
                SecretVersion sv = kv.read(tx, path, v, now);
                if (!sv.hasData()) {
                    continue;
                }
                for (Map.Entry<String, String> f : sv.data().fields().entrySet()) {
                    byte[] value = f.getValue().getBytes(StandardCharsets.UTF_8);
                    try {
                        b.add(value, new LeakIndex.Ref(path, f.getKey(), v, v == m.currentVersion()));
                    } finally {
                        Arrays.fill(value, (byte) 0);
                    }
                }
            }
        }
    }

    @Override
    public ScanResult scan(Caller caller, String scanId, List<ScanDocument> documents) {
        List<ScanDocument> docs = List.copyOf(documents);
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_SCAN, SCAN,
                (k, p, tx, now) -> scans.scan(scanId, docs, now),
                r -> Map.of("step", "scan", "scan", String.valueOf(scanId), "documents",
                        Integer.toString(docs.size()), "bytes", Long.toString(r.bytes()), "hits",
                        Integer.toString(r.hits().size()))));
    }

    @Override
    public ScanTotals endScan(Caller caller, String scanId) {
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_SCAN, SCAN,
                (k, p, tx, now) -> scans.end(scanId, now),
                t -> Map.of("step", "end", "scan", t.id(), "documents", Long.toString(t.documents()), "bytes",
                        Long.toString(t.bytes()), "hits", Long.toString(t.hits()))));
    }

    // ------------------------------------------------------------ boundary check

    @Override
    public BoundaryReport checkBoundaryYaml(Caller caller, PolicyService.IdentityRef identity, String needsYaml) {
        NeedsFile.Parsed parsed = NeedsFile.parse(needsYaml);
        if (parsed.identity() != null) {
            String declared = parsed.identity();
            String given = identity.type().name().toLowerCase(java.util.Locale.ROOT) + ":" + identity.name();
            if (!declared.equalsIgnoreCase(given)) {
                throw new dev.keyward.vault.api.InvalidRequestException("The needs file is for " + declared
                        + ", not " + given + ".");
            }
        }
        return checkBoundary(caller, identity, parsed.needs());
    }

    @Override
    public BoundaryReport checkBoundary(Caller caller, PolicyService.IdentityRef identity, List<Need> needs) {
        List<Need> declared = List.copyOf(needs);
        String who = identity.type().name().toLowerCase(java.util.Locale.ROOT) + ":" + identity.name();
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_CHECK, CHECK, (k, p, tx, now) ->
                Boundary.compare(k.policies(), tx, who, PolicyFacade.subject(k, tx, identity).policies(), declared,
                        now),
                r -> Map.of("identity", who, "extra", Integer.toString(r.extra().size()), "missing",
                        Integer.toString(r.missing().size()))));
    }

    @Override
    public dev.keyward.vault.api.ApprovalService.Request requestPolicyApply(Caller caller, String desiredYaml,
                                                                          String reason) {
        String why = reason(reason);
        if (desiredYaml == null) {
            throw new InvalidRequestException("Give the desired policies as a policy-as-code file.");
        }
        PolicyService.ApplyResult drift = engine.policies().drift(caller, desiredYaml);
        if (drift.changes().isEmpty()) {
            throw new InvalidRequestException("The vault is in sync with the file: there is no change to approve.");
        }
        return engine.approvals().request(caller, dev.keyward.vault.api.ApprovalService.RequestSpec.of(
                dev.keyward.vault.api.GatedOperation.POLICY_APPLY.id(), ApprovalFacade.POLICIES,
                PolicyCode.changesText(drift.changes()), why));
    }

    // ------------------------------------------------------------ baseline and exceptions

    private static String reason(String reason) {
        if (reason == null || reason.isBlank() || reason.length() > 1024) {
            throw new InvalidRequestException("Give a reason (at most 1024 characters).");
        }
        return reason.trim();
    }

    @Override
    public BaselineInfo setBaseline(Caller caller, String policiesYaml, String reason) {
        String why = reason(reason);
        List<Policy> fromFile;
        if (policiesYaml == null) {
            fromFile = null;
        } else {
            PolicyCode.State state = PolicyCode.parse(policiesYaml);
            if (state.policies() == null) {
                throw new InvalidRequestException("The baseline file lists no 'policies:'.");
            }
            fromFile = state.policies();
        }
        return guard.run(() -> door.write(caller, Operation.GOVERNANCE_BASELINE, BASELINE, (k, p, tx, now) -> {
            List<Policy> policies = fromFile != null ? fromFile
                    : k.policies().list(tx).stream().map(PolicyStore.PolicyRecord::policy).toList();
            return k.exceptions().setBaseline(tx, policies, p.name(), why, now);
        }, b -> Map.of("baseline_version", Integer.toString(b.version()), "grants", Integer.toString(b.grants()),
                "source", fromFile != null ? "file" : "live")));
    }

    @Override
    public BaselineInfo baseline(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_READ, BASELINE,
                (k, p, tx, now) -> k.exceptions().baseline(tx)));
    }

    @Override
    public List<OutsideGrant> outsideBaseline(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_READ, BASELINE,
                (k, p, tx, now) -> k.exceptions().outsideBaseline(tx, k.policies(), now)));
    }

    @Override
    public GrantException addException(Caller caller, ExceptionSpec spec) {
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(Random.bytes(12));
        return guard.run(() -> door.write(caller, Operation.GOVERNANCE_EXCEPTION, EXCEPTIONS + "/" + spec.policy(),
                (k, p, tx, now) -> k.exceptions().add(tx, k.policies(), spec, id, p.name(), now),
                e -> Map.of("exception", e.id(), "policy", e.policy(), "rule", e.ruleId(), "expires",
                        e.expiresAt().toString(), "controls", controls(e.controls()))));
    }

    static String controls(Controls c) {
        List<String> out = new ArrayList<>();
        if (c.extraLogging()) {
            out.add("extra-logging");
        }
        if (c.hours() != null) {
            out.add("hours");
        }
        if (c.approvalOnUse()) {
            out.add("approval-on-use");
        }
        return out.isEmpty() ? "none" : String.join(",", out);
    }

    @Override
    public List<GrantException> exceptions(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_READ, EXCEPTIONS,
                (k, p, tx, now) -> k.exceptions().list(tx, now)));
    }

    @Override
    public GrantException revokeException(Caller caller, String id, String reason) {
        String why = reason(reason);
        return guard.run(() -> door.write(caller, Operation.GOVERNANCE_EXCEPTION, EXCEPTIONS,
                (k, p, tx, now) -> k.exceptions().revoke(tx, id, p.name(), why, now),
                e -> Map.of("exception", e.id(), "step", "revoke")));
    }

    @Override
    public List<ExceptionUse> exceptionUses(Caller caller, String id) {
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_READ, EXCEPTIONS,
                (k, p, tx, now) -> k.exceptions().uses(tx, id)));
    }

    // ------------------------------------------------------------ access reviews

    @Override
    public ReviewSchedule reviewSchedule(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_READ, REVIEWS,
                (k, p, tx, now) -> new Reviews(k.barrier()).schedule(tx)));
    }

    @Override
    public ReviewSchedule setReviewSchedule(Caller caller, ReviewScheduleSpec spec) {
        return guard.run(() -> door.write(caller, Operation.GOVERNANCE_REVIEW, REVIEWS,
                (k, p, tx, now) -> new Reviews(k.barrier()).setSchedule(tx, spec, p.name(), now),
                s -> Map.of("step", "schedule", "every", s.every(), "on_missed", s.onMissed().name())));
    }

    @Override
    public List<AccessReview> openReviews(Caller caller, String reason) {
        String why = reason(reason);
        return guard.run(() -> door.write(caller, Operation.GOVERNANCE_REVIEW, REVIEWS, (k, p, tx, now) -> {
            Reviews reviews = new Reviews(k.barrier());
            ReviewSchedule s = reviews.schedule(tx);
            return reviews.open(tx, grantsUnderReview(k, tx, now), p.name() + ": " + why, now,
                    s == null ? java.time.Duration.ofDays(14) : s.deadline(),
                    s == null ? OnMissed.ALERT : s.onMissed());
        }, list -> Map.of("step", "open", "reviews", Integer.toString(list.size()))));
    }

    /** Every live grant of the custom policies, with its owner and last use. */
    private static List<Reviews.Grant> grantsUnderReview(Unsealed k, StorageTx tx, Instant now) {
        List<Reviews.Grant> out = new ArrayList<>();
        for (PolicyStore.PolicyRecord pr : k.policies().list(tx)) {
            for (PolicyRule r : pr.policy().rules()) {
                if (r.deny() || r.expiresAt() != null && !now.isBefore(r.expiresAt())) {
                    continue;
                }
                PolicyStore.UsageRecord u = k.policies().usage(tx, pr.name(), r.id());
                out.add(new Reviews.Grant(r.owner(), new ReviewItem(pr.name(), pr.version(), r.id(), r.path(),
                        r.capabilities(), r.expiresAt(), u == null ? null : u.lastUsed(), null, null, null, null,
                        null)));
            }
        }
        return out;
    }

    @Override
    public List<AccessReview> reviews(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_READ, REVIEWS,
                (k, p, tx, now) -> new Reviews(k.barrier()).list(tx)));
    }

    @Override
    public AccessReview review(Caller caller, String id) {
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_READ, REVIEWS,
                (k, p, tx, now) -> new Reviews(k.barrier()).get(tx, id)));
    }

    @Override
    public AccessReview attest(Caller caller, String reviewId, String policy, String ruleId, Attestation decision,
                               String reason) {
        java.util.Objects.requireNonNull(decision, "decision");
        return guard.run(() -> door.write(caller, Operation.GOVERNANCE_REVIEW, REVIEWS + "/" + reviewId,
                (k, p, tx, now) -> {
                    Reviews reviews = new Reviews(k.barrier());
                    AccessReview r = reviews.attest(tx, reviewId, policy, ruleId, decision, reason, p.name(), now);
                    String outcome = switch (decision) {
                        case KEEP -> "kept";
                        case REDUCE -> "to be narrowed by its owner";
                        case REVOKE -> changeRule(k, tx, policy, ruleId, null, "system:reviews (" + p.name() + ")",
                                "access review " + reviewId + ": revoked by " + p.name() + ": " + reason.trim(), now);
                    };
                    return reviews.outcome(tx, r.id(), policy, ruleId, outcome);
                }, r -> Map.of("review", reviewId, "policy", policy, "rule", ruleId, "decision", decision.name())));
    }

    /**
     * Removes a rule from its policy ({@code expireAt == null}) or makes it expire then, as a new
     * policy version; returns what happened, in words for the review record.
     */
    private static String changeRule(Unsealed k, StorageTx tx, String policy, String ruleId, Instant expireAt,
                                     String by, String why, Instant now) {
        PolicyStore.PolicyRecord cur = k.policies().current(tx, policy);
        if (cur == null || cur.policy().rules().stream().noneMatch(x -> x.id().equals(ruleId))) {
            return "no change: the grant no longer exists";
        }
        List<PolicyRule> rules = new ArrayList<>();
        for (PolicyRule x : cur.policy().rules()) {
            if (!x.id().equals(ruleId)) {
                rules.add(x);
            } else if (expireAt != null) {
                Instant end = x.expiresAt() != null && x.expiresAt().isBefore(expireAt) ? x.expiresAt() : expireAt;
                rules.add(new PolicyRule(x.id(), x.path(), x.capabilities(), false, x.conditions(), x.owner(),
                        x.justification(), end));
            }
        }
        if (rules.isEmpty()) {
            k.policies().delete(tx, policy, by, why, now);
            return "revoked: policy " + policy + " deleted (no rule left)";
        }
        PolicyStore.PolicyRecord next = k.policies().put(tx, new Policy(policy, cur.policy().description(), rules),
                by, why, now);
        return (expireAt == null ? "revoked in " : "expired at the deadline in ") + policy + " v" + next.version();
    }

    /** What one run of the review job did. */
    private record Sweep(List<AccessReview> opened, List<AccessReview> closed, List<AlertSpec> alerts) {
    }

    /** The job's tick: a cheap unaudited look whether anything is due, then the audited sweep. */
    private void reviewTick() {
        boolean due;
        try {
            due = engine.underKeys(u -> engine.storage().read(tx -> {
                Reviews r = new Reviews(u.barrier());
                Instant now = engine.clock().instant();
                ReviewSchedule s = r.schedule(tx);
                return s != null && !now.isBefore(s.nextRun()) || !r.overdue(tx, now).isEmpty();
            }));
        } catch (dev.keyward.vault.api.VaultSealedException sealed) {
            return;
        }
        if (due) {
            sweep(engine.systemCaller(BuiltInPolicies.JOB_REVIEWS));
        }
    }

    /** Opens the scheduled reviews that are due and closes those past their deadline, as the review job. */
    void sweep(Caller job) {
        AlertService alertService = alerts.get();
        Sweep s = guard.run(() -> door.write(job, Operation.GOVERNANCE_REVIEW_SWEEP, REVIEWS + "/sweep",
                (k, p, tx, now) -> {
                    Reviews reviews = new Reviews(k.barrier());
                    List<AccessReview> opened = new ArrayList<>();
                    Reviews.ScheduleRec due = reviews.takeDue(tx, now);
                    if (due != null) {
                        opened.addAll(reviews.open(tx, grantsUnderReview(k, tx, now), p.name() + ": scheduled ("
                                + due.every() + ")", now, java.time.Duration.ofSeconds(due.deadlineSeconds()),
                                due.onMissed()));
                    }
                    List<AccessReview> closed = new ArrayList<>();
                    List<AlertSpec> raise = new ArrayList<>();
                    for (AccessReview r : reviews.overdue(tx, now)) {
                        closed.add(reviews.close(tx, r, item -> {
                            if (r.onMissed() == OnMissed.EXPIRE) {
                                return changeRule(k, tx, item.policy(), item.ruleId(), r.deadline(), p.name(),
                                        "access review " + r.id() + ": not attested by " + r.deadline(), now);
                            }
                            raise.add(new AlertSpec("access-review.missed", AlertSeverity.MEDIUM, null,
                                    item.policy() + "#" + item.ruleId(), "Nobody attested the grant "
                                    + item.policy() + "#" + item.ruleId() + " of " + r.owner() + " in access review "
                                    + r.id() + " by its deadline.", List.of(), Map.of("review", r.id())));
                            return alertService == null ? "missed: recorded here (no alert service in this vault)"
                                    : "missed: alert raised";
                        }, now));
                    }
                    return new Sweep(opened, closed, raise);
                }, r -> Map.of("opened", Integer.toString(r.opened().size()), "closed",
                        Integer.toString(r.closed().size()))));
        if (alertService != null) {
            for (AlertSpec a : s.alerts()) {
                alertService.raise(job, a);
            }
        }
    }

    // ------------------------------------------------------------ compliance report

    @Override
    public ComplianceReport complianceReport(Caller caller, Instant from, Instant to) {
        return ComplianceReports.build(engine, door, guard, caller, from, to);
    }

    @Override
    public byte[] renderComplianceReport(ComplianceReport report, ReportFormat format) {
        return dev.keyward.vault.governance.ComplianceRenderer.render(java.util.Objects.requireNonNull(report),
                format == null ? ReportFormat.PDF : format);
    }

    // ------------------------------------------------------------ drills

    static final String DRILLS = "sys/governance/drills";

    @Override
    public DrillRun drillCompromise(Caller caller, String secretPath, String identity, List<char[]> unsealKeys) {
        if (secretPath == null || secretPath.isBlank()) {
            throw new InvalidRequestException("Name the secret the drill treats as leaked.");
        }
        if (unsealKeys == null || unsealKeys.isEmpty()) {
            throw new InvalidRequestException("The scratch copy must be unsealed: give the passphrase, the PIN or the "
                    + "shares.");
        }
        String path = dev.keyward.vault.api.SecretPaths.normalize(secretPath);
        dev.keyward.vault.api.SecretPaths.validateSecretPath(path);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(Random.bytes(9));
        // Allowed to drill, and the secret exists: checked (and audited) before anything is copied.
        String by = guard.run(() -> door.read(caller, Operation.GOVERNANCE_DRILL, DRILLS + "/" + path,
                (k, p, tx, now) -> {
                    k.kv().readMetadata(tx, path);
                    return p.name();
                }, n -> Map.of("step", "start", "drill", id)));
        DrillRun run = CompromiseDrill.run(engine, id, by, path, identity, new ArrayList<>(unsealKeys));
        return guard.run(() -> door.write(caller, Operation.GOVERNANCE_DRILL, DRILLS + "/" + path,
                (k, p, tx, now) -> {
                    new Drills(k.barrier()).save(tx, run);
                    return run;
                }, r -> Map.of("step", "result", "drill", id, "ok", Boolean.toString(r.ok()), "millis",
                        Long.toString(r.totalMillis()))));
    }

    @Override
    public List<DrillRun> drills(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.GOVERNANCE_READ, DRILLS,
                (k, p, tx, now) -> new Drills(k.barrier()).list(tx)));
    }
}
