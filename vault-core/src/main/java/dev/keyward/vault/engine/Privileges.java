package dev.keyward.vault.engine;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.policy.Access;
import dev.keyward.vault.policy.BuiltInPolicies;
import dev.keyward.vault.policy.PolicyAuthorizer;
import dev.keyward.vault.policy.PolicyStore;
import dev.keyward.vault.storage.StorageTx;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;

/**
 * No escalation: writing a grant that reaches under {@code sys/}, or binding a built-in policy or
 * such a grant to a role or machine identity, needs {@code admin} on {@link Access#PRIVILEGED}
 * (which only the admin role holds by default). Otherwise a security engineer could write a
 * policy granting audit administration and log in with a machine identity bound to it.
 */
final class Privileges {
    private final PolicyAuthorizer.Source source;

    Privileges(PolicyAuthorizer.Source source) {
        this.source = source;
    }

    static boolean privileged(Policy p) {
        if (BuiltInPolicies.isBuiltIn(p.name())) {
            return true;
        }
        for (PolicyRule r : p.rules()) {
            if (!r.deny() && Access.reachesSys(r.path())) {
                return true;
            }
        }
        return false;
    }

    boolean holds(Principal p, Caller caller, StorageTx tx, Instant now) {
        return PolicyAuthorizer.evaluate(source, tx, PolicyAuthorizer.policiesOf(source, p, tx),
                new Access.Need(Set.of(Capability.ADMIN), Access.PRIVILEGED), caller.sourceAddress(), now,
                caller.justification(), source.approvals(caller, tx), () -> source.tokenMaxTtl(tx, caller.token()))
                .allowed();
    }

    void requireForPolicy(Unsealed k, Principal p, Caller caller, StorageTx tx, Instant now, Policy policy) {
        if (privileged(policy) && !holds(p, caller, tx, now)) {
            throw new AccessDeniedException("permission denied: policy '" + policy.name() + "' grants under sys/,"
                    + " which needs admin on " + Access.PRIVILEGED + ".");
        }
    }

    void requireForPolicies(Unsealed k, Principal p, Caller caller, StorageTx tx, Instant now,
                            Collection<String> policies) {
        PolicyStore store = k.policies();
        for (String name : policies) {
            PolicyStore.PolicyRecord r = store.current(tx, name);
            if (r != null && privileged(r.policy()) && !holds(p, caller, tx, now)) {
                throw new AccessDeniedException("permission denied: binding policy '" + name + "' needs admin on "
                        + Access.PRIVILEGED + ".");
            }
        }
    }
}
