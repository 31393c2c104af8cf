package dev.keyward.vault.storage;

import java.util.List;

/**
 * The physical store: an ordered map of ASCII keys to opaque values, with transactions. It is
 * untrusted: everything above it passes the barrier (values) or a keyed hash (identifiers in
 * keys) before it gets here. Writes are group-committed: {@link #write} returns only once the
 * transaction is durable on disk.
 */
public interface Storage extends AutoCloseable {

    /**
     * Runs {@code work} in a read-write transaction and makes it durable before returning. Work
     * items from concurrent callers may share one commit; a work item that throws is rolled back
     * on its own and its exception is rethrown to its caller.
     */
    <T> T write(TxWork<T> work);

    /**
     * Like {@link #write} for one item of a kind of work that the committer runs for many callers
     * at once: every item of {@code kind} waiting in the same commit goes to one
     * {@link Batch#runAll} call, made where the first of them is in the queue. If that call
     * throws, each of its items is run again on its own, so one bad item fails only its own
     * caller. Returns once the item's commit is durable.
     */
    <E> void writeBatched(Batch<E> kind, E item);

    /** Runs {@code work} against committed data; {@link StorageTx#put} and delete are refused. */
    <T> T read(TxWork<T> work);

    /**
     * Runs {@code work} against one consistent snapshot of committed data (a backup): it sees every
     * write whose commit returned before this call started and none that commits while it runs, however
     * many scans it makes. Puts and deletes are refused. By default the work runs in a write
     * transaction (consistent, but writers wait); a backend overrides it with a snapshot read.
     */
    default <T> T snapshot(TxWork<T> work) {
        return write(work);
    }

    /** A short name of the backend, e.g. "h2". */
    String type();

    /**
     * Why the storage currently fails (e.g. the disk is full), in plain words, or empty while it
     * works. Set by a failed write, cleared by the next write that succeeds.
     */
    default java.util.Optional<String> failure() {
        return java.util.Optional.empty();
    }

    @Override
    void close();

    @FunctionalInterface
    interface TxWork<T> {
        T run(StorageTx tx);
    }

    /** Work for many items in one transaction (items of one kind are recognised by this object's identity). */
    @FunctionalInterface
    interface Batch<E> {
        void runAll(StorageTx tx, List<E> items);
    }
}
