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
        r.add(grant("sys/governance/*", rw, SECURITY_ENGINEER));
        r.add(grant("sys/alerts/*", rw, SECURITY_ENGINEER));
        r.add(grant("sys/containment/*", rw, SECURITY_ENGINEER));
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
        for (String g : List.of("sys/governance/baseline", "sys/governance/exceptions", "sys/governance/check",
                "sys/governance/records", "sys/governance/reviews*", "sys/governance/report*",
                "sys/governance/drills*")) {
            r.add(grant(g, EnumSet.of(Capability.READ), AUDITOR)); // never the scan: it tests values
        }
        r.add(grant("sys/identity/*", read, AUDITOR));
        r.add(grant("sys/alerts/*", EnumSet.of(Capability.READ), AUDITOR));
        r.add(grant("sys/rotation/*", EnumSet.of(Capability.READ), AUDITOR)); // status and history: never a value
        r.add(grant("sys/containment/status", EnumSet.of(Capability.READ), AUDITOR));
        r.add(grant("sys/token*", read, AUDITOR));
        r.add(PolicyRule.deny("secret/*", EnumSet.complementOf(EnumSet.of(Capability.REVEAL_METADATA,
                Capability.LIST))));
        return new Policy(AUDITOR, "Built-in: audit and metadata, never a secret value.", r);
    }

    // ------------------------------------------------------------ the vault's own background jobs

    /** The rotation scheduler: runs due rotations, writes the new versions, raises alerts. */
    public static final String JOB_ROTATION = "rotation";
    /** Containment: revokes, locks, restricts, triggers rotation or seals when an alert calls for it. */
    public static final String JOB_CONTAINMENT = "containment";
    /** The approval sweep: expires requests, grants and elevations on time, notifies. */
    public static final String JOB_APPROVALS = "approvals";
    /** The access-review job: opens scheduled reviews, expires or alerts on grants nobody attested in time. */
    public static final String JOB_REVIEWS = "reviews";
    /** A compromise drill's steps, run only inside the scratch copy of a vault. */
    public static final String JOB_DRILL = "drill";
    /** Scheduled backups (and a backup taken by the process that owns the vault directory). */
    public static final String JOB_BACKUP = "backup";

    private static final Map<String, Policy> SYSTEM = Map.of(
            JOB_ROTATION, system(JOB_ROTATION, "Built-in: the rotation scheduler.", List.of(
                    grant("secret/*", EnumSet.of(Capability.READ, Capability.CREATE, Capability.UPDATE,
                            Capability.DELETE, Capability.DESTROY, Capability.LIST, Capability.REVEAL_METADATA,
                            Capability.ROTATE), JOB_ROTATION),
                    grant("sys/rotation/*", ALL, JOB_ROTATION),
                    grant("sys/alerts/*", EnumSet.of(Capability.CREATE, Capability.UPDATE), JOB_ROTATION))),
            JOB_CONTAINMENT, system(JOB_CONTAINMENT, "Built-in: containment of anomalies.", List.of(
                    grant("secret/*", EnumSet.of(Capability.ROTATE, Capability.REVEAL_METADATA, Capability.LIST),
                            JOB_CONTAINMENT),
                    grant("sys/token*", EnumSet.of(Capability.READ, Capability.LIST, Capability.DELETE),
                            JOB_CONTAINMENT),
                    grant("sys/audit*", EnumSet.of(Capability.READ), JOB_CONTAINMENT),
                    grant("sys/identity/*", EnumSet.of(Capability.READ, Capability.LIST, Capability.UPDATE),
                            JOB_CONTAINMENT),
                    grant("sys/rotation/*", EnumSet.of(Capability.READ, Capability.ROTATE), JOB_CONTAINMENT),
                    grant("sys/containment/*", ALL, JOB_CONTAINMENT),
                    grant("sys/alerts/*", ALL, JOB_CONTAINMENT),
                    grant("sys/seal", EnumSet.of(Capability.ADMIN), JOB_CONTAINMENT))),
            JOB_APPROVALS, system(JOB_APPROVALS, "Built-in: the approval expiry sweep.", List.of(
                    grant("sys/approvals/*", ALL, JOB_APPROVALS),
                    grant("sys/identity/*", EnumSet.of(Capability.READ, Capability.UPDATE), JOB_APPROVALS),
                    grant("sys/alerts/*", EnumSet.of(Capability.CREATE), JOB_APPROVALS))),
            JOB_REVIEWS, system(JOB_REVIEWS, "Built-in: the access-review job.", List.of(
                    grant("sys/governance/reviews*", EnumSet.of(Capability.READ, Capability.UPDATE, Capability.ADMIN),
                            JOB_REVIEWS),
                    grant("sys/alerts/*", EnumSet.of(Capability.CREATE), JOB_REVIEWS))),
            JOB_BACKUP, system(JOB_BACKUP, "Built-in: scheduled backups.", List.of(
                    grant("sys/backup", EnumSet.of(Capability.ADMIN), JOB_BACKUP))),
            JOB_DRILL, system(JOB_DRILL, "Built-in: a compromise drill's steps in a scratch copy.", List.of(
                    grant("secret/*", EnumSet.of(Capability.READ, Capability.CREATE, Capability.UPDATE,
                            Capability.LIST, Capability.REVEAL_METADATA, Capability.ROTATE), JOB_DRILL),
                    grant("sys/rotation/*", EnumSet.of(Capability.READ, Capability.UPDATE), JOB_DRILL),
                    grant("sys/alerts/*", EnumSet.of(Capability.CREATE, Capability.READ), JOB_DRILL),
                    grant("sys/containment/*", EnumSet.of(Capability.READ), JOB_DRILL),
                    grant("sys/policy-explain", EnumSet.of(Capability.READ), JOB_DRILL),
                    grant("sys/identity/*", EnumSet.of(Capability.READ, Capability.LIST, Capability.CREATE,
                            Capability.UPDATE, Capability.ADMIN), JOB_DRILL), // create: a fresh secret_id to test a lock
                    grant("sys/token*", EnumSet.of(Capability.READ, Capability.LIST, Capability.DELETE), JOB_DRILL),
                    grant("sys/audit*", EnumSet.of(Capability.READ), JOB_DRILL))));

    private static Policy system(String job, String description, List<PolicyRule> rules) {
        return new Policy(systemPolicyName(job), description, rules);
    }

    /** The names of the vault's background jobs. */
    public static List<String> systemJobs() {
        return List.of(JOB_APPROVALS, JOB_BACKUP, JOB_CONTAINMENT, JOB_DRILL, JOB_REVIEWS, JOB_ROTATION);
    }

    /** Names under this prefix are reserved for the background jobs' policies: no stored policy may take one. */
    public static final String SYSTEM_PREFIX = "system.";

    /**
     * The policy of a background job. The authorizer gives it only to that job's principal; it is
     * not looked up by name, so binding the name to a role or identity grants nothing.
     */
    public static String systemPolicyName(String job) {
        return SYSTEM_PREFIX + job;
    }

    /** Whether a policy name is in the reserved namespace of the background jobs. */
    public static boolean isSystem(String policyName) {
        return policyName != null && policyName.startsWith(SYSTEM_PREFIX);
    }

    /** A background job's policy by its policy name, or null. */
    public static Policy system(String policyName) {
        return isSystem(policyName) ? SYSTEM.get(policyName.substring(SYSTEM_PREFIX.length())) : null;
    }
}
