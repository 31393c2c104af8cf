package dev.keyward.vault.api;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One audit log entry as reviewers see it. It never holds a secret value: presented tokens
 * appear only as {@code credentialHmac} (see {@link AuditService#hmac}).
 *
 * @param sequence       position in the log, from 0, without gaps
 * @param time           the vault's clock at the call
 * @param requestId      random id of the call
 * @param identityId     the authenticated identity's id, or null
 * @param identityName   its name (or the name claimed by a failed login), or null
 * @param authMethod     how the caller authenticated
 * @param sourceAddress  where the call came from
 * @param operation      the operation's id, e.g. {@code secret.read}
 * @param resource       the path or object acted on, or null
 * @param decision       ALLOW, DENY or NONE
 * @param rule           the rule that decided, or null
 * @param justification  the caller's justification, or null
 * @param approvalId     the approval presented, or null
 * @param outcome        SUCCESS or FAILURE
 * @param errorClass     the failure's class, or null
 * @param credentialHmac HMAC-SHA256 of the presented token under the vault's audit key, or null
 * @param details        what a lifecycle event adds (rotation step, approval request, alert), by
 *                       name, sorted; empty for most entries
 */
public record AuditRecord(long sequence, Instant time, String requestId, String identityId, String identityName,
                          String authMethod, String sourceAddress, String operation, String resource,
                          String decision, String rule, String justification, String approvalId, String outcome,
                          String errorClass, String credentialHmac, Map<String, String> details) {
    public AuditRecord {
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0");
        }
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(outcome, "outcome");
        details = details == null ? Map.of() : details;
    }

    /** An entry without details. */
    public AuditRecord(long sequence, Instant time, String requestId, String identityId, String identityName,
                       String authMethod, String sourceAddress, String operation, String resource, String decision,
                       String rule, String justification, String approvalId, String outcome, String errorClass,
                       String credentialHmac) {
        this(sequence, time, requestId, identityId, identityName, authMethod, sourceAddress, operation, resource,
                decision, rule, justification, approvalId, outcome, errorClass, credentialHmac, Map.of());
    }

    /** One detail, or null. */
    public String detail(String name) {
        return details.get(name);
    }
}
