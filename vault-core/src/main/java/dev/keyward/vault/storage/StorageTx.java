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

    /** Removes every entry under a prefix; returns how many. */
    int deletePrefix(String prefix);

    record Entry(String key, byte[] value) {
    }
}
