package dev.keyward.vault.policy;

import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.Operation;
import java.util.EnumSet;
import java.util.Set;

/**
 * How each engine operation maps onto a capability on a policy path. Secrets keep the door's
 * resource ({@code secret/<path>}); everything else lives under {@code sys/}. Operations on the
 * caller's own token need no policy ({@link #isSelf}).
 */
public final class Access {
    private Access() {
    }

    /** A capability requirement: any of {@code anyOf} on {@code path}. */
    public record Need(Set<Capability> anyOf, String path) {
    }

    /** Whether the operation is on the caller's own token (lookup-self, renew-self, revoke-self, logout). */
    public static boolean isSelf(Operation op, String resource) {
        return switch (op) {
            case OPERATOR_LOGOUT -> true;
            // The change feed needs only a valid token: each event in it is filtered by the caller's
            // read grant on its path, so a poll shows nothing the caller could not read.
            case EVENTS_READ -> true;
            case TOKEN_LOOKUP, TOKEN_RENEW, TOKEN_REVOKE -> resource == null || resource.equals("token/self");
            // Any identity may request, vote, use its own grants: the approval rules decide who counts.
            case APPROVAL_REQUEST, APPROVAL_APPROVE, APPROVAL_DENY, APPROVAL_CANCEL, APPROVAL_GATE, APPROVAL_GRANT_USE,
                 APPROVAL_ELEVATION_START, APPROVAL_BREAK_GLASS, APPROVAL_KEY -> true;
            case APPROVAL_READ, APPROVAL_ELEVATION_END -> resource != null && resource.startsWith("sys/approvals/self");
            default -> false;
        };
    }

    public static Need need(Operation op, String resource) {
        String r = resource == null ? "" : resource;
        return switch (op) {
            case SECRET_READ -> of(r, Capability.READ);
            case SECRET_WRITE -> of(r, Capability.CREATE, Capability.UPDATE);
            case SECRET_PATCH, SECRET_UNDELETE, METADATA_WRITE -> of(r, Capability.UPDATE);
            case SECRET_DELETE -> of(r, Capability.DELETE);
            case SECRET_DESTROY, METADATA_DELETE -> of(r, Capability.DESTROY);
            case SECRET_LIST -> of(r, Capability.LIST);
            case METADATA_READ -> of(r, Capability.REVEAL_METADATA);
            case KV_CONFIG_READ -> of("sys/kv/config", Capability.READ);
            case KV_CONFIG_WRITE -> of("sys/kv/config", Capability.ADMIN);
            case VAULT_SEAL -> of("sys/seal", Capability.ADMIN);
            case VAULT_STATUS -> of("sys/status", Capability.READ);
            case KEY_ROTATE, KEY_REWRAP -> of("sys/keyring", Capability.ROTATE);
            case KEY_STATUS -> of("sys/keyring", Capability.READ, Capability.ROTATE);
            // ROOT_KEY_ROTATE, SEAL_PASSPHRASE_CHANGE, SEAL_REKEY, SEAL_MIGRATE: admin only (default below).
            case AUDIT_READ -> of(r.startsWith("sys/audit") ? r : "sys/audit/log", Capability.READ);
            case AUDIT_EXPORT -> of("sys/audit/export", Capability.READ);
            case VAULT_BACKUP -> of("sys/backup", Capability.ADMIN);
            case STORAGE_CHECK -> of("sys/storage/check", Capability.READ);
            case ROTATION_CHECK -> of(r, Capability.READ);
            case OPERATOR_CREATE, OPERATOR_UPDATE -> of(r, Capability.ADMIN);
            case OPERATOR_LIST -> of("sys/identity/operators", Capability.LIST);
            case APPROLE_WRITE, CERT_WRITE -> of(r, Capability.UPDATE);
            case APPROLE_READ, CERT_READ -> of(r, Capability.READ);
            case APPROLE_DELETE, CERT_DELETE, SECRET_ID_REVOKE -> of(r, Capability.DELETE);
            case SECRET_ID_ISSUE -> of(r, Capability.CREATE);
            case TOKEN_LOOKUP, TOKEN_LIST -> of(r.isEmpty() ? "sys/token" : r, Capability.READ);
            case TOKEN_RENEW -> of(r, Capability.UPDATE);
            case TOKEN_REVOKE -> of(r, Capability.DELETE);
            case POLICY_READ, ROLE_READ, POLICY_EXPLAIN, POLICY_EXPORT, ENTITLEMENT_REPORT -> of(r, Capability.READ);
            case POLICY_WRITE, ROLE_WRITE -> of(r, Capability.UPDATE);
            case POLICY_APPLY -> of("sys/policy-apply", Capability.ADMIN);
            case WEBHOOK_WRITE, WEBHOOK_TEST -> of("sys/webhooks", Capability.UPDATE);
            case WEBHOOK_READ -> of("sys/webhooks", Capability.READ, Capability.LIST);
            case GOVERNANCE_SCAN -> of("sys/governance/scan", Capability.READ);
            case GOVERNANCE_CHECK -> of("sys/governance/check", Capability.READ);
            case GOVERNANCE_BASELINE -> of("sys/governance/baseline", Capability.UPDATE);
            case GOVERNANCE_EXCEPTION -> of("sys/governance/exceptions", Capability.UPDATE);
            case GOVERNANCE_REVIEW -> of("sys/governance/reviews", Capability.UPDATE);
            case GOVERNANCE_REVIEW_SWEEP -> of("sys/governance/reviews/sweep", Capability.ADMIN);
            case GOVERNANCE_DRILL -> of("sys/governance/drills", Capability.UPDATE);
            case GOVERNANCE_READ -> of(r.startsWith("sys/governance/") && !r.equals("sys/governance/scan") ? r
                    : "sys/governance/records", Capability.READ);
            case ROTATION_CONFIG_SET, ROTATION_CONFIG_DELETE, ROTATION_NEXT_SET -> of(r, Capability.UPDATE);
            case ROTATION_READ -> of(r, Capability.READ, Capability.LIST);
            // A rotation asked for: rotate on the secret itself (a pipeline's deployment event, containment).
            case ROTATION_RUN_START -> of(r, Capability.ROTATE);
            // The rotation job's own steps (a system principal's calls) on sys/rotation/<path>.
            case ROTATION_STEP_PENDING, ROTATION_STEP_SET, ROTATION_STEP_TEST, ROTATION_STEP_FINISH,
                    ROTATION_RUN_FINISH, ROTATION_RUN_ROLLED_BACK, ROTATION_RUN_NEEDS_ATTENTION,
                    ROTATION_RUN_POSTPONED, ROTATION_GRACE_REVOKE, ROTATION_SLOT_MISSED -> of(r, Capability.ADMIN);
            case ALERT_RAISE -> of(r.isEmpty() ? "sys/alerts/raise" : r, Capability.CREATE);
            case ALERT_READ -> of(r.startsWith("sys/alerts") || r.startsWith("sys/containment") ? r : "sys/alerts/list",
                    Capability.READ);
            case ALERT_ACK, ALERT_RESOLVE, ALERT_FALSE_POSITIVE -> of(r, Capability.UPDATE);
            case ALERT_CONFIG -> of("sys/alerts/config", Capability.ADMIN);
            case CONTAINMENT_REVOKE_TOKENS, CONTAINMENT_LOCK, CONTAINMENT_READ_ONLY, CONTAINMENT_RISK,
                    CONTAINMENT_ROTATE, CONTAINMENT_SEAL, CONTAINMENT_UNDO -> of(r, Capability.UPDATE);
            // Approvals: who may review, use or cancel is decided by the approval rules (tracks,
            // requester, separation of duties); configuring gates and reading everyone's requests is policy.
            case APPROVAL_CONFIG -> of("sys/approvals/config", Capability.ADMIN);
            case APPROVAL_GRANT_EXPIRE, APPROVAL_ELEVATION_END -> of(r.startsWith("sys/approvals/") ? r
                    : "sys/approvals/sweep", Capability.UPDATE);
            case APPROVAL_READ -> of(r.startsWith("sys/approvals/") ? r : "sys/approvals/requests", Capability.READ);
            // Calls that carry no token never reach the authorize step, and operations added later
            // that are not mapped here yet: only a holder of admin on sys/op/<id> passes (fail closed).
            default -> of("sys/op/" + op.id(), Capability.ADMIN);
        };
    }

    private static Need of(String path, Capability first, Capability... rest) {
        return new Need(Set.copyOf(EnumSet.of(first, rest)), path);
    }

    /** The path that gates privileged policy content (anything reaching under sys/). */
    public static final String PRIVILEGED = "sys/privileged";

    /**
     * Whether a grant pattern can match a path under {@code sys/}: such grants (and binding the
     * built-in policies) need {@code admin} on {@link #PRIVILEGED}, so that nobody can grant
     * themselves more than they hold.
     */
    public static boolean reachesSys(String pattern) {
        String first = pattern.split("/", -1)[0];
        if (first.equals("+")) {
            return true;
        }
        if (first.endsWith("*")) {
            return "sys".startsWith(first.substring(0, first.length() - 1));
        }
        return first.equals("sys");
    }
}
