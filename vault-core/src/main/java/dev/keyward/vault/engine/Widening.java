package dev.keyward.vault.engine;

import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyRule;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Whether a change widens what an identity may do, for the audit entry's {@code widens} detail
 * (the privilege-escalation detector reads it): names or grants the new state has that the old
 * one had not.
 */
final class Widening {
    private Widening() {
    }

    /** How many names of {@code after} are not in {@code before} (null = nothing before). */
    static int added(List<String> before, List<String> after) {
        Set<String> had = before == null ? Set.of() : new HashSet<>(before);
        int n = 0;
        for (String a : after) {
            if (!had.contains(a)) {
                n++;
            }
        }
        return n;
    }

    /** How many (path, capability) grants {@code after} has that {@code before} had not. */
    static int grantsAdded(Policy before, Policy after) {
        Set<String> had = grants(before);
        int n = 0;
        for (String g : grants(after)) {
            if (!had.contains(g)) {
                n++;
            }
        }
        return n;
    }

    private static Set<String> grants(Policy p) {
        Set<String> out = new HashSet<>();
        if (p == null) {
            return out;
        }
        for (PolicyRule r : p.rules()) {
            if (r.deny()) {
                continue;
            }
            for (Capability c : r.capabilities()) {
                out.add(r.path() + '\n' + c.id() + '\n' + (r.conditions().isNone() ? "" : "conditional"));
            }
        }
        return out;
    }
}
