package dev.keyward.vault.server;

import dev.keyward.vault.api.AuditService;
import dev.keyward.vault.api.RefusedRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes the requests the endpoint refuses before they reach a service to the vault's durable
 * audit log ({@link AuditService#recordRefused}); requests that reach a service are audited by the
 * guarded door itself.
 *
 * <ul>
 *   <li>A refusal is written before its answer is sent, one entry per request. The per-source
 *       rate limit, which every request passes first, bounds how many such writes a source causes.
 *   <li>Rate-limit answers (429), bodies refused as too large (413, answered while the client may
 *       still be sending) and requests Jetty's parser rejects are not written one by one: they are counted per source, status
 *       and reason, and {@link #flush} (every second) writes one entry per source with the count.
 *       So a flood of requests costs at most one audit write per source and second.
 *   <li>A refusal that cannot be written now (the vault is sealed: entries are sealed by the
 *       barrier, so nothing can be written; or the write failed) is counted the same way and
 *       written by a later flush, once the vault is unsealed. These counts live in memory: if the
 *       process stops first, they are lost.
 *   <li>At most {@link #MAX_PENDING} distinct counters are kept; beyond that, refusals are counted
 *       under the source {@code "(other sources)"}.
 * </ul>
 * Counted entries keep no token. The answer is the refusal whether or not its entry was written.
 */
final class RefusalAudit {
    static final int MAX_PENDING = 1024;
    static final String OTHER_SOURCES = "(other sources)";

    private final AuditService audit;
    private final int maxPending;
    private final Map<Key, Pending> pending = new ConcurrentHashMap<>();

    private record Key(String source, int status, String reason) {
    }

    /** The first refusal seen for a key (its method and path stand for the rest) and the count. */
    private record Pending(RefusedRequest first, AtomicInteger count) {
    }

    RefusalAudit(AuditService audit) {
        this(audit, MAX_PENDING);
    }

    RefusalAudit(AuditService audit, int maxPending) {
        this.audit = audit;
        this.maxPending = maxPending;
    }

    /** Audits one refusal: written now, or counted (429, or when it cannot be written now). */
    void refused(RefusedRequest r) {
        if (r.status() == 429 || !audit.recordRefused(r)) {
            count(r, 1);
        }
    }

    /** Counts a refusal for the next {@link #flush} instead of writing it now. */
    void count(RefusedRequest r, int n) {
        Key key = new Key(r.sourceAddress(), r.status(), r.reason());
        if (!pending.containsKey(key) && pending.size() >= maxPending) {
            key = new Key(OTHER_SOURCES, r.status(), r.reason());
        }
        RefusedRequest anonymous = new RefusedRequest(key.source(), r.method(), r.path(), r.status(), r.reason(),
                null, 1);
        pending.computeIfAbsent(key, k -> new Pending(anonymous, new AtomicInteger())).count().addAndGet(n);
    }

    /** Writes one entry per counter; counters that cannot be written stay for the next flush. */
    void flush() {
        for (Key key : pending.keySet()) {
            Pending p = pending.remove(key);
            if (p == null) {
                continue;
            }
            int n = p.count().get();
            if (n > 0 && !audit.recordRefused(p.first().times(n))) {
                count(p.first(), n);
                return; // sealed or failing: try again at the next flush
            }
        }
    }

    /** Refusals counted but not yet written. */
    int pendingCount() {
        return pending.values().stream().mapToInt(p -> p.count().get()).sum();
    }
}
