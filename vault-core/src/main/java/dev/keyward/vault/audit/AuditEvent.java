package dev.keyward.vault.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * One call through the guarded door, as the audit log records it. It holds no secret value;
 * tokens and accessors appear only as keyed hashes ({@code credentialHmac}).
 *
 * @param time           the vault's clock at the call
 * @param requestId      a random id per call
 * @param identityId     the authenticated identity's id, or null when authentication failed
 * @param identityName   its name (or the claimed name of a failed login), or null
 * @param authMethod     how the caller authenticated
 * @param sourceAddress  where the call came from
 * @param operation      the operation's stable id (e.g. "secret.read")
 * @param resource       the path or object acted on, or null
 * @param decision       allow, deny, or none (calls that need no authorization)
 * @param rule           the rule that decided, or null
 * @param justification  the caller's justification, or null
 * @param approvalId     the approval presented, or null
 * @param outcome        success or failure
 * @param errorClass     the failure's exception class simple name, or null
 * @param credentialHmac HMAC-SHA256 of the presented token with the vault's audit key, or null
 */
public record AuditEvent(Instant time, String requestId, String identityId, String identityName, String authMethod,
                         String sourceAddress, String operation, String resource, Decision decision, String rule,
                         String justification, String approvalId, Outcome outcome, String errorClass,
                         String credentialHmac) {

    public enum Decision { ALLOW, DENY, NONE }

    public enum Outcome { SUCCESS, FAILURE }

    public AuditEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(authMethod, "authMethod");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(outcome, "outcome");
    }
}
