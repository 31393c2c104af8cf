package dev.keyward.vault.engine;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.audit.AuditDraft;
import dev.keyward.vault.audit.AuditEvent;
import dev.keyward.vault.audit.AuditSink;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fills a test vault fast: many secret writes (or audit entries) per durable transaction, each write
 * with its audit entry, through the engine's own stores and log (what the door does per call, done
 * for a whole batch at once). For large backup tests and the backup benchmark.
 */
public final class BulkLoader {
    private final Engine engine;
    private final AuditSink audit;
    private final Caller caller;

    /** {@code audit} is the sink of the config the engine was opened with. */
    public BulkLoader(Engine engine, AuditSink audit, Caller caller) {
        this.engine = engine;
        this.audit = audit;
        this.caller = caller;
    }

    /** Folders of at most 500 secrets (a folder's listing is one record). */
    public static String path(String prefix, int i) {
        return prefix + "/" + (i / 500) + "/" + i;
    }

    public static String value(String prefix, int i) {
        return "value-" + prefix + "-" + i + "-" + Integer.toHexString(i * 31 + 7);
    }

    /** Writes secrets {@code prefix/from .. prefix/(from+count-1)}, {@code batch} per commit. */
    public void secrets(String prefix, int from, int count, int batch) {
        Unsealed k = engine.unsealedKeys();
        Principal who = engine.whoami(caller);
        for (int start = from; start < from + count; start += batch) {
            int s = start;
            int end = Math.min(from + count, start + batch);
            engine.storage().write(tx -> {
                Instant now = engine.clock().instant();
                List<AuditDraft> drafts = new ArrayList<>(end - s);
                for (int i = s; i < end; i++) {
                    String p = path(prefix, i);
                    k.kv().write(tx, p, SecretData.of(Map.of("v", value(prefix, i))), null, now);
                    drafts.add(audit.draft(Door.event(k, caller, who, null, Operation.SECRET_WRITE, "secret/data/" + p,
                            AuditEvent.Decision.ALLOW, null, AuditEvent.Outcome.SUCCESS, null, now)));
                }
                audit.appendAll(drafts, k.audit(), tx);
                return null;
            });
        }
    }

    /** Appends {@code count} audit entries (secret reads of one path), {@code batch} per commit. */
    public void auditEntries(long count, int batch) {
        Unsealed k = engine.unsealedKeys();
        Principal who = engine.whoami(caller);
        for (long done = 0; done < count; done += batch) {
            int n = (int) Math.min(batch, count - done);
            engine.storage().write(tx -> {
                Instant now = engine.clock().instant();
                List<AuditDraft> drafts = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    drafts.add(audit.draft(Door.event(k, caller, who, null, Operation.SECRET_READ, "secret/data/bulk/0",
                            AuditEvent.Decision.ALLOW, null, AuditEvent.Outcome.SUCCESS, null, now)));
                }
                audit.appendAll(drafts, k.audit(), tx);
                return null;
            });
        }
    }
}
