package dev.keyward.vault.policy;

import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The built-in roles as policies (read only, version 1). {@code admin}: everything.
 * {@code security-engineer}: secrets, policies, machine identities, tokens, rotation; never audit
 * administration or operators. {@code auditor}: audit and metadata; never a secret value.
 */
public final class BuiltInPolicies {
    public static final String ADMIN = "admin";
    public static final String SECURITY_ENGINEER = "security-engineer";
    public static final String AUDITOR = "auditor";
    public static final String OWNER = "keyward";

    private static final Set<Capability> ALL = EnumSet.allOf(Capability.class);
    private static final Map<String, Policy> POLICIES = Map.of(ADMIN, admin(), SECURITY_ENGINEER, engineer(),
            AUDITOR, auditor());

    private BuiltInPolicies() {
    }

    public static boolean isBuiltIn(String name) {
        return POLICIES.containsKey(name);
    }

    public static Policy get(String name) {
        return POLICIES.get(name);
    }

    public static List<String> names() {
        return List.of(ADMIN, AUDITOR, SECURITY_ENGINEER);
    }

    private static PolicyRule grant(String path, Set<Capability> caps, String role) {
        return new PolicyRule(null, path, caps, false, PolicyConditions.NONE, OWNER, "built-in role " + role, null);
    }

    private static Policy admin() {
        return new Policy(ADMIN, "Built-in: everything.", List.of(grant("*", ALL, ADMIN)));
    }

    private static Policy engineer() {
        Set<Capability> rw = EnumSet.complementOf(EnumSet.of(Capability.ADMIN));
        List<PolicyRule> r = new ArrayList<>();
        r.add(grant("secret/*", rw, SECURITY_ENGINEER));
        r.add(grant("sys/policy/*", EnumSet.of(Capability.READ, Capability.UPDATE, Capability.LIST), SECURITY_ENGINEER));
        r.add(grant("sys/role/*", EnumSet.of(Capability.READ, Capability.UPDATE, Capability.LIST), SECURITY_ENGINEER));
        r.add(grant("sys/policy-explain", EnumSet.of(Capability.READ), SECURITY_ENGINEER));
        r.add(grant("sys/policy-export", EnumSet.of(Capability.READ), SECURITY_ENGINEER));
        r.add(grant("sys/policy-apply", EnumSet.of(Capability.ADMIN), SECURITY_ENGINEER));
        r.add(grant("sys/entitlements", EnumSet.of(Capability.READ), SECURITY_ENGINEER));
        r.add(grant("sys/identity/approle/*", rw, SECURITY_ENGINEER));
        r.add(grant("sys/identity/cert/*", rw, SECURITY_ENGINEER));
        r.add(grant("sys/identity/operators", EnumSet.of(Capability.LIST), SECURITY_ENGINEER));
        r.add(grant("sys/token*", rw, SECURITY_ENGINEER));
        r.add(grant("sys/keyring", EnumSet.of(Capability.ROTATE), SECURITY_ENGINEER));
        r.add(grant("sys/rotation/*", rw, SECURITY_ENGINEER));
        r.add(grant("sys/kv/config", EnumSet.of(Capability.READ, Capability.ADMIN), SECURITY_ENGINEER));
        r.add(grant("sys/status", EnumSet.of(Capability.READ), SECURITY_ENGINEER));
        r.add(grant("sys/seal", EnumSet.of(Capability.ADMIN), SECURITY_ENGINEER));
        r.add(PolicyRule.deny("sys/audit*", ALL));
        return new Policy(SECURITY_ENGINEER, "Built-in: secrets, policies, machine identities, rotation; no audit"
                + " administration.", r);
    }

    private static Policy auditor() {
        Set<Capability> read = EnumSet.of(Capability.READ, Capability.LIST);
        List<PolicyRule> r = new ArrayList<>();
        r.add(grant("sys/audit*", read, AUDITOR));
        r.add(grant("secret/*", EnumSet.of(Capability.REVEAL_METADATA, Capability.LIST), AUDITOR));
        r.add(grant("sys/kv/config", EnumSet.of(Capability.READ), AUDITOR));
        r.add(grant("sys/status", EnumSet.of(Capability.READ), AUDITOR));
        r.add(grant("sys/policy/*", read, AUDITOR));
        r.add(grant("sys/role/*", read, AUDITOR));
        r.add(grant("sys/policy-explain", EnumSet.of(Capability.READ), AUDITOR));
        r.add(grant("sys/policy-export", EnumSet.of(Capability.READ), AUDITOR));
        r.add(grant("sys/entitlements", EnumSet.of(Capability.READ), AUDITOR));
        r.add(grant("sys/identity/*", read, AUDITOR));
        r.add(grant("sys/token*", read, AUDITOR));
        r.add(PolicyRule.deny("secret/*", EnumSet.complementOf(EnumSet.of(Capability.REVEAL_METADATA,
                Capability.LIST))));
        return new Policy(AUDITOR, "Built-in: audit and metadata, never a secret value.", r);
    }
}
