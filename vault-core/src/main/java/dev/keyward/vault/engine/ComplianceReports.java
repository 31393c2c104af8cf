package dev.keyward.vault.engine;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.AuditPage;
import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.AuditService;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.GovernanceService.AccessReview;
import dev.keyward.vault.api.GovernanceService.AuditSummary;
import dev.keyward.vault.api.GovernanceService.ComplianceReport;
import dev.keyward.vault.api.GovernanceService.DayCount;
import dev.keyward.vault.api.GovernanceService.GrantException;
import dev.keyward.vault.api.GovernanceService.GrantLine;
import dev.keyward.vault.api.GovernanceService.PolicyChange;
import dev.keyward.vault.api.GovernanceService.PrivilegeChange;
import dev.keyward.vault.api.GovernanceService.Unavailable;
import dev.keyward.vault.api.InclusionProof;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.TreeHead;
import dev.keyward.vault.audit.Merkle;
import dev.keyward.vault.governance.Reviews;
import dev.keyward.vault.policy.PolicyStore;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Gathers a compliance report: the audit log of the period (read through the audit service, page
 * by page, as the caller), the governance records (one audited read), rotation status and the
 * period's alerts ({@link ComplianceSections}), and the log's verification with an inclusion proof
 * of the period's last entry, checked here against the signed head.
 */
final class ComplianceReports {
    /** Operations that change who may do what. */
    static final Set<String> PRIVILEGE_OPS = Set.of(Operation.POLICY_WRITE.id(), Operation.ROLE_WRITE.id(),
            Operation.APPROLE_WRITE.id(), Operation.APPROLE_DELETE.id(), Operation.CERT_WRITE.id(),
            Operation.CERT_DELETE.id(), Operation.OPERATOR_CREATE.id(), Operation.OPERATOR_UPDATE.id(),
            Operation.GOVERNANCE_BASELINE.id(), Operation.GOVERNANCE_EXCEPTION.id(), Operation.GOVERNANCE_REVIEW.id(),
            Operation.GOVERNANCE_REVIEW_SWEEP.id(), Operation.POLICY_APPLY.id());
    /** Grants expiring within this time after the period are listed as expiring. */
    static final Duration EXPIRING = Duration.ofDays(30);

    private ComplianceReports() {
    }

    private record Period(List<AuditRecord> changes, Set<String> usedGrants, Map<LocalDate, long[]> days, long count,
                          long first, long last) {
    }

    private record Records(List<PolicyChange> changelog, List<GrantLine> unused, List<GrantLine> expired,
                           List<GrantLine> expiring, dev.keyward.vault.api.GovernanceService.BaselineInfo baseline,
                           List<dev.keyward.vault.api.GovernanceService.OutsideGrant> outside,
                           List<GrantException> exceptions, List<AccessReview> reviews,
                           List<dev.keyward.vault.api.GovernanceService.DrillRun> drills, String by) {
    }

    static ComplianceReport build(Engine engine, Door door, SecretsFacade.Guard guard, Caller caller, Instant from,
                                  Instant to) {
        if (from == null || to == null || !from.isBefore(to)) {
            throw new InvalidRequestException("A report covers a period: 'from' must be before 'to'.");
        }
        Instant started = engine.clock().instant();
        Instant end = to.isAfter(started) ? started : to; // the report's own reads are not part of it
        AuditService audit = engine.audit();
        Period period = period(audit, caller, from, end);
        Records rec = guard.run(() -> door.read(caller, Operation.GOVERNANCE_READ, "sys/governance/report",
                (k, p, tx, now) -> records(k, tx, from, end, period, p.name())));
        List<PrivilegeChange> changes = new ArrayList<>();
        Map<Long, PolicyChange> bySeq = new TreeMap<>();
        rec.changelog().forEach(c -> bySeq.put(c.sequence(), c));
        for (AuditRecord e : period.changes()) {
            PolicyChange pc = bySeq.get(e.sequence());
            if (e.operation().equals(Operation.POLICY_APPLY.id()) && pc == null) {
                continue; // a dry run or an apply that changed nothing
            }
            String rationale = pc != null ? pc.reason() : null;
            if (e.justification() != null) {
                rationale = rationale == null ? e.justification() : rationale + " (justification: " + e.justification()
                        + ")";
            }
            changes.add(new PrivilegeChange(e.time(), e.sequence(), e.identityName(), e.operation(), e.resource(),
                    rationale, e.approvalId(), e.outcome()));
        }
        AuditSummary summary = verify(audit, caller, period);
        List<DayCount> days = new ArrayList<>();
        period.days().forEach((d, c) -> days.add(new DayCount(d, c[0], c[1], c[2], c[3])));
        List<Unavailable> unavailable = new ArrayList<>();
        dev.keyward.vault.api.GovernanceService.RotationSection rotation = ComplianceSections.rotation(engine.rotation(),
                caller, from, end, unavailable);
        dev.keyward.vault.api.GovernanceService.AnomalySection anomalies = ComplianceSections.anomalies(engine.alerts(),
                caller, from, end, unavailable);
        return new ComplianceReport(from, to, started, rec.by(), changes, rec.changelog(), rec.unused(), rec.expired(),
                rec.expiring(), rec.baseline(), rec.outside(), rec.exceptions(), rec.reviews(), rec.drills(), rotation,
                anomalies, summary, days, unavailable);
    }

    private static Period period(AuditService audit, Caller caller, Instant from, Instant end) {
        List<AuditRecord> changes = new ArrayList<>();
        Set<String> used = new HashSet<>();
        Map<LocalDate, long[]> days = new TreeMap<>();
        for (LocalDate d = LocalDate.ofInstant(from, ZoneOffset.UTC); !d.atStartOfDay(ZoneOffset.UTC).toInstant()
                .isAfter(end) && days.size() < 400; d = d.plusDays(1)) {
            days.put(d, new long[4]);
        }
        long count = 0;
        long first = -1;
        long last = -1;
        long after = -1;
        while (end.isAfter(from)) {
            AuditPage page = audit.query(caller, new AuditQuery(from, end, null, null, null, null, after, 1000));
            for (AuditRecord e : page.entries()) {
                count++;
                first = first < 0 ? e.sequence() : first;
                last = e.sequence();
                long[] c = days.computeIfAbsent(LocalDate.ofInstant(e.time(), ZoneOffset.UTC), x -> new long[4]);
                c["ALLOW".equals(e.decision()) ? 0 : "DENY".equals(e.decision()) ? 1 : 2]++;
                if ("ALLOW".equals(e.decision()) && e.rule() != null && e.rule().startsWith("policy:")) {
                    int at = e.rule().indexOf('@');
                    int hash = e.rule().indexOf('#', at);
                    if (at > 0 && hash > at) {
                        used.add(e.rule().substring("policy:".length(), at) + "#" + e.rule().substring(hash + 1));
                    }
                }
                if (changesPrivileges(e)) {
                    changes.add(e);
                    c[3]++;
                }
            }
            if (page.nextAfter() == null) {
                break;
            }
            after = page.nextAfter();
        }
        return new Period(changes, used, days, count, first, last);
    }

    private static Records records(Unsealed k, dev.keyward.vault.storage.StorageTx tx, Instant from, Instant end,
                                   Period period, String by) {
        PolicyStore store = k.policies();
        Set<String> names = new TreeSet<>();
        store.list(tx).forEach(r -> names.add(r.name()));
        for (AuditRecord e : period.changes()) {
            if (e.resource() != null && e.resource().startsWith("sys/policy/")) {
                names.add(e.resource().substring("sys/policy/".length()));
            }
        }
        List<PolicyChange> changelog = new ArrayList<>();
        for (String name : names) {
            PolicyStore.PolicyRecord prev = null;
            for (PolicyStore.PolicyRecord v : store.history(tx, name)) {
                if (!v.changedAt().isBefore(from) && v.changedAt().isBefore(end)) {
                    String kind = v.policy() == null ? "deleted" : prev == null || prev.policy() == null ? "created"
                            : "changed";
                    AuditRecord e = entryOf(period.changes(), name, v);
                    changelog.add(new PolicyChange(name, v.version(), v.changedAt(), v.author(), v.reason(), kind,
                            ruleDiff(prev, v), e == null ? null : e.approvalId(), e == null ? -1 : e.sequence()));
                }
                prev = v;
            }
        }
        changelog.sort(java.util.Comparator.comparing(PolicyChange::at));
        List<GrantLine> unused = new ArrayList<>();
        List<GrantLine> expired = new ArrayList<>();
        List<GrantLine> expiring = new ArrayList<>();
        for (PolicyStore.PolicyRecord p : store.list(tx)) {
            for (PolicyRule r : p.policy().rules()) {
                if (r.deny()) {
                    continue;
                }
                PolicyStore.UsageRecord u = store.usage(tx, p.name(), r.id());
                GrantLine g = new GrantLine(p.name(), r.id(), r.path(), r.capabilities(), r.owner(), r.expiresAt(),
                        u == null ? null : u.lastUsed());
                if (r.expiresAt() != null && !r.expiresAt().isAfter(end)) {
                    expired.add(g);
                } else {
                    if (!period.usedGrants().contains(p.name() + "#" + r.id())) {
                        unused.add(g);
                    }
                    if (r.expiresAt() != null && !r.expiresAt().isAfter(end.plus(EXPIRING))) {
                        expiring.add(g);
                    }
                }
            }
        }
        Instant now = end;
        List<GrantException> exceptions = k.exceptions().list(tx, now).stream()
                .filter(x -> x.createdAt().isBefore(end) && !x.expiresAt().isBefore(from)
                        && (x.revokedAt() == null || !x.revokedAt().isBefore(from))).toList();
        List<AccessReview> reviews = new Reviews(k.barrier()).list(tx).stream()
                .filter(r -> r.openedAt().isBefore(end) && (r.closedAt() == null || !r.closedAt().isBefore(from)))
                .toList();
        return new Records(changelog, unused, expired, expiring, k.exceptions().baseline(tx),
                k.exceptions().outsideBaseline(tx, store, now), exceptions, reviews,
                new dev.keyward.vault.governance.Drills(k.barrier()).list(tx).stream()
                        .filter(d -> !d.startedAt().isBefore(from) && d.startedAt().isBefore(end)).toList(), by);
    }

    /**
     * The audit entry of the call that made a policy version: same time (the door's clock gives
     * both), and a write of that policy, an apply, or a review's revocation or expiry.
     */
    private static AuditRecord entryOf(List<AuditRecord> changes, String policy, PolicyStore.PolicyRecord v) {
        for (AuditRecord e : changes) {
            if (e.time().equals(v.changedAt()) && ("sys/policy/".concat(policy).equals(e.resource())
                    || e.operation().equals(Operation.POLICY_APPLY.id())
                    || e.operation().startsWith(Operation.GOVERNANCE_REVIEW.id()))) {
                return e;
            }
        }
        return null;
    }

    /** Whether an audited call changed privileges (a review's attestation only when it revoked). */
    static boolean changesPrivileges(AuditRecord e) {
        if (!PRIVILEGE_OPS.contains(e.operation())) {
            return false;
        }
        if (e.operation().equals(Operation.GOVERNANCE_REVIEW.id())) {
            return "REVOKE".equals(e.details().get("decision"));
        }
        if (e.operation().equals(Operation.GOVERNANCE_REVIEW_SWEEP.id())) {
            return !"0".equals(e.details().getOrDefault("closed", "0"));
        }
        return true;
    }

    /** Rule-level differences between two versions: "+ id: path [caps]" and "- id: ...". */
    static List<String> ruleDiff(PolicyStore.PolicyRecord before, PolicyStore.PolicyRecord after) {
        Map<String, String> a = rules(before);
        Map<String, String> b = rules(after);
        List<String> out = new ArrayList<>();
        a.forEach((id, text) -> {
            if (!text.equals(b.get(id))) {
                out.add("- " + text);
            }
        });
        b.forEach((id, text) -> {
            if (!text.equals(a.get(id))) {
                out.add("+ " + text);
            }
        });
        return out;
    }

    private static Map<String, String> rules(PolicyStore.PolicyRecord r) {
        Map<String, String> out = new TreeMap<>();
        if (r != null && r.policy() != null) {
            for (PolicyRule x : r.policy().rules()) {
                out.put(x.id(), (x.deny() ? "deny " : "") + x.path() + " " + new TreeSet<>(x.capabilities().stream()
                        .map(c -> c.id()).toList()) + (x.expiresAt() == null ? "" : " until " + x.expiresAt()));
            }
        }
        return out;
    }

    private static AuditSummary verify(AuditService audit, Caller caller, Period period) {
        List<String> problems = new ArrayList<>();
        AuditVerification v = audit.verify(caller, null, AuditProgress.NONE);
        v.problems().forEach(p -> problems.add(p.toString()));
        TreeHead head;
        try {
            head = audit.issueHead(caller); // a head over the whole period
        } catch (AccessDeniedException e) {
            head = audit.latestHead(caller);
        }
        boolean included = false;
        if (period.last() >= 0 && head != null && head.treeSize() > period.last()) {
            InclusionProof proof = audit.inclusionProof(caller, period.last(), head.treeSize());
            HexFormat hex = HexFormat.of();
            included = Merkle.verifyInclusion(period.last(), head.treeSize(), hex.parseHex(proof.leafHash()),
                    proof.path().stream().map(hex::parseHex).toList(), hex.parseHex(head.rootHash()));
            if (!included) {
                problems.add("the inclusion proof of entry " + period.last() + " does not lead to the signed head");
            }
        } else if (period.last() >= 0) {
            problems.add("no signed head covers the period's last entry yet");
        }
        return new AuditSummary(v.ok() && problems.isEmpty(), v.entries(), period.count(), period.first(),
                period.last(), head == null ? null : head.fingerprint(), head == null ? 0 : head.treeSize(),
                head == null ? null : head.timestamp(), included, problems);
    }
}
