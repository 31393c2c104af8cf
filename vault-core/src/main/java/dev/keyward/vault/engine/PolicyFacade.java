package dev.keyward.vault.engine;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.IdentityService.AppRoleSpec;
import dev.keyward.vault.api.IdentityService.CertIdentitySpec;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Names;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyService;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.api.SecretPaths;
import dev.keyward.vault.identity.Identities;
import dev.keyward.vault.identity.Machines;
import dev.keyward.vault.identity.OperatorRecord;
import dev.keyward.vault.policy.Access;
import dev.keyward.vault.policy.BuiltInPolicies;
import dev.keyward.vault.policy.Entitlements;
import dev.keyward.vault.policy.Evaluator;
import dev.keyward.vault.policy.PolicyAuthorizer;
import dev.keyward.vault.policy.PolicyCode;
import dev.keyward.vault.policy.PolicyStore;
import dev.keyward.vault.storage.StorageTx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link PolicyService} through the guarded door. */
final class PolicyFacade implements PolicyService {
    private static final String POLICY = "sys/policy/";
    private static final String ROLE = "sys/role/";

    private final Door door;
    private final SecretsFacade.Guard guard;
    private final Privileges privileges;
    private final PolicyAuthorizer.Source source;

    private volatile ApprovalFacade gate;

    /** The approval gate every policy change asks (operation policy-apply on resource "policies"). */
    void useGate(ApprovalFacade g) {
        this.gate = g;
    }

    /** Asks the gate with the change as people read it (call under the state lock). */
    private void admitChange(Caller caller, String why, java.util.function.BiFunction<Unsealed, StorageTx, String> diff) {
        ApprovalFacade g = gate;
        if (g != null) {
            g.admitPolicyChange(caller, why, diff);
        }
    }

    private static String policyDiff(Unsealed k, StorageTx tx, String name, Policy next) {
        PolicyStore.PolicyRecord cur = k.policies().current(tx, name);
        try {
            return "policy " + name + "\n" + String.join("\n", PolicyCode.lineDiff(lines(cur == null ? null
                    : cur.policy()), lines(next)));
        } catch (IllegalArgumentException notRenderable) {
            return "policy " + name + "\n" + next; // invalid: the write refuses it after the gate
        }
    }

    PolicyFacade(Door door, SecretsFacade.Guard guard, Privileges privileges, PolicyAuthorizer.Source source) {
        this.door = door;
        this.guard = guard;
        this.privileges = privileges;
        this.source = source;
    }

    private static PolicyInfo info(PolicyStore.PolicyRecord r) {
        return new PolicyInfo(r.name(), r.version(), r.policy(), r.author(), r.reason(), r.changedAt(),
                BuiltInPolicies.isBuiltIn(r.name()));
    }

    private static String reason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new InvalidRequestException("Every policy change needs a reason.");
        }
        if (reason.length() > 1024) {
            throw new InvalidRequestException("A reason is at most 1024 characters.");
        }
        return reason.trim();
    }

    @Override
    public PolicyInfo put(Caller caller, Policy policy, String reason) {
        String why = reason(reason);
        String[] widens = {"false"};
        return guard.run(() -> {
            admitChange(caller, why, (k, tx) -> policyDiff(k, tx, policy.name(), policy));
            return door.write(caller, Operation.POLICY_WRITE, POLICY + policy.name(), (k, p, tx, now) -> {
                privileges.requireForPolicy(k, p, caller, tx, now, policy);
                PolicyStore.PolicyRecord before = k.policies().current(tx, policy.name());
                // a new policy widens nobody until it is bound to a role or an identity
                widens[0] = Boolean.toString(before != null && Widening.grantsAdded(before.policy(), policy) > 0);
                return info(k.policies().put(tx, policy, p.name(), why, now));
            }, r -> Map.of("widens", widens[0]));
        });
    }

    @Override
    public PolicyInfo read(Caller caller, String name) {
        Names.validate("policy", name);
        return guard.run(() -> door.read(caller, Operation.POLICY_READ, POLICY + name, (k, p, tx, now) -> {
            PolicyStore.PolicyRecord r = k.policies().current(tx, name);
            if (r == null) {
                throw new NotFoundException("There is no policy named " + name + ".");
            }
            return info(r);
        }));
    }

    @Override
    public PolicyInfo readVersion(Caller caller, String name, int version) {
        Names.validate("policy", name);
        return guard.run(() -> door.read(caller, Operation.POLICY_READ, POLICY + name,
                (k, p, tx, now) -> info(k.policies().version(tx, name, version))));
    }

    @Override
    public List<PolicyInfo> list(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.POLICY_READ, POLICY, (k, p, tx, now) -> {
            List<PolicyInfo> out = new ArrayList<>();
            for (String b : BuiltInPolicies.names()) {
                out.add(info(k.policies().current(tx, b)));
            }
            k.policies().list(tx).forEach(r -> out.add(info(r)));
            out.sort(java.util.Comparator.comparing(PolicyInfo::name));
            return out;
        }));
    }

    @Override
    public void delete(Caller caller, String name, String reason) {
        Names.validate("policy", name);
        String why = reason(reason);
        guard.run(() -> {
            admitChange(caller, why, (k, tx) -> policyDiff(k, tx, name, null));
            return null;
        });
        guard.run(() -> door.write(caller, Operation.POLICY_WRITE, POLICY + name, (k, p, tx, now) -> {
            PolicyStore.PolicyRecord cur = k.policies().current(tx, name);
            if (cur != null) {
                privileges.requireForPolicy(k, p, caller, tx, now, cur.policy());
            }
            return k.policies().delete(tx, name, p.name(), why, now);
        }));
    }

    @Override
    public List<PolicyInfo> history(Caller caller, String name) {
        Names.validate("policy", name);
        return guard.run(() -> door.read(caller, Operation.POLICY_READ, POLICY + name,
                (k, p, tx, now) -> k.policies().history(tx, name).stream().map(PolicyFacade::info).toList()));
    }

    private static List<String> lines(Policy p) {
        return p == null ? List.of() : PolicyCode.render(new PolicyCode.State(List.of(p), null, null, null, null));
    }

    @Override
    public PolicyDiff diff(Caller caller, String name, int fromVersion, int toVersion) {
        Names.validate("policy", name);
        return guard.run(() -> door.read(caller, Operation.POLICY_READ, POLICY + name, (k, p, tx, now) -> {
            Policy a = k.policies().version(tx, name, fromVersion).policy();
            Policy b = k.policies().version(tx, name, toVersion).policy();
            return new PolicyDiff(name, fromVersion, toVersion, PolicyCode.lineDiff(lines(a), lines(b)));
        }));
    }

    @Override
    public PolicyInfo rollback(Caller caller, String name, int version, String reason) {
        Names.validate("policy", name);
        String why = reason(reason);
        guard.run(() -> {
            admitChange(caller, why, (k, tx) -> policyDiff(k, tx, name, k.policies().version(tx, name, version).policy()));
            return null;
        });
        return guard.run(() -> door.write(caller, Operation.POLICY_WRITE, POLICY + name, (k, p, tx, now) -> {
            Policy old = k.policies().version(tx, name, version).policy();
            if (old == null) {
                throw new InvalidRequestException("Version " + version + " of " + name + " is a deletion; roll back"
                        + " to a version with content.");
            }
            privileges.requireForPolicy(k, p, caller, tx, now, old);
            return info(k.policies().put(tx, old, p.name(), "rollback to v" + version + ": " + why, now));
        }));
    }

    @Override
    public RoleInfo putRole(Caller caller, String name, List<String> policies, String description, String reason) {
        Names.validate("role", name);
        String why = reason(reason);
        String[] widens = {"false"};
        return guard.run(() -> door.write(caller, Operation.ROLE_WRITE, ROLE + name, (k, p, tx, now) -> {
            privileges.requireForPolicies(k, p, caller, tx, now, policies);
            PolicyStore.RoleRecord before = k.policies().role(tx, name);
            widens[0] = Boolean.toString(before != null && Widening.added(before.policies(), policies) > 0);
            PolicyStore.RoleRecord r = k.policies().putRole(tx, name, policies, description, p.name(), why, now);
            return new RoleInfo(r.name(), r.policies(), r.description(), false);
        }, r -> Map.of("widens", widens[0])));
    }

    @Override
    public List<RoleInfo> listRoles(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.ROLE_READ, ROLE, (k, p, tx, now) ->
                k.policies().listRoles(tx).stream().map(r -> new RoleInfo(r.name(), r.policies(), r.description(),
                        BuiltInPolicies.isBuiltIn(r.name()))).toList()));
    }

    @Override
    public void deleteRole(Caller caller, String name, String reason) {
        Names.validate("role", name);
        reason(reason);
        guard.run(() -> door.write(caller, Operation.ROLE_WRITE, ROLE + name, (k, p, tx, now) -> {
            k.policies().deleteRole(tx, name);
            return null;
        }));
    }

    // ------------------------------------------------------------ explain

    @Override
    public Explanation explain(Caller caller, ExplainRequest request) {
        return guard.run(() -> door.read(caller, Operation.POLICY_EXPLAIN, "sys/policy-explain",
                (k, p, tx, now) -> explain(k, tx, request, now)));
    }

    /** The policies and usual token lifetime of an identity named in an explain request. */
    record Subject(List<String> policies, Duration tokenMaxTtl) {
    }

    static Subject subject(Unsealed k, StorageTx tx, IdentityRef ref) {
        switch (ref.type()) {
            case OPERATOR -> {
                OperatorRecord r = k.identities().operator(tx, ref.name());
                if (r == null) {
                    throw new NotFoundException("There is no operator named " + ref.name() + ".");
                }
                return new Subject(k.policies().policiesOfRoles(tx, r.roles()), Identities.SESSION_TTL);
            }
            case APPROLE -> {
                Machines.AppRoleRecord r = k.machines().requireAppRole(tx, ref.name());
                return new Subject(r.spec().policies(), r.spec().tokenMaxTtl());
            }
            default -> {
                Machines.CertRecord r = k.machines().cert(tx, ref.name());
                if (r == null) {
                    throw new NotFoundException("There is no certificate identity named " + ref.name() + ".");
                }
                return new Subject(r.spec().policies(), r.spec().tokenMaxTtl());
            }
        }
    }

    /** The door's resource for an operation on a path, as the services name it. */
    static String resource(Operation op, String path) {
        if (op.id().startsWith("secret.") || op.id().startsWith("metadata.")) {
            String p = path == null ? "" : path.startsWith("secret/") ? path.substring("secret/".length()) : path;
            return "secret/" + SecretPaths.normalize(p);
        }
        return path;
    }

    private Explanation explain(Unsealed k, StorageTx tx, ExplainRequest req, Instant now) {
        Subject s = subject(k, tx, req.identity());
        ExplainContext c = req.context();
        String resource = resource(req.operation(), req.path());
        Access.Need need = Access.need(req.operation(), resource);
        if (Access.isSelf(req.operation(), resource)) {
            return new Explanation(true, "self", null, 0, null, null, "operations on one's own token need no policy",
                    "token/self", need.anyOf(), s.policies());
        }
        Duration ttl = c.tokenMaxTtl() != null ? c.tokenMaxTtl() : s.tokenMaxTtl();
        Evaluator.Outcome o = PolicyAuthorizer.evaluate(source, tx, s.policies(), req.operation(), resource,
                c.sourceAddress() == null ? Caller.LOCAL : c.sourceAddress(), c.at() == null ? now : c.at(),
                c.justification(), 0, () -> ttl);
        return new Explanation(o.allowed(), o.ruleRef(), o.policy(), o.version(), o.ruleId(), o.failedCondition(),
                o.reason(), need.path(), need.anyOf(), s.policies());
    }

    // ------------------------------------------------------------ policy as code

    private static PolicyCode.State live(Unsealed k, StorageTx tx) {
        List<Policy> policies = k.policies().list(tx).stream().map(PolicyStore.PolicyRecord::policy).toList();
        List<PolicyCode.Role> roles = k.policies().listRoles(tx).stream()
                .filter(r -> !BuiltInPolicies.isBuiltIn(r.name()))
                .map(r -> new PolicyCode.Role(r.name(), r.policies(), r.description())).toList();
        Map<String, List<String>> ops = new LinkedHashMap<>();
        for (OperatorRecord o : k.identities().operators(tx)) {
            ops.put(o.name(), o.roles().stream().sorted().toList());
        }
        List<AppRoleSpec> approles = k.machines().appRoles(tx).stream().map(Machines.AppRoleRecord::spec).toList();
        List<CertIdentitySpec> certs = k.machines().certs(tx).stream().map(Machines.CertRecord::spec).toList();
        return new PolicyCode.State(policies, roles, ops, approles, certs);
    }

    @Override
    public String exportYaml(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.POLICY_EXPORT, "sys/policy-export",
                (k, p, tx, now) -> PolicyCode.export(live(k, tx))));
    }

    @Override
    public ApplyResult apply(Caller caller, String yaml, boolean dryRun, String reason) {
        PolicyCode.State desired = PolicyCode.parse(yaml);
        if (dryRun) {
            return guard.run(() -> door.read(caller, Operation.POLICY_APPLY, "sys/policy-apply",
                    (k, p, tx, now) -> new ApplyResult(true, PolicyCode.diff(live(k, tx), desired))));
        }
        String why = reason(reason);
        guard.run(() -> {
            admitChange(caller, why, (k, tx) -> PolicyCode.changesText(PolicyCode.diff(live(k, tx), desired)));
            return null;
        });
        return guard.run(() -> door.write(caller, Operation.POLICY_APPLY, "sys/policy-apply", (k, p, tx, now) -> {
            List<Change> changes = PolicyCode.diff(live(k, tx), desired);
            for (Change c : changes) {
                applyOne(k, p, caller, tx, now, desired, c, why);
            }
            return new ApplyResult(false, changes);
        }));
    }

    private void applyOne(Unsealed k, Principal p, Caller caller, StorageTx tx, Instant now, PolicyCode.State d,
                          Change c, String why) {
        switch (c.kind()) {
            case "policy" -> {
                if (c.action() == Change.Action.REMOVE) {
                    privileges.requireForPolicy(k, p, caller, tx, now, k.policies().current(tx, c.name()).policy());
                    k.policies().delete(tx, c.name(), p.name(), why, now);
                } else {
                    Policy pol = d.policies().stream().filter(x -> x.name().equals(c.name())).findFirst().orElseThrow();
                    privileges.requireForPolicy(k, p, caller, tx, now, pol);
                    k.policies().put(tx, pol, p.name(), why, now);
                }
            }
            case "role" -> {
                if (c.action() == Change.Action.REMOVE) {
                    k.policies().deleteRole(tx, c.name());
                } else {
                    PolicyCode.Role r = d.roles().stream().filter(x -> x.name().equals(c.name())).findFirst()
                            .orElseThrow();
                    privileges.requireForPolicies(k, p, caller, tx, now, r.policies());
                    k.policies().putRole(tx, r.name(), r.policies(), r.description(), p.name(), why, now);
                }
            }
            case "operator" -> {
                OperatorRecord o = k.identities().operator(tx, c.name());
                if (o == null) {
                    throw new InvalidRequestException("The file binds roles to operator " + c.name()
                            + ", who does not exist: create operators first.");
                }
                if (!privileges.holds(p, caller, tx, now)) {
                    throw new AccessDeniedException("permission denied: changing an operator's roles needs admin.");
                }
                List<String> roles = d.operators().get(c.name());
                for (String r : roles) {
                    if (!k.policies().roleExists(tx, r)) {
                        throw new InvalidRequestException("Operator " + c.name() + " is bound to role " + r
                                + ", which does not exist.");
                    }
                }
                k.identities().saveOperator(tx, o.withRoles(roles));
            }
            case "approle" -> {
                if (c.action() == Change.Action.REMOVE) {
                    k.machines().deleteAppRole(tx, c.name());
                } else {
                    AppRoleSpec a = d.approles().stream().filter(x -> x.name().equals(c.name())).findFirst()
                            .orElseThrow();
                    privileges.requireForPolicies(k, p, caller, tx, now, a.policies());
                    k.machines().putAppRole(tx, a, now);
                }
            }
            default -> {
                if (c.action() == Change.Action.REMOVE) {
                    k.machines().deleteCert(tx, c.name());
                } else {
                    CertIdentitySpec s = d.certs().stream().filter(x -> x.name().equals(c.name())).findFirst()
                            .orElseThrow();
                    privileges.requireForPolicies(k, p, caller, tx, now, s.policies());
                    k.machines().putCert(tx, s, now);
                }
            }
        }
    }

    @Override
    public ApplyResult drift(Caller caller, String yaml) {
        PolicyCode.State desired = PolicyCode.parse(yaml);
        return guard.run(() -> door.read(caller, Operation.POLICY_EXPORT, "sys/policy-export",
                (k, p, tx, now) -> new ApplyResult(true, PolicyCode.diff(live(k, tx), desired))));
    }

    @Override
    public EntitlementReport entitlements(Caller caller, Duration unusedFor, Duration expiringWithin) {
        if (unusedFor == null || unusedFor.isNegative() || expiringWithin == null || expiringWithin.isNegative()) {
            throw new InvalidRequestException("Give the unused period and the expiry horizon as positive durations.");
        }
        return guard.run(() -> door.read(caller, Operation.ENTITLEMENT_REPORT, "sys/entitlements",
                (k, p, tx, now) -> Entitlements.report(k.policies(), tx, now, unusedFor, expiringWithin)));
    }
}
