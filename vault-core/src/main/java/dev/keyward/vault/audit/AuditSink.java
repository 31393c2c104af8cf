package dev.keyward.vault.audit;

import dev.keyward.vault.storage.StorageTx;
import java.util.List;
import java.util.Optional;

/**
 * Where the guarded door writes every call. {@link #append} runs inside the same storage
 * transaction as the change it records (for reads: a transaction committed before the secret is
 * returned). If it throws, the transaction rolls back and the operation fails: fail closed.
 */
public interface AuditSink {

    void append(AuditEvent event, AuditContext keys, StorageTx tx);

    /**
     * The part of an append that needs no log state, done on the caller's thread before the call
     * waits for the committer. Prepares nothing by default.
     */
    default AuditDraft draft(AuditEvent event) {
        return AuditDraft.of(event);
    }

    /** Appends several events, in order, in one transaction; the same rules as {@link #append}. */
    default void appendAll(List<AuditDraft> drafts, AuditContext keys, StorageTx tx) {
        for (AuditDraft d : drafts) {
            append(d.event(), keys, tx);
        }
    }

    /** The verifiable log behind this sink, which the audit service reads; empty if there is none. */
    default Optional<MerkleAuditLog> log() {
        return Optional.empty();
    }
}
