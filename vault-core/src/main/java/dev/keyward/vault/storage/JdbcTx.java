package dev.keyward.vault.storage;

import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.StorageException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** JDBC access to the records table. */
final class JdbcTx implements StorageTx {
    /** Prepared statements per open connection; removed when the connection closes ({@link #forget}). */
    private static final Map<Connection, Map<String, PreparedStatement>> STATEMENTS = new ConcurrentHashMap<>();

    private final Path dir;
    private final Connection c;
    private final boolean readOnly;
    /** Where a write transaction records its changes for the journal (null: not journaled). */
    private final List<Journal.Change> changes;
    /** Work to run once the batch is durable (write transactions of the committer only). */
    private final List<Runnable> afterCommit = new ArrayList<>();

    JdbcTx(Path dir, Connection c, boolean readOnly, List<Journal.Change> changes) {
        this.dir = dir;
        this.c = c;
        this.readOnly = readOnly;
        this.changes = changes;
    }

    /**
     * A prepared statement kept with its connection (one thread uses a connection at a time;
     * the statements close with it).
     */
    private PreparedStatement statement(String sql) throws SQLException {
        return statement(c, sql);
    }

    @Override
    public void afterCommit(Runnable action) {
        if (changes == null) {
            throw new IllegalStateException("work after commit is for write transactions");
        }
        afterCommit.add(action);
    }

    /** Where a work item starts: its changes and after-commit work can be dropped back to here. */
    long mark() {
        return ((long) changes.size() << 32) | afterCommit.size();
    }

    /** Drops the changes and after-commit work of a work item that was rolled back. */
    void dropAfter(long mark) {
        changes.subList((int) (mark >>> 32), changes.size()).clear();
        afterCommit.subList((int) mark, afterCommit.size()).clear();
    }

    /** The batch is durable: runs the after-commit work, each on its own. */
    void committed(org.slf4j.Logger log) {
        for (Runnable r : afterCommit) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("work after a commit failed: {}", e.getClass().getSimpleName());
            }
        }
        afterCommit.clear();
    }

    /** Drops the statements kept for a connection that is being closed. */
    static void forget(Connection c) {
        STATEMENTS.remove(c);
    }

    static PreparedStatement statement(Connection c, String sql) throws SQLException {
        Map<String, PreparedStatement> cache = STATEMENTS.computeIfAbsent(c, k -> new HashMap<>());
        PreparedStatement ps = cache.get(sql);
        if (ps == null) {
            ps = c.prepareStatement(sql);
            cache.put(sql, ps);
        }
        return ps;
    }

    /** Applies a journaled change (replay). */
    void apply(Journal.Change ch) {
        switch (ch.kind()) {
            case PUT -> put(ch.key(), ch.value());
            case DELETE -> delete(ch.key());
            case DELETE_PREFIX -> deletePrefix(ch.key());
            default -> throw new IllegalStateException("unknown change");
        }
    }

    private void record(Journal.Change.Kind kind, String key, byte[] value) {
        if (changes != null) {
            changes.add(new Journal.Change(kind, key, value));
        }
    }

    @Override
    public byte[] get(String key) {
        try {
            PreparedStatement ps = statement("SELECT v FROM records WHERE k = ?");
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
        try {
            PreparedStatement ps = statement("MERGE INTO records (k, v) KEY (k) VALUES (?, ?)");
            ps.setString(1, key);
            ps.setBytes(2, value);
            ps.executeUpdate();
            record(Journal.Change.Kind.PUT, key, value.clone());
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    @Override
    public boolean delete(String key) {
        checkWritable();
        try {
            PreparedStatement ps = statement("DELETE FROM records WHERE k = ?");
            ps.setString(1, key);
            boolean deleted = ps.executeUpdate() > 0;
            if (deleted) {
                record(Journal.Change.Kind.DELETE, key, null);
            }
            return deleted;
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
        try {
            PreparedStatement ps = statement(sql);
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
    public long count(String prefix) {
        try {
            PreparedStatement ps = statement("SELECT COUNT(*) FROM records WHERE k >= ? AND k < ?");
            ps.setString(1, prefix);
            ps.setString(2, prefix + '\u007f');
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    @Override
    public int deletePrefix(String prefix) {
        checkWritable();
        try {
            PreparedStatement ps = statement("DELETE FROM records WHERE k >= ? AND k < ?");
            ps.setString(1, prefix);
            ps.setString(2, prefix + '\u007f');
            int n = ps.executeUpdate();
            if (n > 0) {
                record(Journal.Change.Kind.DELETE_PREFIX, prefix, null);
            }
            return n;
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

    private KeywardException failure(SQLException e) {
        return new StorageException(StorageFailures.describe(e, dir), e);
    }
}
