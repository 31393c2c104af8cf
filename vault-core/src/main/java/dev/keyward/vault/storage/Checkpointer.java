package dev.keyward.vault.storage;

import dev.keyward.vault.api.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes a checkpoint off the committer's thread, while calls go on: the committer has sealed
 * the journal's previous segment, recorded in the database that it was checkpointed (at MVStore
 * version {@code v}) and gone on committing into a fresh segment. This thread waits until the
 * database file's store header or its last chunk names version {@code v} or a newer one (H2 does
 * not recover older than that: {@link H2StoreHeader}), forces the file to the device, and only
 * then deletes the sealed segment. A crash at any point before that leaves the sealed segment, which open replays
 * with the current one.
 */
final class Checkpointer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);
    private static final long POLL_MS = 20;

    private final Path dbFile;
    private final Journal journal;
    /** Guards {@link #pendingVersion} and the deletion of the sealed segment. */
    private final Object lock = new Object();
    /** The MVStore version the database file must reach before the sealed segment goes; -1: none. */
    private long pendingVersion = -1;
    private long sealedAt;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Runnable hook = () -> { };
    private volatile long finished;

    Checkpointer(Path dir, Journal journal) {
        this.dbFile = dir.resolve("vault.mv.db");
        this.journal = journal;
        this.thread = new Thread(this::run, "keyward-checkpoint");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Sets what runs after the database file was forced and before the sealed segment is deleted (tests). */
    void onCheckpoint(Runnable r) {
        hook = r;
    }

    /** Whether a sealed segment is waiting for the database file. */
    boolean pending() {
        synchronized (lock) {
            return pendingVersion >= 0;
        }
    }

    /** Checkpoints finished since open; for tests. */
    long finished() {
        return finished;
    }

    /** The committer sealed a segment and recorded the checkpoint in the commit of MVStore version {@code v}. */
    void finishLater(long v) {
        synchronized (lock) {
            pendingVersion = v;
            sealedAt = System.nanoTime();
            lock.notifyAll();
        }
    }

    /**
     * Runs {@code work} (a clean checkpoint, which empties the whole journal itself) with no
     * sealed segment being deleted meanwhile, and forgets the pending one.
     */
    void exclusive(Runnable work) {
        synchronized (lock) {
            pendingVersion = -1;
            work.run();
        }
    }

    private void run() {
        while (!closed) {
            try {
                long v;
                synchronized (lock) {
                    while (pendingVersion < 0 && !closed) {
                        lock.wait();
                    }
                    v = pendingVersion;
                }
                if (!closed) {
                    finish(v);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | StorageException e) {
                // The sealed segment stays and is tried again; meanwhile the journal grows until a
                // clean checkpoint (the committer's fallback) or the next open empties it.
                LOG.warn("a checkpoint could not be finished in the background: {}", e.getMessage());
                try {
                    pause(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void finish(long v) throws IOException, InterruptedException {
        try (FileChannel f = FileChannel.open(dbFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            while (H2StoreHeader.recoverableVersion(f) < v) {
                if (closed || !pause(POLL_MS)) {
                    return; // closed, or a clean checkpoint took the pending one over
                }
            }
            f.force(true); // the header read above, and every chunk before it, are on the device now
        }
        hook.run();
        synchronized (lock) {
            if (pendingVersion == v) {
                journal.dropSealed();
                pendingVersion = -1;
                finished++;
                LOG.debug("checkpoint finished {} ms after the segment was sealed",
                        (System.nanoTime() - sealedAt) / 1_000_000);
            }
        }
    }

    /** Waits up to {@code ms} (the committer's next commits rewrite the header); false once nothing is pending. */
    private boolean pause(long ms) throws InterruptedException {
        synchronized (lock) {
            lock.wait(ms);
            return pendingVersion >= 0;
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
