package dev.keyward.vault.storage;

import java.util.concurrent.CompletableFuture;

/** One caller's work item waiting for the committer (see {@link H2Storage}). */
final class Pending<T> {
    final Storage.TxWork<T> work;
    /** For batched work: its kind and item (work is null). */
    final Storage.Batch<?> kind;
    final Object item;
    final CompletableFuture<T> future = new CompletableFuture<>();
    T result;
    Throwable error;
    /** Batched work already run with an earlier item of its kind in this batch. */
    boolean done;

    Pending(Storage.TxWork<T> work, Storage.Batch<?> kind, Object item) {
        this.work = work;
        this.kind = kind;
        this.item = item;
    }

    void runIn(StorageTx tx) {
        result = work.run(tx);
    }

    void complete() {
        if (error != null) {
            future.completeExceptionally(error);
        } else {
            future.complete(result);
        }
    }
}
