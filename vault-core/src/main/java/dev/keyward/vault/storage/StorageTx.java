package dev.keyward.vault.storage;

import java.util.List;

/** One transaction's view of the store. Keys are printable ASCII of at most 1024 characters. */
public interface StorageTx {

    /** The value, or null when absent. */
    byte[] get(String key);

    void put(String key, byte[] value);

    /** Returns whether a value was removed. */
    boolean delete(String key);

    /** Up to {@code limit} entries whose key starts with {@code prefix} and sorts after {@code startAfter} (null = from the start), in key order. */
    List<Entry> scan(String prefix, String startAfter, int limit);

    /** How many entries have a key that starts with {@code prefix} (a backup's known total). */
    default long count(String prefix) {
        long n = 0;
        String after = null;
        while (true) {
            List<Entry> page = scan(prefix, after, 1000);
            n += page.size();
            if (page.size() < 1000) {
                return n;
            }
            after = page.get(page.size() - 1).key();
        }
    }

    /** Removes every entry under a prefix; returns how many. */
    int deletePrefix(String prefix);

    /**
     * Runs {@code action} once this transaction's changes are durable (not if they are rolled back),
     * on the committer thread, before the callers are answered. For telling the world outside the
     * vault about a change (a published tree head); it must be quick and must not throw.
     */
    default void afterCommit(Runnable action) {
        throw new UnsupportedOperationException("this transaction cannot run work after its commit");
    }

    record Entry(String key, byte[] value) {
    }
}
