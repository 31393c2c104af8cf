package dev.keyward.vault.policy;

import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.GovernanceService.BaselineInfo;
import dev.keyward.vault.api.GovernanceService.Controls;
import dev.keyward.vault.api.GovernanceService.ExceptionSpec;
import dev.keyward.vault.api.GovernanceService.ExceptionUse;
import dev.keyward.vault.api.GovernanceService.GrantException;
import dev.keyward.vault.api.GovernanceService.OutsideGrant;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.DestroyableKey;
import dev.keyward.vault.crypto.Hmac;
import dev.keyward.vault.identity.Records;
import dev.keyward.vault.storage.StorageTx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The documented baseline of grants and the exceptions for grants outside it. Enforced in the
 * evaluation every call and every explanation share ({@link PolicyAuthorizer#evaluate}): a grant
 * outside the baseline decides a call only under an active exception, and an active exception's
 * controls (hours, approval on use) must hold for the call; with extra logging every use is
 * recorded under the exception. Layout, every record sealed by the barrier under kind
 * {@code governance}, keys of names as keyed hashes:
 * <ul>
 * <li>{@code gov/bl/meta}: the baseline's version, author, time, reason</li>
 * <li>{@code gov/bl/g/<id(policy#rule)>}: one baseline grant (pattern, capabilities)</li>
 * <li>{@code gov/ex/r/<exception id>}: an exception</li>
 * <li>{@code gov/ex/g/<id(policy#rule)>}: the id of the grant's latest exception</li>
 * <li>{@code gov/ex/u/<exception id>/<n>}: its n-th recorded use (the latest 1000 are kept)</li>
 * </ul>
 */
public final class GrantExceptions {
    public static final String KIND = "governance";
    static final String BASELINE = "gov/bl/meta";
    static final String BASELINE_GRANT = "gov/bl/g/";
    static final String EXCEPTION = "gov/ex/r/";
    static final String BY_GRANT = "gov/ex/g/";
    static final String USES = "gov/ex/u/";
    public static final int MAX_USES = 1000;
    /** The longest an exception may run: it must come back for review. */
    public static final Duration MAX_TERM = Duration.ofDays(366);
    public static final String CONDITION = "exception";

    record BaselineMeta(int version, String setBy, Instant setAt, String reason, int grants) {
    }

    record BaselineGrant(String policy, String ruleId, String path, Set<Capability> capabilities) {
    }

    record ExceptionRec(String id, String policy, String ruleId, String owner, String reason, Instant expiresAt,
                        boolean extraLogging, PolicyConditions.TimeWindow hours, boolean approvalOnUse,
                        String createdBy, Instant createdAt, Instant revokedAt, String revokedBy, String revokeReason,
                        long uses, Instant lastUsed) {
        String status(Instant now) {
            return revokedAt != null ? "revoked" : now.isBefore(expiresAt) ? "active" : "expired";
        }

        GrantException view(Instant now) {
            return new GrantException(id, policy, ruleId, owner, reason, expiresAt,
                    new Controls(extraLogging, hours, approvalOnUse), createdBy, createdAt, revokedAt, revokedBy,
                    revokeReason, uses, lastUsed, status(now));
        }

        ExceptionRec used(Instant at) {
            return new ExceptionRec(id, policy, ruleId, owner, reason, expiresAt, extraLogging, hours, approvalOnUse,
                    createdBy, createdAt, revokedAt, revokedBy, revokeReason, uses + 1, at);
        }
    }

    record Pointer(String id) {
    }

    record UseRec(Instant at, String identity, String operation, String resource) {
    }

    private final Barrier barrier;
    private final DestroyableKey indexKey;

    public GrantExceptions(Barrier barrier, DestroyableKey indexKey) {
        this.barrier = barrier;
        this.indexKey = indexKey;
    }

    private String grantKey(String prefix, String policy, String ruleId) {
        return prefix + Hmac.id(indexKey, "governance.grant", policy + "#" + ruleId);
    }

    private <T> T get(StorageTx tx, String key, Class<T> type) {
        return Records.get(tx, barrier, KIND, key, type);
    }

    private void put(StorageTx tx, String key, Object value) {
        Records.put(tx, barrier, KIND, key, value);
    }

    // ------------------------------------------------------------ baseline

    public BaselineInfo setBaseline(StorageTx tx, List<Policy> policies, String by, String reason, Instant now) {
        BaselineMeta prev = get(tx, BASELINE, BaselineMeta.class);
        tx.deletePrefix(BASELINE_GRANT);
        int grants = 0;
        for (Policy p : policies) {
            for (PolicyRule r : p.rules()) {
                if (!r.deny()) {
                    put(tx, grantKey(BASELINE_GRANT, p.name(), r.id()),
                            new BaselineGrant(p.name(), r.id(), r.path(), r.capabilities()));
                    grants++;
                }
            }
        }
        BaselineMeta m = new BaselineMeta(prev == null ? 1 : prev.version() + 1, by, now, reason, grants);
        put(tx, BASELINE, m);
        return info(m);
    }

    public BaselineInfo baseline(StorageTx tx) {
        BaselineMeta m = get(tx, BASELINE, BaselineMeta.class);
        return m == null ? null : info(m);
    }

    private static BaselineInfo info(BaselineMeta m) {
        return new BaselineInfo(m.version(), m.setBy(), m.setAt(), m.reason(), m.grants());
    }

    /** Whether a live grant is outside the recorded baseline (never, while none is recorded). */
    boolean outside(StorageTx tx, String policy, PolicyRule rule) {
        if (tx.get(BASELINE) == null || BuiltInPolicies.isBuiltIn(policy) || BuiltInPolicies.isSystem(policy)) {
            return false;
        }
        BaselineGrant g = get(tx, grantKey(BASELINE_GRANT, policy, rule.id()), BaselineGrant.class);
        return g == null || !Patterns.covers(g.path(), rule.path()) || !g.capabilities().containsAll(rule.capabilities());
    }

    /** Every live grant outside the baseline, with its exception's state. */
    public List<OutsideGrant> outsideBaseline(StorageTx tx, PolicyStore store, Instant now) {
        List<OutsideGrant> out = new ArrayList<>();
        for (PolicyStore.PolicyRecord p : store.list(tx)) {
            for (PolicyRule r : p.policy().rules()) {
                if (!r.deny() && outside(tx, p.name(), r)) {
                    ExceptionRec e = latest(tx, p.name(), r.id());
                    String status = e == null ? "none" : e.status(now).equals("active") ? "excepted" : e.status(now);
                    out.add(new OutsideGrant(p.name(), p.version(), r.id(), r.path(), r.capabilities(),
                            e == null ? null : e.id(), status));
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------ exceptions

    private ExceptionRec latest(StorageTx tx, String policy, String ruleId) {
        Pointer ptr = get(tx, grantKey(BY_GRANT, policy, ruleId), Pointer.class);
        return ptr == null ? null : get(tx, EXCEPTION + ptr.id(), ExceptionRec.class);
    }

    public GrantException add(StorageTx tx, PolicyStore store, ExceptionSpec s, String id, String by, Instant now) {
        if (BuiltInPolicies.isBuiltIn(s.policy()) || BuiltInPolicies.isSystem(s.policy())) {
            throw new InvalidRequestException("Built-in policies need no exceptions.");
        }
        PolicyStore.PolicyRecord p = store.current(tx, s.policy());
        if (p == null || p.policy().rules().stream().noneMatch(r -> !r.deny() && r.id().equals(s.ruleId()))) {
            throw new NotFoundException("Policy '" + s.policy() + "' has no grant with the rule id '" + s.ruleId()
                    + "'.");
        }
        if (!s.expiresAt().isAfter(now)) {
            throw new InvalidRequestException("An exception's expiry must lie in the future.");
        }
        if (s.expiresAt().isAfter(now.plus(MAX_TERM))) {
            throw new InvalidRequestException("An exception runs at most " + MAX_TERM.toDays()
                    + " days: record a new one when it comes up for review.");
        }
        Controls c = s.controls();
        ExceptionRec e = new ExceptionRec(id, s.policy(), s.ruleId(), s.owner().trim(), s.reason().trim(),
                s.expiresAt(), c.extraLogging(), c.hours(), c.approvalOnUse(), by, now, null, null, null, 0, null);
        put(tx, EXCEPTION + id, e);
        put(tx, grantKey(BY_GRANT, s.policy(), s.ruleId()), new Pointer(id));
        return e.view(now);
    }

    public List<GrantException> list(StorageTx tx, Instant now) {
        List<GrantException> out = new ArrayList<>();
        for (StorageTx.Entry en : tx.scan(EXCEPTION, null, Integer.MAX_VALUE)) {
            out.add(Records.decode(barrier.open(Barrier.Binding.of(KIND, en.key()), en.value()), ExceptionRec.class)
                    .view(now));
        }
        out.sort(Comparator.comparing(GrantException::createdAt).reversed());
        return out;
    }

    private ExceptionRec require(StorageTx tx, String id) {
        ExceptionRec e = id == null || !id.matches("[A-Za-z0-9_-]{1,64}") ? null
                : get(tx, EXCEPTION + id, ExceptionRec.class);
        if (e == null) {
            throw new NotFoundException("There is no exception with the id " + id + ".");
        }
        return e;
    }

    public GrantException revoke(StorageTx tx, String id, String by, String reason, Instant now) {
        ExceptionRec e = require(tx, id);
        if (e.revokedAt() != null) {
            throw new InvalidRequestException("The exception " + id + " was revoked already.");
        }
        ExceptionRec r = new ExceptionRec(e.id(), e.policy(), e.ruleId(), e.owner(), e.reason(), e.expiresAt(),
                e.extraLogging(), e.hours(), e.approvalOnUse(), e.createdBy(), e.createdAt(), now, by, reason, e.uses(),
                e.lastUsed());
        put(tx, EXCEPTION + id, r);
        return r.view(now);
    }

    public List<ExceptionUse> uses(StorageTx tx, String id) {
        require(tx, id);
        List<ExceptionUse> out = new ArrayList<>();
        for (StorageTx.Entry en : tx.scan(USES + id + "/", null, Integer.MAX_VALUE)) {
            UseRec u = Records.decode(barrier.open(Barrier.Binding.of(KIND, en.key()), en.value()), UseRec.class);
            out.add(new ExceptionUse(u.at(), u.identity(), u.operation(), u.resource()));
        }
        java.util.Collections.reverse(out);
        return out;
    }

    // ------------------------------------------------------------ enforcement

    /**
     * Why an allowed outcome does not stand.
     *
     * @param reason   a sentence
     * @param approval the refusal is the exception's approval on use: the call goes through once it
     *                 presents an approval grant for itself (the approvals service counts it)
     */
    public record Refusal(String reason, boolean approval) {
    }

    /**
     * Why an allowed outcome does not stand, or null when it does: the deciding grant is outside the
     * baseline without an active exception, or its active exception's hours or approval on use do
     * not hold for this call. {@code approvals} are the valid approvals of the grant the call
     * presents for this operation and resource (see the approvals service).
     */
    public Refusal refusal(StorageTx tx, PolicyStore store, Evaluator.Outcome o, Instant now, int approvals) {
        if (!o.allowed() || o.policy() == null || BuiltInPolicies.isBuiltIn(o.policy())
                || BuiltInPolicies.isSystem(o.policy())) {
            return null;
        }
        boolean baselineOn = tx.get(BASELINE) != null;
        ExceptionRec e = latest(tx, o.policy(), o.ruleId());
        if (e == null && !baselineOn) {
            return null;
        }
        if (e != null && e.status(now).equals("active")) {
            if (e.hours() != null && !Evaluator.inWindow(e.hours(), now)) {
                return new Refusal("the grant's exception " + e.id() + " allows it only in its hours", false);
            }
            if (e.approvalOnUse() && approvals < 1) {
                return new Refusal("the grant's exception " + e.id() + " needs an approval for each use", true);
            }
            return null;
        }
        if (!baselineOn) {
            return null;
        }
        PolicyStore.PolicyRecord p = store.current(tx, o.policy());
        PolicyRule rule = p == null ? null : p.policy().rules().stream().filter(r -> r.id().equals(o.ruleId()))
                .findFirst().orElse(null);
        if (rule == null || !outside(tx, o.policy(), rule)) {
            return null;
        }
        return new Refusal(e == null ? "the grant is outside the baseline and has no exception"
                : "the grant is outside the baseline and its exception " + e.id() + " has " + e.status(now), false);
    }

    /** Records the uses of grants whose active exception asks for extra logging. */
    public void recordUses(StorageTx tx, List<Authorizer.Use> uses) {
        for (Authorizer.Use u : uses) {
            String rule = u.decision().rule();
            if (rule == null || !rule.startsWith("policy:")) {
                continue;
            }
            int at = rule.indexOf('@');
            int hash = rule.indexOf('#', at);
            if (at < 0 || hash < 0) {
                continue;
            }
            String policy = rule.substring("policy:".length(), at);
            if (BuiltInPolicies.isBuiltIn(policy) || BuiltInPolicies.isSystem(policy)) {
                continue;
            }
            ExceptionRec e = latest(tx, policy, rule.substring(hash + 1));
            if (e == null || !e.extraLogging() || !e.status(u.now()).equals("active")) {
                continue;
            }
            ExceptionRec next = e.used(u.now());
            put(tx, EXCEPTION + e.id(), next);
            put(tx, useKey(e.id(), next.uses()), new UseRec(u.now(), u.principal() == null ? null
                    : u.principal().name(), u.operation().id(), u.resource()));
            if (next.uses() > MAX_USES) {
                tx.delete(useKey(e.id(), next.uses() - MAX_USES));
            }
        }
    }

    private static String useKey(String id, long n) {
        String digits = Long.toString(n);
        return USES + id + "/" + "0".repeat(Math.max(0, 19 - digits.length())) + digits;
    }
}
