package dev.keyward.vault.governance;

import dev.keyward.vault.crypto.DestroyableKey;
import dev.keyward.vault.crypto.Random;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;

/**
 * The stored values of one leak scan, reduced to keyed fingerprints, and the matcher that finds
 * them in documents. Built inside the vault; no value, hash or length ever leaves it.
 *
 * <p>Method: a value of {@code L >= MIN_LENGTH} bytes occurs in a document exactly when some
 * window of {@code L} bytes of the document equals it. So every window of every stored length,
 * at every offset, is a candidate; this covers values of any length a field can have (up to the
 * 1 MiB a version may hold), values containing spaces, quotes or line breaks, and values glued to
 * other text without a delimiter. To keep that linear in the document's size, the first
 * {@code MIN_LENGTH} bytes at each offset are read as one 64-bit word, put through a keyed
 * bijective mixer, and looked up in a hash table of the values' mixed prefixes; only at offsets
 * whose prefix belongs to a stored value is the full window of each of that prefix's lengths
 * compared, by HMAC-SHA256 under the scan's random key, in constant time. The table holds the
 * mixed prefixes and the HMACs, never the values.
 */
public final class LeakIndex implements AutoCloseable {
    /** The shortest value looked for, in bytes: shorter strings occur in ordinary text by chance. */
    public static final int MIN_LENGTH = 8;

    /** Where a value is stored. */
    public record Ref(String path, String field, int version, boolean current) {
    }

    /** A value found at {@code offset} of the buffer scanned. */
    public record Hit(int offset, int length, Ref ref) {
    }

    /** Values of one prefix and one length share a tag list. */
    private record Entry(int length, byte[][] tags, List<List<Ref>> refs) {
    }

    private final DestroyableKey key;
    private final long k0;
    private final long k1;
    private final long[] slotKeys;
    private final int[] slotGroup;
    private final int mask;
    private final Entry[][] groups;
    private final int values;
    private final int maxLength;

    private LeakIndex(DestroyableKey key, long k0, long k1, Map<Long, Map<Integer, Map<String, Tagged>>> byPrefix,
                      int values, int maxLength) {
        this.key = key;
        this.k0 = k0;
        this.k1 = k1;
        this.values = values;
        this.maxLength = maxLength;
        int capacity = Integer.highestOneBit(Math.max(16, byPrefix.size() * 4) - 1) << 1;
        this.slotKeys = new long[capacity];
        this.slotGroup = new int[capacity];
        Arrays.fill(slotGroup, -1);
        this.mask = capacity - 1;
        this.groups = new Entry[byPrefix.size()][];
        int g = 0;
        for (Map.Entry<Long, Map<Integer, Map<String, Tagged>>> p : byPrefix.entrySet()) {
            List<Entry> entries = new ArrayList<>();
            p.getValue().forEach((length, tagged) -> {
                byte[][] tags = new byte[tagged.size()][];
                List<List<Ref>> refs = new ArrayList<>();
                int i = 0;
                for (Tagged t : tagged.values()) {
                    tags[i++] = t.tag;
                    refs.add(List.copyOf(t.refs));
                }
                entries.add(new Entry(length, tags, List.copyOf(refs)));
            });
            groups[g] = entries.toArray(new Entry[0]);
            int slot = (int) p.getKey().longValue() & mask;
            while (slotGroup[slot] != -1) {
                slot = (slot + 1) & mask;
            }
            slotKeys[slot] = p.getKey();
            slotGroup[slot] = g;
            g++;
        }
    }

    /** How many distinct stored values the index holds. */
    public int values() {
        return values;
    }

    /** The longest value, in bytes (what a segment must carry into the next; stays inside the vault). */
    int maxLength() {
        return maxLength;
    }

    /** Collects values; {@link #build} makes the index. */
    public static Builder builder() {
        return new Builder();
    }

    private static final class Tagged {
        final byte[] tag;
        final List<Ref> refs = new ArrayList<>();

        Tagged(byte[] tag) {
            this.tag = tag;
        }
    }

    public static final class Builder {
        private final DestroyableKey key = DestroyableKey.generate(32, "HmacSHA256");
        private final long k0;
        private final long k1;
        private final Mac mac;
        private final Map<Long, Map<Integer, Map<String, Tagged>>> byPrefix = new LinkedHashMap<>();
        private int values;
        private int tooShort;
        private int maxLength;

        private Builder() {
            ByteBuffer b = ByteBuffer.wrap(Random.bytes(16));
            this.k0 = b.getLong();
            this.k1 = b.getLong() | 1L; // odd: multiplying by it is a bijection
            this.mac = mac(key);
        }

        /**
         * Adds one stored value (its UTF-8 bytes; the caller wipes the array afterwards). Values
         * shorter than {@link #MIN_LENGTH} are counted and left out.
         */
        public Builder add(byte[] value, Ref ref) {
            if (value.length < MIN_LENGTH) {
                tooShort++;
                return this;
            }
            long prefix = mix(k0, k1, word(value, 0));
            byte[] tag = mac.doFinal(value);
            Map<String, Tagged> sameLength = byPrefix.computeIfAbsent(prefix, p -> new LinkedHashMap<>())
                    .computeIfAbsent(value.length, l -> new LinkedHashMap<>());
            Tagged t = sameLength.computeIfAbsent(HexFormat.of().formatHex(tag), h -> {
                values++;
                return new Tagged(tag);
            });
            t.refs.add(ref);
            maxLength = Math.max(maxLength, value.length);
            return this;
        }

        /** Values left out for being shorter than {@link #MIN_LENGTH}. */
        public int tooShort() {
            return tooShort;
        }

        public LeakIndex build() {
            return new LeakIndex(key, k0, k1, byPrefix, values, maxLength);
        }
    }

    /**
     * Finds every stored value lying in {@code buf[0, length)} whose end is after {@code reportAfter}
     * (the bytes before it were scanned already, as the tail of an earlier segment).
     */
    public List<Hit> scan(byte[] buf, int length, int reportAfter) {
        List<Hit> hits = new ArrayList<>();
        if (length < MIN_LENGTH || groups.length == 0) {
            return hits;
        }
        Mac m = mac(key);
        long w = word(buf, 0);
        int last = length - MIN_LENGTH;
        for (int i = 0; ; i++) {
            long h = mix(k0, k1, w);
            int slot = (int) h & mask;
            int g;
            while ((g = slotGroup[slot]) != -1) {
                if (slotKeys[slot] == h) {
                    confirm(m, buf, length, i, groups[g], reportAfter, hits);
                    break;
                }
                slot = (slot + 1) & mask;
            }
            if (i == last) {
                return hits;
            }
            w = (w << 8) | (buf[i + MIN_LENGTH] & 0xFF);
        }
    }

    private static void confirm(Mac m, byte[] buf, int length, int at, Entry[] entries, int reportAfter,
                                List<Hit> hits) {
        for (Entry e : entries) {
            int end = at + e.length;
            if (end > length || end <= reportAfter) {
                continue;
            }
            m.update(buf, at, e.length);
            byte[] tag = m.doFinal();
            for (int t = 0; t < e.tags.length; t++) {
                if (MessageDigest.isEqual(tag, e.tags[t])) {
                    for (Ref r : e.refs.get(t)) {
                        hits.add(new Hit(at, e.length, r));
                    }
                }
            }
        }
    }

    private static long word(byte[] b, int at) {
        long w = 0;
        for (int i = 0; i < MIN_LENGTH; i++) {
            w = (w << 8) | (b[at + i] & 0xFF);
        }
        return w;
    }

    /** A keyed bijection on 64-bit words (a hash-table mixer, not a cryptographic function). */
    private static long mix(long k0, long k1, long w) {
        long h = (w ^ k0) * k1;
        h ^= h >>> 32;
        h *= 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        return h;
    }

    private static Mac mac(DestroyableKey key) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }

    @Override
    public void close() {
        key.destroy();
    }

    @Override
    public String toString() {
        return "LeakIndex[" + values + " values, keys hidden]";
    }
}
