package dev.keyward.vault.audit;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

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
 * @param details        what a lifecycle event adds (a rotation's step and trigger, an approval's
 *                       request id, an alert's detector), by name; never a secret value. Names
 *                       are 1 to 64 of {@code A-Z a-z 0-9 . _ -}; values are at most 1024 characters.
 *                       Empty for most calls, and then left out of the entry.
 */
public record AuditEvent(Instant time, String requestId, String identityId, String identityName, String authMethod,
                         String sourceAddress, String operation, String resource, Decision decision, String rule,
                         String justification, String approvalId, Outcome outcome, String errorClass,
                         String credentialHmac, Map<String, String> details) {
    private static final Pattern DETAIL_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** The most details one entry carries. */
    public static final int MAX_DETAILS = 32;

    public enum Decision { ALLOW, DENY, NONE }

    public enum Outcome { SUCCESS, FAILURE }

    public AuditEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(authMethod, "authMethod");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(outcome, "outcome");
        details = details(details);
    }

    /** An event without details. */
    public AuditEvent(Instant time, String requestId, String identityId, String identityName, String authMethod,
                      String sourceAddress, String operation, String resource, Decision decision, String rule,
                      String justification, String approvalId, Outcome outcome, String errorClass,
                      String credentialHmac) {
        this(time, requestId, identityId, identityName, authMethod, sourceAddress, operation, resource, decision, rule,
                justification, approvalId, outcome, errorClass, credentialHmac, Map.of());
    }

    /** This event with {@code more} added to its details (a name given twice takes the new value). */
    public AuditEvent withDetails(Map<String, String> more) {
        if (more == null || more.isEmpty()) {
            return this;
        }
        Map<String, String> all = new TreeMap<>(details);
        all.putAll(more);
        return new AuditEvent(time, requestId, identityId, identityName, authMethod, sourceAddress, operation, resource,
                decision, rule, justification, approvalId, outcome, errorClass, credentialHmac, all);
    }

    /** The details validated and sorted by name (the order of the canonical form); null values are dropped. */
    static Map<String, String> details(Map<String, String> d) {
        if (d == null || d.isEmpty()) {
            return Map.of();
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        d.forEach((k, v) -> {
            if (k == null || !DETAIL_NAME.matcher(k).matches()) {
                throw new IllegalArgumentException("an audit detail name is 1 to 64 of A-Z a-z 0-9 . _ -");
            }
            if (v != null) {
                if (v.length() > 1024) {
                    throw new IllegalArgumentException("an audit detail value is at most 1024 characters");
                }
                sorted.put(k, v);
            }
        });
        if (sorted.size() > MAX_DETAILS) {
            throw new IllegalArgumentException("an audit entry carries at most " + MAX_DETAILS + " details");
        }
        return Collections.unmodifiableMap(sorted);
    }
}
