package dev.keyward.vault.policy;

import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.GovernanceService.BoundaryGap;
import dev.keyward.vault.api.GovernanceService.BoundaryReport;
import dev.keyward.vault.api.GovernanceService.Need;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.storage.StorageTx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * An automation's declared privilege boundary against its grants, capability by capability. A
 * grant is inside the boundary when one declared need with that capability covers its whole
 * pattern ({@link Patterns#covers}); a need is met when one live grant covers it and no deny rule
 * of the identity's policies covers it (a deny carving a part out of a declared pattern, such as
 * {@code secret/app/admin*} out of {@code secret/app/*}, is the policy's shape and is not reported:
 * needs cannot say "except"). Conditions on grants (source, hours, approvals) do
 * not change the comparison: a conditional grant is still a grant. Expired grants grant nothing
 * and are left out.
 */
public final class Boundary {
    private Boundary() {
    }

    private record Rule(String policy, int version, PolicyRule rule) {
    }

    public static BoundaryReport compare(PolicyStore store, StorageTx tx, String identity, List<String> policyNames,
                                         List<Need> needs, Instant now) {
        List<Rule> grants = new ArrayList<>();
        List<Rule> denies = new ArrayList<>();
        for (String name : new TreeSet<>(policyNames)) {
            PolicyStore.PolicyRecord p = store.current(tx, name);
            if (p == null || p.policy() == null) {
                continue;
            }
            for (PolicyRule r : p.policy().rules()) {
                if (r.deny()) {
                    denies.add(new Rule(p.name(), p.version(), r));
                } else if (r.expiresAt() == null || now.isBefore(r.expiresAt())) {
                    grants.add(new Rule(p.name(), p.version(), r));
                }
            }
        }
        List<BoundaryGap> extra = new ArrayList<>();
        for (Rule g : grants) {
            for (Capability c : new TreeSet<>(g.rule().capabilities())) {
                boolean declared = needs.stream().anyMatch(n -> n.capabilities().contains(c)
                        && Patterns.covers(n.path(), g.rule().path()));
                if (!declared) {
                    extra.add(new BoundaryGap(g.rule().path(), c, g.policy(), g.version(), g.rule().id(),
                            "granted by " + ref(g) + " but not declared"));
                }
            }
        }
        List<BoundaryGap> missing = new ArrayList<>();
        for (Need n : needs) {
            for (Capability c : new TreeSet<>(n.capabilities())) {
                Rule deny = denies.stream().filter(d -> d.rule().capabilities().contains(c)
                        && Patterns.covers(d.rule().path(), n.path())).findFirst().orElse(null);
                if (deny != null) {
                    missing.add(new BoundaryGap(n.path(), c, deny.policy(), deny.version(), deny.rule().id(),
                            "denied by " + ref(deny)));
                    continue;
                }
                Rule grant = grants.stream().filter(g -> g.rule().capabilities().contains(c)
                        && Patterns.covers(g.rule().path(), n.path())).findFirst().orElse(null);
                if (grant == null) {
                    missing.add(new BoundaryGap(n.path(), c, null, 0, null, "declared, but no live grant covers it"));
                }
            }
        }
        return new BoundaryReport(identity, new ArrayList<>(new TreeSet<>(policyNames)), extra, missing);
    }

    private static String ref(Rule r) {
        return r.policy() + "@v" + r.version() + "#" + r.rule().id();
    }
}
