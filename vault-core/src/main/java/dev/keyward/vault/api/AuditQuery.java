package dev.keyward.vault.api;

import java.time.Instant;

/**
 * Filters for reviewing the audit log; every filter is optional (null = any). Results are
 * ordered by sequence; page with {@code afterSequence} = the previous page's
 * {@link AuditPage#nextAfter()}.
 *
 * @param from          entries at or after this time
 * @param to            entries before this time
 * @param identity      identity id or name, exact
 * @param pathPrefix    resource starts with this
 * @param operation     operation id, exact (e.g. {@code secret.read})
 * @param decision      ALLOW, DENY or NONE
 * @param afterSequence only entries with a larger sequence (-1 = from the start)
 * @param limit         at most this many entries, 1..1000
 */
public record AuditQuery(Instant from, Instant to, String identity, String pathPrefix, String operation,
                         String decision, long afterSequence, int limit) {
    public static final int MAX_LIMIT = 1000;

    public AuditQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidRequestException("An audit page holds 1 to " + MAX_LIMIT + " entries.");
        }
        if (afterSequence < -1) {
            throw new InvalidRequestException("afterSequence is -1 (from the start) or a sequence number.");
        }
        if (from != null && to != null && !from.isBefore(to)) {
            throw new InvalidRequestException("The time range is empty: 'from' must be before 'to'.");
        }
        if (decision != null && !decision.equals("ALLOW") && !decision.equals("DENY") && !decision.equals("NONE")) {
            throw new InvalidRequestException("decision is ALLOW, DENY or NONE.");
        }
    }

    /** Every entry, first page of {@code limit}. */
    public static AuditQuery all(int limit) {
        return new AuditQuery(null, null, null, null, null, null, -1, limit);
    }

    public AuditQuery after(long sequence) {
        return new AuditQuery(from, to, identity, pathPrefix, operation, decision, sequence, limit);
    }
}
