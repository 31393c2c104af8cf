package dev.keyward.vault.audit;

import java.util.List;

/**
 * Told every audit entry once the transaction that wrote it is durable, in log order: the feed
 * that anomaly detection and change notifications read instead of rescanning the log.
 *
 * <p>It runs on the committer's thread, after the commit: an implementation must return at once
 * (queue the work for its own thread) and must not throw. Entries of a transaction that rolled
 * back are never told.
 */
@FunctionalInterface
public interface AuditTap {

    /** One durable entry: its sequence number in the log and the event it records. */
    record Committed(long sequence, AuditEvent event) { }

    void committed(List<Committed> entries);
}
