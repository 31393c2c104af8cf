package dev.keyward.vault.policy;

import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.PolicyService.EntitlementReport;
import dev.keyward.vault.api.PolicyService.Grant;
import dev.keyward.vault.api.PolicyService.Narrowing;
import dev.keyward.vault.storage.StorageTx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The least-privilege report over the custom policies (built-in role policies are fixed and left
 * out): unused grants, expired and soon-expiring grants, grants broader than their recorded use,
 * grants missing owner/justification/expiry.
 */
public final class Entitlements {
    private Entitlements() {
    }

    public static EntitlementReport report(PolicyStore store, StorageTx tx, Instant now, Duration unusedFor,
                                           Duration expiringWithin) {
        List<Grant> unused = new ArrayList<>();
        List<Grant> expired = new ArrayList<>();
        List<Grant> soon = new ArrayList<>();
        List<Narrowing> broader = new ArrayList<>();
        List<Grant> missing = new ArrayList<>();
        Instant unusedSince = now.minus(unusedFor);
        for (PolicyStore.PolicyRecord p : store.list(tx)) {
            for (PolicyRule r : p.policy().rules()) {
                if (r.deny()) {
                    continue;
                }
                PolicyStore.UsageRecord u = store.usage(tx, p.name(), r.id());
                Grant g = new Grant(p.name(), p.version(), r.id(), r.path(), r.capabilities(), r.owner(),
                        r.justification(), r.expiresAt(), u == null ? null : u.lastUsed());
                if (!r.missingGrantFields().isEmpty()) {
                    missing.add(g);
                }
                if (r.expiresAt() != null && !now.isBefore(r.expiresAt())) {
                    expired.add(g);
                } else if (r.expiresAt() != null && !r.expiresAt().isAfter(now.plus(expiringWithin))) {
                    soon.add(g);
                }
                if (u == null || u.lastUsed().isBefore(unusedSince)) {
                    Instant from = grantedSince(store, tx, p.name(), r.id());
                    if (!from.isAfter(unusedSince)) {
                        unused.add(g);
                    }
                }
                if (u != null) {
                    String suggestion = narrower(r.path(), u.commonPrefix());
                    if (suggestion != null) {
                        broader.add(new Narrowing(g, suggestion, u.paths()));
                    }
                }
            }
        }
        return new EntitlementReport(now, unusedFor, expiringWithin, unused, expired, soon, broader, missing);
    }

    /** When the rule first appeared in the policy's current run of versions containing it. */
    private static Instant grantedSince(PolicyStore store, StorageTx tx, String policy, String ruleId) {
        List<PolicyStore.PolicyRecord> h = store.history(tx, policy);
        Instant since = null;
        for (PolicyStore.PolicyRecord v : h) {
            boolean has = v.policy() != null && v.policy().rules().stream().anyMatch(x -> x.id().equals(ruleId));
            if (has && since == null) {
                since = v.changedAt();
            } else if (!has) {
                since = null;
            }
        }
        return since == null ? Instant.EPOCH : since;
    }

    /**
     * A narrower pattern covering every recorded use, or null when the grant is not broader than
     * its use. {@code commonPrefix} is the longest common run of whole segments of the used paths
     * (ending in '/'), or the one path when all uses were of the same path.
     */
    static String narrower(String pattern, String commonPrefix) {
        if (commonPrefix == null || !(pattern.contains("*") || pattern.contains("+"))) {
            return null;
        }
        String suggestion = commonPrefix.endsWith("/") ? commonPrefix + "*" : commonPrefix;
        if (commonPrefix.isEmpty() || suggestion.equals(pattern) || suggestion.equals("*")) {
            return null;
        }
        if (!RuleIndex.matches(pattern, commonPrefix.endsWith("/") ? commonPrefix + "x" : commonPrefix)) {
            return null;
        }
        return Evaluator.specificity(suggestion) > Evaluator.specificity(pattern) ? suggestion : null;
    }
}
