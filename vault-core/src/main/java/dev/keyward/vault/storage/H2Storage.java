package dev.keyward.vault.storage;

import dev.keyward.vault.api.StorageException;
import dev.keyward.vault.api.VaultInUseException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default: one H2 file ({@code vault.mv.db}) in the vault directory. H2 holds a
 * file lock, so a second process gets {@link VaultInUseException}.
 *
 * <p>Durability by group commit and a write-ahead {@link Journal}: one committer thread owns the
 * write connection. It takes every pending work item from the queue, runs each under its own
 * savepoint, appends the batch's record changes to the journal and forces it to the device, then
 * commits to H2, and only then answers the callers of the batch. Concurrent callers share one
 * sync. H2's own crash recovery is not trusted to come back with the newest committed state (it
 * does not always: see docs/architecture.md, "Durability"), so on open the journal is replayed
 * over whatever H2 recovered. When the journal passes a size limit the committer seals it and goes
 * on in a fresh segment; the sealed segment is deleted in the background once the database file
 * holds its last batch ({@link Checkpointer}), so a checkpoint stops no call. The whole journal is
 * emptied after a clean H2 shutdown (at open after a replay, at close, and as a fallback).
 */
public final class H2Storage implements Storage {
    private static final Logger LOG = LoggerFactory.getLogger(H2Storage.class);
    private static final int MAX_BATCH = 256;
    private static final int READERS = 4;
    private static final int H2_DATABASE_IN_USE = 90020;
    /** Length of the current journal segment at which the committer seals it for a checkpoint. */
    static final long DEFAULT_CHECKPOINT_BYTES = 64L * 1024 * 1024;

    private final Path dir;
    private final String url;
    private final long checkpointBytes;
    private Connection writer;
    private final Journal journal;
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
    private final BlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
    private final Thread committer;
    private final List<Connection> allReaders = new ArrayList<>();
    /** Readers hold it shared; a checkpoint holds it exclusively while the database is reopened. */
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private volatile boolean closed;
    /** Why storage fails right now, in plain words (null while it works): for status and health. */
    private volatile String failure;
    /**
     * The database (or the journal's agreement with it) must be reopened before the next write: H2
     * closed itself after a failed write (a full disk), or a failed batch could not be cut back out
     * of the journal, or a checkpoint failed. The committer reopens it by itself, as open does.
     */
    private volatile boolean reopen;
    /** A journaled batch whose commit failed with the database closed: kept or cut at reopen. */
    private long undecidedFrom = -1;
    private long undecidedBatch;
    private long lastReopenAttempt;

    private final DirectoryLock dirLock;
    /** Finishes checkpoints in the background: deletes a sealed journal segment once H2 holds it. */
    private final Checkpointer checkpointer;

    private H2Storage(Path dir, String url, Connection writer, Journal journal, DirectoryLock dirLock,
                      long checkpointBytes) {
        this.dir = dir;
        this.url = url;
        this.dirLock = dirLock;
        this.writer = writer;
        this.journal = journal;
        this.checkpointBytes = checkpointBytes;
        this.checkpointer = new Checkpointer(dir, journal);
        this.committer = new Thread(this::commitLoop, "keyward-group-commit");
        this.committer.setDaemon(true);
    }

    /** Opens (creating if needed) the database in {@code dir} and migrates its schema. */
    public static H2Storage open(Path dir) {
        return open(dir, DEFAULT_CHECKPOINT_BYTES);
    }

    /**
     * Opens the database, migrates its schema and replays the journal over what H2 recovered;
     * {@code checkpointBytes} is the journal length that triggers a checkpoint.
     */
    static H2Storage open(Path dir, long checkpointBytes) {
        // WRITE_DELAY=0: H2 stores its chunks at our commits only, never in the background in the
        // middle of a transaction. With background writes, H2's recovery after a kill left undo
        // state that failed its own assertions when the journal was replayed over it.
        // MAX_COMPACT_TIME=0: a clean checkpoint's SHUTDOWN does not also compact the file. Readers
        // and writers wait for a clean checkpoint (at open, close and as the fallback); with H2's
        // default 200 ms of compaction it took about 1 s under load, without it 0.2 to 0.6 s, and
        // the file was no larger (its dead space is chunks inside H2's retention time, which
        // compaction does not touch).
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("vault")
                + ";TRACE_LEVEL_FILE=0;TRACE_LEVEL_SYSTEM_OUT=0;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;MAX_COMPACT_TIME=0";
        DirectoryLock dirLock = DirectoryLock.acquire(dir);
        Connection writer;
        try {
            writer = connect(dir, url);
        } catch (RuntimeException e) {
            dirLock.close();
            throw e;
        }
        Journal journal = null;
        H2Storage s = null;
        try {
            Flyway.configure()
                    .dataSource(new SingleConnectionDataSource(writer))
                    .locations("classpath:db/migration/h2")
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
            writer.setAutoCommit(false);
            journal = Journal.open(dir);
            s = new H2Storage(dir, url, writer, journal, dirLock, checkpointBytes);
            s.recover();
            s.committer.start();
            return s;
        } catch (RuntimeException | SQLException e) {
            if (s != null) {
                s.checkpointer.close();
                closeQuietly(s.writer);
            }
            closeQuietly(writer);
            if (journal != null) {
                journal.close();
            }
            dirLock.close();
            if (e instanceof StorageException se) {
                throw se;
            }
            throw new StorageException("The vault database schema could not be migrated.", e);
        }
    }

    private static Connection connect(Path dir, String url) {
        try {
            return DriverManager.getConnection(url, "keyward", "");
        } catch (SQLException e) {
            if (e.getErrorCode() == H2_DATABASE_IN_USE) {
                throw new VaultInUseException("The vault directory " + dir
                        + " is in use by another Keyward process (a running 'keyward serve' or console).");
            }
            throw new StorageException("The vault database in " + dir + " could not be opened: " + e.getMessage(), e);
        }
    }

    /**
     * Checks that the journal and the database agree, then replays the journal over the state H2
     * recovered and checkpoints so the journal starts empty. They agree when the journal holds
     * every batch from the one after the database's last checkpoint up to (at least) the last batch
     * the database applied. Otherwise the journal was cut, emptied or replaced with an older copy:
     * replaying it would roll acknowledged writes back, so the vault refuses to open and changes
     * nothing.
     */
    private void recover() throws SQLException {
        JournalPosition at = JournalPosition.read(writer, dir);
        Journal.Contents c = journal.scan();
        String problem = at.disagreement(c);
        if (problem != null) {
            throw new StorageException("The vault journal " + dir.resolve(Journal.FILE)
                    + (c.sealed() ? " (with its sealed segment " + Journal.SEALED + ")" : "") + " and the database "
                    + dir.resolve("vault.mv.db") + " disagree: " + problem + " Replaying it would roll acknowledged "
                    + "writes back, so the vault will not open; nothing was changed. Restore the journal (or the "
                    + "whole vault directory) from the copy it was taken from or a backup.");
        }
        if (c.blank()) {
            journal.continueAfter(at.applied());
            return;
        }
        JdbcTx tx = new JdbcTx(dir, writer, false, null);
        Journal.Contents replayed = journal.replay(changes -> changes.forEach(tx::apply));
        if (replayed.empty()) {
            journal.continueAfter(at.applied());
        } else {
            JournalPosition.recordApplied(writer, replayed.lastSequence());
        }
        writer.commit();
        if (replayed.batches() > 0) {
            LOG.info("replayed {} journal batches after an unclean shutdown", replayed.batches());
        }
        checkpoint();
    }

    /**
     * Makes everything durable in H2 itself and empties the journal: a clean H2 shutdown (whose
     * recovery is exact), a forced database file, then a fresh connection. Runs on the committer
     * thread (or before it starts) with every reader held off: at open, after a replay, at close,
     * and only as a fallback while the committer runs (see {@link #checkpointDue}).
     */
    private void checkpoint() {
        gate.writeLock().lock();
        try {
            checkpointer.exclusive(() -> {
                try {
                    closeReaders();
                    long t0 = System.nanoTime();
                    JournalPosition.recordCheckpoint(writer);
                    shutdown(writer);
                    long t1 = System.nanoTime();
                    forceDatabaseFile();
                    long t2 = System.nanoTime();
                    journal.truncate();
                    writer = connect(dir, url);
                    writer.setAutoCommit(false);
                    LOG.debug("clean checkpoint with every call held off: shutdown {} ms, sync {} ms, reopen {} ms",
                            (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
                } catch (SQLException e) {
                    throw new StorageException("The vault database could not be reopened after a checkpoint.", e);
                }
            });
        } finally {
            gate.writeLock().unlock();
        }
    }

    /**
     * A checkpoint that stops no call, once the current journal segment passed the size limit: the
     * segment is sealed and a fresh one started (a rename and two syncs on the committer's
     * thread), the checkpoint is recorded in the database in a commit of its own, and the
     * {@link Checkpointer} deletes the sealed segment in the background once the database file
     * holds that commit. While one is still pending the segment goes on growing; at four times the
     * limit (H2 has not rewritten its header since, as happens while it only appends to the end of
     * its file) the committer falls back to a clean checkpoint, which holds calls off.
     */
    private void checkpointDue() throws SQLException {
        if (journal.size() < checkpointBytes) {
            return;
        }
        if (checkpointer.pending()) {
            if (journal.size() >= 4 * checkpointBytes) {
                LOG.info("the database file has not caught up with the sealed journal segment; clean checkpoint");
                checkpoint();
            }
            return;
        }
        journal.seal();
        JournalPosition.recordCheckpoint(writer);
        long version = H2StoreHeader.currentVersion(writer);
        if (version < 0) {
            checkpoint(); // not an embedded H2 whose header can be read: only a clean shutdown is exact
        } else {
            checkpointer.finishLater(version);
        }
    }

    /** Closes every reader connection (under the gate's write lock): the next reads open fresh ones. */
    private void closeReaders() {
        synchronized (allReaders) {
            allReaders.forEach(H2Storage::closeQuietly);
            allReaders.clear();
            readers.clear();
        }
    }

    private static void shutdown(Connection c) {
        try (Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException e) {
            throw new StorageException("The vault database could not be shut down cleanly.", e);
        } finally {
            closeQuietly(c);
        }
    }

    private void forceDatabaseFile() {
        try (FileChannel f = FileChannel.open(dir.resolve("vault.mv.db"), StandardOpenOption.WRITE)) {
            f.force(true);
        } catch (IOException e) {
            throw new StorageException("The vault database file could not be synced.", e);
        }
    }

    @Override
    public String type() {
        return "h2";
    }

    @Override
    public <T> T write(TxWork<T> work) {
        return submit(new Pending<>(work, null, null));
    }

    @Override
    public <E> void writeBatched(Batch<E> kind, E item) {
        submit(new Pending<Void>(null, Objects.requireNonNull(kind, "kind"), item));
    }

    /**
     * Sets what runs while a checkpoint is under way (its segment sealed, the database file forced,
     * the segment not yet deleted); for tests that hold a checkpoint open.
     */
    void onCheckpoint(Runnable hook) {
        checkpointer.onCheckpoint(hook);
    }

    /** Checkpoints finished in the background since open; for tests. */
    long checkpointsFinished() {
        return checkpointer.finished();
    }

    /** Work items waiting for the committer; for tests that need to see callers queued. */
    int queued() {
        return queue.size();
    }

    private <T> T submit(Pending<T> p) {
        if (closed) {
            throw new StorageException("The vault storage is closed.");
        }
        queue.add(p);
        try {
            return p.future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("Interrupted while waiting for a durable commit.", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new StorageException("The write failed.", c);
        }
    }

    @Override
    public <T> T read(TxWork<T> work) {
        if (closed) {
            throw new StorageException("The vault storage is closed.");
        }
        gate.readLock().lock();
        try {
            Connection c = borrowReader();
            try {
                return work.run(new JdbcTx(dir, c, true, null));
            } finally {
                readers.add(c);
            }
        } catch (StorageException e) {
            if (StorageFailures.databaseClosed(e)) {
                reopen = true; // the committer reopens it within a second, writes or not
                String f = StorageFailures.describe(e, dir);
                failure = f;
                throw new StorageException(f, e);
            }
            throw e;
        } finally {
            gate.readLock().unlock();
        }
    }

    /**
     * A read on a connection of its own in one REPEATABLE READ transaction (H2 reads it from one
     * snapshot), so that a long backup sees one state while writers go on. It holds the checkpoint
     * gate shared: a checkpoint that falls due meanwhile waits for it.
     */
    @Override
    public <T> T snapshot(TxWork<T> work) {
        if (closed) {
            throw new StorageException("The vault storage is closed.");
        }
        gate.readLock().lock();
        Connection c = null;
        try {
            c = DriverManager.getConnection(url, "keyward", "");
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            return work.run(new JdbcTx(dir, c, true, null));
        } catch (SQLException e) {
            throw new StorageException("The vault database could not be read for a snapshot.", e);
        } finally {
            if (c != null) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    LOG.debug("ending a snapshot read failed");
                }
                closeQuietly(c);
            }
            gate.readLock().unlock();
        }
    }

    private Connection borrowReader() {
        Connection c = readers.poll();
        if (c != null) {
            return c;
        }
        synchronized (allReaders) {
            if (allReaders.size() < READERS) {
                try {
                    Connection n = DriverManager.getConnection(url, "keyward", "");
                    n.setReadOnly(true);
                    allReaders.add(n);
                    return n;
                } catch (SQLException e) {
                    throw new StorageException("The vault database could not be read.", e);
                }
            }
        }
        try {
            return readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("Interrupted while waiting for a database connection.", e);
        }
    }

    private void commitLoop() {
        List<Pending<?>> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            try {
                Pending<?> first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closed) {
                        return;
                    }
                    if (reopen && System.nanoTime() - lastReopenAttempt > 1_000_000_000L) {
                        reopenQuietly(); // so that reads come back too, without waiting for a write
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                runBatch(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failAll(batch, new StorageException("The vault storage is closing."));
                return;
            } catch (RuntimeException | Error e) {
                if (!writerUsable()) {
                    reopen = true;
                }
                failure = StorageFailures.describe(e, dir);
                LOG.error("group commit failed: {}", failure);
                failAll(batch, new StorageException(failure, e));
            } finally {
                batch.clear();
            }
        }
    }

    private void runBatch(List<Pending<?>> batch) {
        if (reopen) {
            reopenNow();
        }
        List<Journal.Change> changes = new ArrayList<>();
        JdbcTx tx = new JdbcTx(dir, writer, false, changes);
        for (int i = 0; i < batch.size(); i++) {
            Pending<?> p = batch.get(i);
            if (p.kind == null) {
                runIsolated(tx, p, () -> p.runIn(tx));
            } else if (!p.done) {
                runKind(tx, batch, i);
            }
        }
        if (!changes.isEmpty()) {
            long before = journal.size();
            try {
                JournalPosition.recordApplied(writer, journal.sequence() + 1); // in the batch's own commit
            } catch (SQLException e) {
                rollbackQuietly();
                throw new StorageException("The write could not be committed.", e);
            }
            try {
                journal.append(changes);
            } catch (RuntimeException e) {
                rollbackQuietly();
                undoJournal(before, false); // a partly written frame must not stay in front of later ones
                throw e;
            }
            try {
                writer.commit();
            } catch (SQLException e) {
                rollbackQuietly();
                if (writerUsable()) {
                    undoJournal(before, true);
                } else {
                    // H2 closed itself: whether it kept the batch is known only once it is reopened.
                    undecidedFrom = before;
                    undecidedBatch = journal.sequence();
                    reopen = true;
                }
                throw new StorageException("The write could not be committed.", e);
            }
        } else if (!writerUsable()) {
            reopen = true; // every item failed because the database is gone
        }
        tx.committed(LOG);
        for (Pending<?> p : batch) {
            p.complete();
        }
        if (!reopen) {
            failure = null;
        }
        if (journal.size() >= checkpointBytes) {
            try {
                checkpointDue();
            } catch (SQLException | RuntimeException e) {
                reopen = true;
                failure = StorageFailures.describe(e, dir);
                LOG.error("checkpoint failed: {}", failure);
            }
        }
    }

    /** Whether the write connection still works (H2 closes the database after a failed write to its file). */
    private boolean writerUsable() {
        if (writer == null) {
            return false;
        }
        try (Statement st = writer.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public java.util.Optional<String> failure() {
        return java.util.Optional.ofNullable(failure);
    }

    private void reopenQuietly() {
        try {
            reopenNow();
        } catch (RuntimeException stillFailing) {
            LOG.debug("the vault storage could not be reopened yet: {}", failure);
        }
    }

    /**
     * Reopens the database as open does, with every reader held off: a fresh connection, the batch
     * left undecided by a failed commit kept or cut by what the database holds, the journal checked
     * against the database and replayed, a checkpoint. Throws (and stays failed) while it cannot.
     */
    private void reopenNow() {
        lastReopenAttempt = System.nanoTime();
        gate.writeLock().lock();
        try {
            closeReaders();
            closeQuietly(writer);
            writer = connect(dir, url);
            writer.setAutoCommit(false);
            if (undecidedFrom >= 0) {
                if (JournalPosition.read(writer, dir).applied() < undecidedBatch) {
                    journal.takeBack(undecidedFrom);
                }
                undecidedFrom = -1;
            }
            recover();
            reopen = false;
            failure = null;
            LOG.info("the vault storage was reopened after a failure; writes go on");
        } catch (SQLException | RuntimeException e) {
            failure = StorageFailures.describe(e, dir);
            throw new StorageException(failure, e);
        } finally {
            gate.writeLock().unlock();
        }
    }

    /**
     * Runs every item of {@code batch.get(first)}'s kind in one call under one savepoint; if that
     * call throws, runs each item again on its own so that only the bad one fails.
     */
    private void runKind(JdbcTx tx, List<Pending<?>> batch, int first) {
        Batch<?> kind = batch.get(first).kind;
        List<Pending<?>> same = new ArrayList<>();
        for (int j = first; j < batch.size(); j++) {
            Pending<?> q = batch.get(j);
            if (q.kind == kind) {
                q.done = true;
                same.add(q);
            }
        }
        Throwable failed = runIsolated(tx, null, () -> runAll(kind, tx, same));
        if (failed != null) {
            if (same.size() == 1) {
                same.get(0).error = failed;
                return;
            }
            for (Pending<?> q : same) {
                runIsolated(tx, q, () -> runAll(kind, tx, List.of(q)));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <E> void runAll(Batch<E> kind, StorageTx tx, List<Pending<?>> items) {
        List<E> values = new ArrayList<>(items.size());
        items.forEach(q -> values.add((E) q.item));
        kind.runAll(tx, values);
    }

    /**
     * Runs {@code work} under its own savepoint: on failure it is rolled back (and its journal
     * changes and after-commit work dropped), and the failure is set on {@code owner} if given, and
     * returned.
     */
    private Throwable runIsolated(JdbcTx tx, Pending<?> owner, Runnable work) {
        Savepoint sp;
        long mark = tx.mark();
        try {
            sp = writer.setSavepoint();
        } catch (SQLException e) {
            throw new StorageException("Could not start a write.", e);
        }
        try {
            work.run();
            writer.releaseSavepoint(sp);
            return null;
        } catch (Throwable t) {
            try {
                writer.rollback(sp);
            } catch (SQLException e) {
                throw new StorageException("Could not roll back a failed write.", e);
            }
            tx.dropAfter(mark);
            if (owner != null) {
                owner.error = t;
            }
            return t;
        }
    }

    private void rollbackQuietly() {
        try {
            writer.rollback();
        } catch (SQLException ignored) {
            LOG.debug("rollback after a failed commit also failed");
        }
    }

    /**
     * Cuts a journaled batch (or a partly written frame) back out after the journal write or H2's
     * commit failed, so a restart cannot apply it.
     */
    private void undoJournal(long length, boolean appended) {
        try {
            if (appended) {
                journal.takeBack(length);
            } else {
                journal.cutTo(length);
            }
        } catch (RuntimeException e) {
            reopen = true; // the journal is checked against the database again before the next write
            LOG.error("a failed batch could not be cut out of the journal; the storage is reopened before the next write");
        }
    }

    private static void failAll(List<Pending<?>> batch, RuntimeException e) {
        for (Pending<?> p : batch) {
            p.future.completeExceptionally(e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            committer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failAll(new ArrayList<>(queue), new StorageException("The vault storage is closed."));
        checkpointer.close();
        synchronized (allReaders) {
            allReaders.forEach(H2Storage::closeQuietly);
        }
        boolean clean = !reopen;
        try {
            if (clean) {
                try {
                    JournalPosition.recordCheckpoint(writer);
                } catch (SQLException e) {
                    clean = false; // the journal stays: the next open replays it
                }
            }
            shutdown(writer);
            forceDatabaseFile();
            if (clean) {
                journal.truncate();
            }
        } catch (StorageException e) {
            LOG.warn("the vault database did not shut down cleanly; its journal is kept for the next open");
        } finally {
            journal.close();
            dirLock.close();
        }
    }

    private static void closeQuietly(Connection c) {
        JdbcTx.forget(c);
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("close: {}", e.getMessage());
        }
    }
}
