package dev.keyward.vault.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Policies, roles and their bindings; explain; versions; policy as code; entitlement analytics.
 * Built-in policies {@code admin}, {@code security-engineer}, {@code auditor} back the built-in
 * roles of the same names and cannot be changed. Every change is a new version with author and
 * reason, and is audited.
 */
public interface PolicyService {

    /** Creates or changes a policy: a new version. Grants lacking owner/justification/expiry are refused. */
    PolicyInfo put(Caller caller, Policy policy, String reason);

    /** The current version. */
    PolicyInfo read(Caller caller, String name);

    PolicyInfo readVersion(Caller caller, String name, int version);

    /** Current versions of every policy, built-in ones included, by name. */
    List<PolicyInfo> list(Caller caller);

    /** Deletes a policy (its history stays readable); roles and identities naming it lose it. */
    void delete(Caller caller, String name, String reason);

    /** Every version, oldest first (a deletion is a version with no policy). */
    List<PolicyInfo> history(Caller caller, String name);

    /** Line diff of two versions' canonical YAML. */
    PolicyDiff diff(Caller caller, String name, int fromVersion, int toVersion);

    /** Makes the content of an old version current again, as a new version. */
    PolicyInfo rollback(Caller caller, String name, int version, String reason);

    /** Creates or changes a custom role: a named set of policies for operators. */
    RoleInfo putRole(Caller caller, String name, List<String> policies, String description, String reason);

    /** Built-in and custom roles. */
    List<RoleInfo> listRoles(Caller caller);

    void deleteRole(Caller caller, String name, String reason);

    /**
     * What would happen if {@code request.identity()} did {@code request.operation()} on
     * {@code request.path()} in {@code request.context()}: the same evaluator as enforcement.
     */
    Explanation explain(Caller caller, ExplainRequest request);

    /** Policies, roles, bindings and machine identities (never secrets) as stable YAML. */
    String exportYaml(Caller caller);

    /**
     * Makes the live state match a policy-as-code file. With {@code dryRun} nothing changes and the
     * result lists what would. Applying the same file twice changes nothing the second time.
     * Malformed YAML fails with {@link PolicyFileException} naming line and column.
     */
    ApplyResult apply(Caller caller, String yaml, boolean dryRun, String reason);

    /** Drift: how the live state differs from a policy-as-code file (a dry-run apply). */
    ApplyResult drift(Caller caller, String yaml);

    /**
     * Least-privilege report: grants unused for {@code unusedFor}, expired and expiring within
     * {@code expiringWithin}, broader than their use, missing owner/justification/expiry.
     */
    EntitlementReport entitlements(Caller caller, Duration unusedFor, Duration expiringWithin);

    // ------------------------------------------------------------ records

    /**
     * One version of a policy.
     *
     * @param policy  the content, or null for a deletion
     * @param builtIn a built-in policy (read only)
     */
    record PolicyInfo(String name, int version, Policy policy, String author, String reason, Instant changedAt,
                      boolean builtIn) {
        public PolicyInfo {
            Objects.requireNonNull(name, "name");
        }
    }

    record PolicyDiff(String name, int fromVersion, int toVersion, List<String> lines) {
        public PolicyDiff {
            lines = List.copyOf(lines);
        }
    }

    record RoleInfo(String name, List<String> policies, String description, boolean builtIn) {
        public RoleInfo {
            policies = List.copyOf(policies);
        }
    }

    /** Who to explain for. */
    record IdentityRef(Type type, String name) {
        public enum Type { OPERATOR, APPROLE, CERT }

        public IdentityRef {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * The context of a hypothetical call.
     *
     * @param sourceAddress where it comes from (null = local)
     * @param at            when (null = now)
     * @param justification the justification it carries, or null
     * @param approvalId    the approval it presents, or null
     * @param tokenMaxTtl   the max lifetime of the token it uses (null = that identity's usual one)
     */
    record ExplainContext(String sourceAddress, Instant at, String justification, String approvalId,
                          Duration tokenMaxTtl) {
        public static ExplainContext local() {
            return new ExplainContext(null, null, null, null, null);
        }
    }

    record ExplainRequest(IdentityRef identity, Operation operation, String path, ExplainContext context) {
        public ExplainRequest {
            Objects.requireNonNull(identity, "identity");
            Objects.requireNonNull(operation, "operation");
            context = context == null ? ExplainContext.local() : context;
        }
    }

    /**
     * The evaluator's answer with its reasons.
     *
     * @param allowed         the decision
     * @param rule            the rule reference as written to the audit log ("policy@vN#rule" or "default-deny")
     * @param policy          the deciding policy, or null for default deny
     * @param policyVersion   its version, or 0
     * @param ruleId          the deciding rule's id, or null
     * @param failedCondition the condition that kept a matching grant from applying, or null
     * @param reason          a sentence
     * @param resource        the policy path evaluated (e.g. secret/team/db)
     * @param capability      the capability the operation needs (any of, when several)
     * @param policies        the policies considered
     */
    record Explanation(boolean allowed, String rule, String policy, int policyVersion, String ruleId,
                       String failedCondition, String reason, String resource, Set<Capability> capability,
                       List<String> policies) {
        public Explanation {
            capability = Set.copyOf(capability);
            policies = List.copyOf(policies);
        }
    }

    /** One difference between live state and a file. */
    record Change(String kind, String name, Action action, List<String> diff) {
        public enum Action { ADD, CHANGE, REMOVE }

        public Change {
            diff = List.copyOf(diff);
        }
    }

    record ApplyResult(boolean dryRun, List<Change> changes) {
        public ApplyResult {
            changes = List.copyOf(changes);
        }

        public boolean noChanges() {
            return changes.isEmpty();
        }
    }

    /** A grant as the report sees it. */
    record Grant(String policy, int policyVersion, String ruleId, String path, Set<Capability> capabilities,
                 String owner, String justification, Instant expiresAt, Instant lastUsed) {
        public Grant {
            capabilities = Set.copyOf(capabilities);
        }
    }

    /** A grant broader than its recorded use, with the narrower pattern that would have sufficed. */
    record Narrowing(Grant grant, String suggestedPath, List<String> usedPaths) {
        public Narrowing {
            usedPaths = List.copyOf(usedPaths);
        }
    }

    record EntitlementReport(Instant generatedAt, Duration unusedFor, Duration expiringWithin, List<Grant> unused,
                             List<Grant> expired, List<Grant> expiringSoon, List<Narrowing> broaderThanUsed,
                             List<Grant> missingFields) {
        public EntitlementReport {
            unused = List.copyOf(unused);
            expired = List.copyOf(expired);
            expiringSoon = List.copyOf(expiringSoon);
            broaderThanUsed = List.copyOf(broaderThanUsed);
            missingFields = List.copyOf(missingFields);
        }
    }
}
