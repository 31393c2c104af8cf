package dev.keyward.vault.storage;

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

    /** Runs {@code work} against committed data; {@link StorageTx#put} and delete are refused. */
    <T> T read(TxWork<T> work);

    /** A short name of the backend, e.g. "h2". */
    String type();

    @Override
    void close();

    @FunctionalInterface
    interface TxWork<T> {
        T run(StorageTx tx);
    }
}
