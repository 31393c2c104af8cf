package dev.keyward.vault.storage;

import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.StorageException;
import dev.keyward.vault.api.VaultInUseException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default: one H2 file ({@code vault.mv.db}) in the vault directory. H2 holds a
 * file lock, so a second process gets {@link VaultInUseException}.
 *
 * <p>Durability by group commit: one committer thread owns the write connection. It takes every
 * pending work item from the queue, runs each under its own savepoint, commits once, then forces
 * the file to the device ({@code CHECKPOINT SYNC}) before any caller of the batch is answered.
 * So an acknowledged write survives a crash of the process and of the machine, and concurrent
 * callers share one sync.
 */
public final class H2Storage implements Storage {
    private static final Logger LOG = LoggerFactory.getLogger(H2Storage.class);
    private static final int MAX_BATCH = 256;
    private static final int READERS = 4;
    private static final int H2_DATABASE_IN_USE = 90020;

    private final String url;
    private final Connection writer;
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
    private final BlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
    private final Thread committer;
    private final List<Connection> allReaders = new ArrayList<>();
    private volatile boolean closed;

    private final DirectoryLock dirLock;

    private H2Storage(String url, Connection writer, DirectoryLock dirLock) {
        this.url = url;
        this.dirLock = dirLock;
        this.writer = writer;
        this.committer = new Thread(this::commitLoop, "keyward-group-commit");
        this.committer.setDaemon(true);
        this.committer.start();
    }

    /** Opens (creating if needed) the database in {@code dir} and migrates its schema. */
    public static H2Storage open(Path dir) {
        String url = "jdbc:h2:file:" + dir.toAbsolutePath().resolve("vault")
                + ";TRACE_LEVEL_FILE=0;TRACE_LEVEL_SYSTEM_OUT=0;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
        DirectoryLock dirLock = DirectoryLock.acquire(dir);
        Connection writer;
        try {
            writer = DriverManager.getConnection(url, "keyward", "");
        } catch (SQLException e) {
            dirLock.close();
            if (e.getErrorCode() == H2_DATABASE_IN_USE) {
                throw new VaultInUseException("The vault directory " + dir
                        + " is in use by another Keyward process (a running 'keyward serve' or console).");
            }
            throw new StorageException("The vault database in " + dir + " could not be opened: " + e.getMessage(), e);
        }
        try {
            Flyway.configure()
                    .dataSource(new SingleConnectionDataSource(writer))
                    .locations("classpath:db/migration/h2")
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
            writer.setAutoCommit(false);
        } catch (RuntimeException | SQLException e) {
            closeQuietly(writer);
            dirLock.close();
            throw new StorageException("The vault database schema could not be migrated.", e);
        }
        return new H2Storage(url, writer, dirLock);
    }

    @Override
    public String type() {
        return "h2";
    }

    @Override
    public <T> T write(TxWork<T> work) {
        if (closed) {
            throw new StorageException("The vault storage is closed.");
        }
        Pending<T> p = new Pending<>(work);
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
        Connection c = borrowReader();
        try {
            return work.run(new JdbcTx(c, true));
        } finally {
            readers.add(c);
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
                LOG.error("group commit failed: {}", e.getClass().getName());
                failAll(batch, new StorageException("The write could not be made durable.", e));
            } finally {
                batch.clear();
            }
        }
    }

    private void runBatch(List<Pending<?>> batch) {
        JdbcTx tx = new JdbcTx(writer, false);
        for (Pending<?> p : batch) {
            Savepoint sp;
            try {
                sp = writer.setSavepoint();
            } catch (SQLException e) {
                throw new StorageException("Could not start a write.", e);
            }
            try {
                p.runIn(tx);
                writer.releaseSavepoint(sp);
            } catch (Throwable t) {
                try {
                    writer.rollback(sp);
                } catch (SQLException e) {
                    throw new StorageException("Could not roll back a failed write.", e);
                }
                p.error = t;
            }
        }
        try {
            writer.commit();
            try (Statement s = writer.createStatement()) {
                s.execute("CHECKPOINT SYNC");
            }
        } catch (SQLException e) {
            try {
                writer.rollback();
            } catch (SQLException ignored) {
                LOG.debug("rollback after failed commit also failed");
            }
            throw new StorageException("The write could not be committed durably.", e);
        }
        for (Pending<?> p : batch) {
            p.complete();
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
        synchronized (allReaders) {
            allReaders.forEach(H2Storage::closeQuietly);
        }
        try (Statement s = writer.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException e) {
            LOG.debug("shutdown: {}", e.getMessage());
        }
        closeQuietly(writer);
        dirLock.close();
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("close: {}", e.getMessage());
        }
    }

    private static final class Pending<T> {
        final TxWork<T> work;
        final CompletableFuture<T> future = new CompletableFuture<>();
        T result;
        Throwable error;

        Pending(TxWork<T> work) {
            this.work = work;
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

    /** JDBC access to the records table. */
    private static final class JdbcTx implements StorageTx {
        private final Connection c;
        private final boolean readOnly;

        JdbcTx(Connection c, boolean readOnly) {
            this.c = c;
            this.readOnly = readOnly;
        }

        @Override
        public byte[] get(String key) {
            try (PreparedStatement ps = c.prepareStatement("SELECT v FROM records WHERE k = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            } catch (SQLException e) {
                throw failure(e);
            }
        }

        @Override
        public void put(String key, byte[] value) {
            checkWritable();
            checkKey(key);
            try (PreparedStatement ps = c.prepareStatement("MERGE INTO records (k, v) KEY (k) VALUES (?, ?)")) {
                ps.setString(1, key);
                ps.setBytes(2, value);
                ps.executeUpdate();
            } catch (SQLException e) {
                throw failure(e);
            }
        }

        @Override
        public boolean delete(String key) {
            checkWritable();
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM records WHERE k = ?")) {
                ps.setString(1, key);
                return ps.executeUpdate() > 0;
            } catch (SQLException e) {
                throw failure(e);
            }
        }

        @Override
        public List<Entry> scan(String prefix, String startAfter, int limit) {
            String from = startAfter != null && startAfter.compareTo(prefix) > 0 ? startAfter : null;
            String sql = from == null
                    ? "SELECT k, v FROM records WHERE k >= ? AND k < ? ORDER BY k LIMIT ?"
                    : "SELECT k, v FROM records WHERE k > ? AND k < ? ORDER BY k LIMIT ?";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, from == null ? prefix : from);
                ps.setString(2, prefix + '\u007f');
                ps.setInt(3, limit);
                List<Entry> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Entry(rs.getString(1), rs.getBytes(2)));
                    }
                }
                return out;
            } catch (SQLException e) {
                throw failure(e);
            }
        }

        @Override
        public int deletePrefix(String prefix) {
            checkWritable();
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM records WHERE k >= ? AND k < ?")) {
                ps.setString(1, prefix);
                ps.setString(2, prefix + '\u007f');
                return ps.executeUpdate();
            } catch (SQLException e) {
                throw failure(e);
            }
        }

        private void checkWritable() {
            if (readOnly) {
                throw new IllegalStateException("write attempted in a read transaction");
            }
        }

        private static void checkKey(String key) {
            if (key.isEmpty() || key.length() > 1024) {
                throw new IllegalArgumentException("storage key length out of range");
            }
            for (int i = 0; i < key.length(); i++) {
                char ch = key.charAt(i);
                if (ch < 0x21 || ch > 0x7e) {
                    throw new IllegalArgumentException("storage keys are printable ASCII");
                }
            }
        }

        private static KeywardException failure(SQLException e) {
            return new StorageException("The vault database failed: " + e.getSQLState(), e);
        }
    }
}
