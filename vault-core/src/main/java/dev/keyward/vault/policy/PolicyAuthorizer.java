package dev.keyward.vault.policy;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Decision;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.storage.StorageTx;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The engine's authorizer: operators' roles map onto policies (built-in roles onto the built-in
 * policies), machine identities carry policies on their tokens; the {@link Evaluator} decides.
 * Until the engine attaches its keys (while sealed) every request is denied.
 */
public final class PolicyAuthorizer implements Authorizer {

    /** What the authorizer needs from the unsealed engine. */
    public interface Source {
        PolicyStore store();

        /** The max lifetime of the token presented, or null when unknown. */
        Duration tokenMaxTtl(StorageTx tx, String token);

        /** Approvals verified for a call (0 until the approval flow exists). */
        default int approvals(Caller caller, StorageTx tx) {
            return 0;
        }

        /** Approvals verified for this call of {@code op} on {@code resource} (the grant it presents). */
        default int approvals(Caller caller, Principal principal, Operation op, String resource, Instant now,
                              StorageTx tx) {
            return approvals(caller, tx);
        }

        /** Policies a principal holds for now through just-in-time elevations (none by default). */
        default List<String> elevated(StorageTx tx, Principal principal, Instant now) {
            return List.of();
        }

        /**
         * Why an allowed outcome does not stand after all, or null: the baseline and the deciding
         * grant's exception ({@link GrantExceptions#refusal}).
         */
        default GrantExceptions.Refusal grantRefusal(StorageTx tx, Evaluator.Outcome allowed, Instant now,
                                                      int approvals) {
            return null;
        }

        /** The identity's risk score (0 to 100) that containment raised; rules test it with max_risk. */
        default int risk(Principal principal) {
            return 0;
        }

        /** Allowed uses, once recorded as grant usage (exceptions with extra logging record them too). */
        default void grantsUsed(List<Use> uses, StorageTx tx) {
        }
    }

    private volatile Supplier<Source> source;

    public void attach(Supplier<Source> s) {
        this.source = s;
    }

    @Override
    public Decision authorize(Principal principal, Operation operation, String resource, Caller caller, Instant now,
                              StorageTx tx) {
        if (Access.isSelf(operation, resource)) {
            return Decision.allow("self");
        }
        Supplier<Source> s = source;
        if (s == null) {
            return Decision.deny("default-deny", "no policies are loaded");
        }
        Source src = s.get();
        if (principal.kind() == Principal.Kind.SYSTEM) {
            return authorizeSystem(principal, operation, resource, caller, now);
        }
        List<String> policies = policiesOf(src, principal, tx);
        List<String> elevated = src.elevated(tx, principal, now);
        if (!elevated.isEmpty()) {
            policies = new java.util.ArrayList<>(policies);
            policies.addAll(elevated);
        }
        Evaluator.Outcome o = evaluate(src, tx, policies, Access.need(operation, resource), caller.sourceAddress(),
                now, caller.justification(), src.approvals(caller, principal, operation, resource, now, tx),
                () -> src.tokenMaxTtl(tx, caller.token()), () -> src.risk(principal));
        return o.allowed() ? Decision.allow(o.ruleRef()) : Decision.deny(o.ruleRef(), o.reason());
    }

    /**
     * A background job of the vault: only its own built-in policy, compiled directly (never looked
     * up by name in the store, so no stored policy or binding can widen or narrow it).
     */
    private static Decision authorizeSystem(Principal principal, Operation operation, String resource, Caller caller,
                                            Instant now) {
        List<Evaluator.Versioned> own = new java.util.ArrayList<>();
        for (String name : principal.roles()) {
            dev.keyward.vault.api.Policy p = BuiltInPolicies.system(name);
            if (p != null) {
                own.add(new Evaluator.Versioned(p, 1));
            }
        }
        Access.Need need = Access.need(operation, resource);
        Evaluator.Outcome o = Evaluator.evaluate(new Evaluator.Compiled(own), new Evaluator.Request(need.path(),
                need.anyOf(), caller.sourceAddress(), now, caller.justification(), 0, () -> null));
        return o.allowed() ? Decision.allow(o.ruleRef()) : Decision.deny(o.ruleRef(), o.reason());
    }

    /** The policies in force for a principal (none by name for a background job: see authorizeSystem). */
    public static List<String> policiesOf(Source src, Principal p, StorageTx tx) {
        return switch (p.kind()) {
            case OPERATOR -> src.store().policiesOfRoles(tx, p.roles());
            case MACHINE -> p.roles();
            case SYSTEM -> List.of();
        };
    }

    /** The evaluation shared by enforcement and explain. */
    public static Evaluator.Outcome evaluate(Source src, StorageTx tx, List<String> policies, Operation op,
                                             String resource, String sourceAddress, Instant now, String justification,
                                             int approvals, Supplier<Duration> tokenMaxTtl) {
        return evaluate(src, tx, policies, Access.need(op, resource), sourceAddress, now, justification, approvals,
                tokenMaxTtl);
    }

    /** The same, for a capability requirement stated directly. */
    public static Evaluator.Outcome evaluate(Source src, StorageTx tx, List<String> policies, Access.Need need,
                                             String sourceAddress, Instant now, String justification, int approvals,
                                             Supplier<Duration> tokenMaxTtl) {
        return evaluate(src, tx, policies, need, sourceAddress, now, justification, approvals, tokenMaxTtl, null);
    }

    /** The same, with the identity's risk score (null = 0). */
    public static Evaluator.Outcome evaluate(Source src, StorageTx tx, List<String> policies, Access.Need need,
                                             String sourceAddress, Instant now, String justification, int approvals,
                                             Supplier<Duration> tokenMaxTtl, java.util.function.IntSupplier risk) {
        Evaluator.Compiled set = src.store().compiled(tx, policies);
        Evaluator.Outcome o = Evaluator.evaluate(set, new Evaluator.Request(need.path(), need.anyOf(), sourceAddress,
                now, justification, approvals, tokenMaxTtl, risk));
        GrantExceptions.Refusal refused = o.allowed() ? src.grantRefusal(tx, o, now, approvals) : null;
        if (refused == null) {
            return o;
        }
        if (refused.approval()) {
            // the approvals condition the exception adds: unmet like a rule's approvals_required, so the
            // call is refused as one that needs an approval (ApprovalRequiredException), and a request for
            // it counts this grant's approvals
            return new Evaluator.Outcome(false, null, 0, null, Evaluator.APPROVALS, refused.reason(),
                    Evaluator.ref(o.policy(), o.version(), o.ruleId()));
        }
        return new Evaluator.Outcome(false, o.policy(), o.version(), o.ruleId(), GrantExceptions.CONDITION,
                refused.reason(), null);
    }

    @Override
    public void used(List<Use> uses, StorageTx tx) {
        Supplier<Source> s = source;
        if (s == null) {
            return;
        }
        // One stored update per grant however many of the uses went through it.
        Map<String, PolicyStore.Uses> byGrant = new LinkedHashMap<>();
        for (Use u : uses) {
            String rule = u.decision().rule();
            if (!rule.startsWith("policy:")) {
                continue;
            }
            int at = rule.indexOf('@');
            int hash = rule.indexOf('#', at);
            if (at < 0 || hash < 0) {
                continue;
            }
            String policy = rule.substring("policy:".length(), at);
            if (BuiltInPolicies.isBuiltIn(policy) || BuiltInPolicies.isSystem(policy)) {
                continue; // fixed role policies are not in the entitlement report: no write per call for them
            }
            String ruleId = rule.substring(hash + 1);
            byGrant.computeIfAbsent(policy + '\n' + ruleId, k -> new PolicyStore.Uses(policy, ruleId))
                    .add(Access.need(u.operation(), u.resource()).path(), u.now());
        }
        if (!byGrant.isEmpty()) {
            PolicyStore store = s.get().store();
            byGrant.values().forEach(g -> store.recordUses(tx, g));
            s.get().grantsUsed(uses, tx);
        }
    }
}
