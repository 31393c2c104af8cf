package dev.keyward.vault.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.api.AuditExport;
import dev.keyward.vault.api.AuditFailureException;
import dev.keyward.vault.api.AuditPage;
import dev.keyward.vault.api.AuditProblem;
import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.ConsistencyProof;
import dev.keyward.vault.api.InclusionProof;
import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.TreeHead;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.Keyring;
import dev.keyward.vault.crypto.Signer;
import dev.keyward.vault.storage.StorageTx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The audit log as an append-only Merkle tree (RFC 9162 hashing) in the vault's own storage.
 *
 * <pre>
 * audit/e/&lt;seq, 16 hex&gt;            the canonical entry, sealed by the barrier (names and paths are sensitive)
 * audit/l/&lt;seq / 16, 16 hex&gt;       the leaf hashes of 16 consecutive entries, 32 bytes each, in order
 * audit/h/&lt;level&gt;/&lt;index&gt;        hash of each perfect subtree of 16 or more leaves (level 4 and up)
 * audit/state                      sealed: size, the frontier (roots of the perfect subtrees), last head
 * audit/sth/&lt;size, 16 hex&gt;          signed tree heads (public)
 * audit/key/&lt;key id&gt;              every public key that signed a head (public)
 * </pre>
 *
 * Subtrees below level 4 are computed from the leaf hashes when a proof needs them, so an entry
 * costs one entry record plus a sixteenth of a leaf record and of a node record, not a record per
 * tree node. Logs written before the leaves were grouped keep their leaves as level-0 nodes
 * ({@code audit/h/00/...}); both are read.
 *
 * <p>Entries are sealed under one constant binding, not their slot: their position is authenticated
 * by the Merkle tree, so a moved entry still opens and verification can say it was reordered.
 * {@link #append} runs on the group-commit thread inside the caller's transaction, reading the
 * state from that transaction, so a rolled-back call leaves no trace in the tree.
 */
public final class MerkleAuditLog implements AuditSink {
    public static final String ENTRY_PREFIX = "audit/e/";
    public static final String NODE_PREFIX = "audit/h/";
    public static final String LEAF_PREFIX = "audit/l/";
    /** Leaves per leaf record, and the lowest level of stored subtree hashes (2^4 = 16). */
    static final int LEAVES_PER_RECORD = 16;
    static final int LOWEST_STORED_LEVEL = 4;
    private static final String LEGACY_LEAF_PREFIX = NODE_PREFIX + "00/";
    public static final String STATE = "audit/state";
    public static final String HEAD_PREFIX = "audit/sth/";
    public static final String KEY_PREFIX = "audit/key/";
    public static final Barrier.Binding ENTRY_BINDING = Barrier.Binding.of("audit.entry", "audit/log");
    public static final Barrier.Binding STATE_BINDING = Barrier.Binding.of("audit.state", STATE);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    private static final int BATCH = 1000;

    /**
     * When heads are signed automatically.
     *
     * @param everyEntries sign once this many entries arrived since the last head
     * @param every        or once this much time passed since the last head and an entry arrives
     */
    public record Settings(int everyEntries, Duration every) {
        public Settings {
            if (everyEntries < 1) {
                throw new IllegalArgumentException("everyEntries must be >= 1");
            }
            Objects.requireNonNull(every, "every");
        }

        public static Settings defaults() {
            return new Settings(1000, Duration.ofSeconds(60));
        }
    }

    private final Settings settings;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MerkleAuditLog.class);
    private volatile HeadPublisher publisher = HeadPublisher.NONE;
    private final java.util.concurrent.CopyOnWriteArrayList<AuditTap> taps = new java.util.concurrent.CopyOnWriteArrayList<>();

    public MerkleAuditLog() {
        this(Settings.defaults());
    }

    public MerkleAuditLog(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public Settings settings() {
        return settings;
    }

    /** Where every signed head goes once it is durable (witness file, HSM, SIEM file). */
    public void publishTo(HeadPublisher p) {
        this.publisher = p == null ? HeadPublisher.NONE : p;
    }

    /** Adds a reader of every durable entry (anomaly detection, change notifications). */
    public void tapTo(AuditTap tap) {
        taps.add(Objects.requireNonNull(tap, "tap"));
    }

    /** Removes a reader added with {@link #tapTo}. */
    public void untap(AuditTap tap) {
        taps.remove(tap);
    }

    @Override
    public Optional<MerkleAuditLog> log() {
        return Optional.of(this);
    }

    // ------------------------------------------------------------------ state

    /** The sealed log state. */
    static final class State {
        long size;
        List<byte[]> frontier = new ArrayList<>();
        long headSize = -1;
        long headMillis;

        State copy() {
            State c = new State();
            c.size = size;
            c.frontier = new ArrayList<>(frontier);
            c.headSize = headSize;
            c.headMillis = headMillis;
            return c;
        }

        byte[] encode() {
            ObjectNode o = JSON.createObjectNode();
            o.put("size", size);
            ArrayNode a = o.putArray("frontier");
            frontier.forEach(h -> a.add(HEX.formatHex(h)));
            o.put("headSize", headSize);
            o.put("headMillis", headMillis);
            return o.toString().getBytes(StandardCharsets.UTF_8);
        }

        static State decode(byte[] b) {
            try {
                JsonNode n = JSON.readTree(b);
                State s = new State();
                s.size = n.get("size").longValue();
                n.get("frontier").forEach(h -> s.frontier.add(HEX.parseHex(h.asText())));
                s.headSize = n.get("headSize").longValue();
                s.headMillis = n.get("headMillis").longValue();
                return s;
            } catch (IOException | RuntimeException e) {
                throw new IntegrityException("The audit log's state could not be parsed.");
            }
        }
    }

    /** A state as sealed and stored, with the stored bytes. */
    private record Written(byte[] sealed, State state) {
    }

    /**
     * The state for an append: the one this context stored last if the stored bytes are still
     * exactly those (same batch or no one else wrote; a rolled-back or altered record has other
     * bytes and is opened and checked as usual).
     */
    private static State stateForAppend(AuditContext keys, StorageTx tx) {
        byte[] sealed = tx.get(STATE);
        if (sealed != null && keys.lastState().get() instanceof Written w && Arrays.equals(sealed, w.sealed())) {
            return w.state().copy();
        }
        return opened(keys.barrier(), sealed);
    }

    static State state(Barrier barrier, StorageTx tx) {
        return opened(barrier, tx.get(STATE));
    }

    private static State opened(Barrier barrier, byte[] sealed) {
        return sealed == null ? new State() : State.decode(barrier.open(STATE_BINDING, sealed));
    }

    private static void saveState(Barrier barrier, StorageTx tx, State s) {
        tx.put(STATE, barrier.seal(STATE_BINDING, s.encode()));
    }

    static String entryKey(long seq) {
        return ENTRY_PREFIX + HEX.toHexDigits(seq);
    }

    static String nodeKey(int level, long index) {
        return NODE_PREFIX + HEX.toHexDigits((byte) level) + "/" + HEX.toHexDigits(index);
    }

    static String leafKey(long seq) {
        return LEAF_PREFIX + HEX.toHexDigits(seq / LEAVES_PER_RECORD);
    }

    static String headKey(long size) {
        return HEAD_PREFIX + HEX.toHexDigits(size);
    }

    /** The leaf record an append is filling: the hashes stored so far plus the new ones, in order. */
    private static final class LeafRecord {
        private final long first;
        private byte[] hashes;

        private LeafRecord(long first, byte[] hashes) {
            this.first = first;
            this.hashes = hashes;
        }

        static LeafRecord load(StorageTx tx, long seq) {
            long first = seq - seq % LEAVES_PER_RECORD;
            byte[] stored = tx.get(leafKey(seq));
            int expected = Math.toIntExact((seq - first) * Merkle.HASH_BYTES);
            if (stored == null) {
                stored = new byte[0];
            } else if (stored.length > expected) {
                throw new IntegrityException("The audit log's leaf record " + leafKey(seq) + " holds more leaves than"
                        + " the log has entries; run audit verification.");
            }
            // Slots before this entry that the record lacks were written as level-0 nodes (an older
            // log); they stay zero here and are read from there.
            return new LeafRecord(first, Arrays.copyOf(stored, expected));
        }

        boolean holds(long seq) {
            return seq - first < LEAVES_PER_RECORD && seq >= first;
        }

        void add(long seq, byte[] leaf) {
            if (hashes.length != (seq - first) * Merkle.HASH_BYTES) {
                throw new IllegalStateException("leaves must be added in order");
            }
            byte[] grown = Arrays.copyOf(hashes, hashes.length + Merkle.HASH_BYTES);
            System.arraycopy(leaf, 0, grown, hashes.length, Merkle.HASH_BYTES);
            hashes = grown;
        }

        void store(StorageTx tx) {
            tx.put(leafKey(first), hashes);
        }
    }

    // ------------------------------------------------------------------ append

    @Override
    public void append(AuditEvent event, AuditContext keys, StorageTx tx) {
        appendAll(List.of(AuditDraft.of(event)), keys, tx);
    }

    @Override
    public AuditDraft draft(AuditEvent event) {
        return AuditEntries.draft(event);
    }

    @Override
    public void appendAll(List<AuditDraft> drafts, AuditContext keys, StorageTx tx) {
        try {
            appendEntries(drafts, keys, tx);
        } catch (AuditFailureException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new AuditFailureException("The audit entry could not be written, so the operation was refused.", e);
        }
    }

    /**
     * Appends the drafts in order and returns the canonical bytes written (for mirrors such as a
     * SIEM file). The state is read and sealed once for all of them.
     */
    List<byte[]> appendEntries(List<AuditDraft> drafts, AuditContext keys, StorageTx tx) {
        Barrier barrier = keys.barrier();
        State s = stateForAppend(keys, tx);
        Merkle.Frontier f = new Merkle.Frontier(s.size, s.frontier);
        java.security.MessageDigest md = Merkle.sha256();
        List<byte[]> written = new ArrayList<>(drafts.size());
        List<AuditTap.Committed> told = taps.isEmpty() ? null : new ArrayList<>(drafts.size());
        LeafRecord leaves = null;
        for (AuditDraft d : drafts) {
            long seq = f.size();
            if (told != null) {
                told.add(new AuditTap.Committed(seq, d.event()));
            }
            byte[] entry = d.at(seq);
            tx.put(entryKey(seq), barrier.seal(ENTRY_BINDING, entry));
            byte[] leaf = Merkle.leafHash(md, entry, 0, entry.length);
            if (leaves == null || !leaves.holds(seq)) {
                if (leaves != null) {
                    leaves.store(tx);
                }
                leaves = LeafRecord.load(tx, seq);
            }
            leaves.add(seq, leaf);
            f.append(leaf, (level, index, hash) -> {
                if (level >= LOWEST_STORED_LEVEL) {
                    tx.put(nodeKey(level, index), hash);
                }
            });
            s.size = f.size();
            Instant time = d.event().time();
            boolean due = s.size - Math.max(0, s.headSize) >= settings.everyEntries()
                    || Duration.ofMillis(Math.max(0, time.toEpochMilli() - s.headMillis))
                    .compareTo(settings.every()) >= 0;
            if (due) {
                sign(keys, tx, s, f.root(), time, leaves);
            }
            written.add(entry);
        }
        if (leaves != null) {
            leaves.store(tx);
        }
        s.frontier = f.roots();
        byte[] sealed = barrier.seal(STATE_BINDING, s.encode());
        tx.put(STATE, sealed);
        keys.lastState().set(new Written(sealed, s.copy()));
        if (told != null) {
            List<AuditTap.Committed> entries = java.util.Collections.unmodifiableList(told);
            tx.afterCommit(() -> {
                for (AuditTap t : taps) {
                    try {
                        t.committed(entries);
                    } catch (RuntimeException e) {
                        LOG.warn("An audit reader failed ({}); the entries are durable.", e.getClass().getSimpleName());
                    }
                }
            });
        }
        return written;
    }

    /**
     * Signs a head over every entry now in the log (on demand, or from a timer). Returns the
     * existing latest head if nothing was added since.
     */
    public TreeHead issueHead(AuditContext keys, StorageTx tx, Instant now) {
        State s = state(keys.barrier(), tx);
        if (s.headSize == s.size) {
            TreeHead h = head(tx, s.size);
            if (h != null) {
                return h;
            }
        }
        TreeHead h = sign(keys, tx, s, new Merkle.Frontier(s.size, s.frontier).root(), now, null);
        saveState(keys.barrier(), tx, s);
        return h;
    }

    /** Whether entries arrived that no head covers and {@link Settings#every()} passed since the last head. */
    public boolean headDue(AuditContext keys, StorageTx tx, Instant now) {
        State s = state(keys.barrier(), tx);
        return s.size > Math.max(0, s.headSize)
                && Duration.ofMillis(Math.max(0, now.toEpochMilli() - s.headMillis)).compareTo(settings.every()) >= 0;
    }

    private TreeHead sign(AuditContext keys, StorageTx tx, State s, byte[] root, Instant now, LeafRecord filling) {
        Signer signer = signer(keys);
        long ms = Math.max(now.toEpochMilli(), s.headMillis);
        TreeHead h = TreeHeads.sign(s.size, root, Instant.ofEpochMilli(ms), signer);
        String keyKey = KEY_PREFIX + h.keyId();
        if (tx.get(keyKey) == null) {
            tx.put(keyKey, TreeHeads.toJson(TreeHeads.keyOf(signer)).getBytes(StandardCharsets.UTF_8));
        }
        tx.put(headKey(s.size), TreeHeads.toJson(h).getBytes(StandardCharsets.UTF_8));
        s.headSize = s.size;
        s.headMillis = ms;
        HeadPublisher p = publisher;
        if (p != HeadPublisher.NONE && s.size > 0) {
            String logId = logId(tx, filling);
            if (logId != null) {
                tx.afterCommit(() -> p.published(logId, h));
            }
        }
        return h;
    }

    // ------------------------------------------------------------------ identity and rollback

    /**
     * The log's identity: the hex leaf hash of its first entry (the vault's init, which holds a
     * random request id and its time), stable for the life of the vault and different for every
     * vault. Null while the log is empty.
     */
    public String logId(StorageTx tx) {
        return logId(tx, null);
    }

    private static String logId(StorageTx tx, LeafRecord filling) {
        if (filling != null && filling.first == 0 && filling.hashes.length >= Merkle.HASH_BYTES) {
            return HEX.formatHex(filling.hashes, 0, Merkle.HASH_BYTES);
        }
        byte[] r = tx.get(leafKey(0));
        if (r != null && r.length >= Merkle.HASH_BYTES && !zero(r, 0)) {
            return HEX.formatHex(r, 0, Merkle.HASH_BYTES);
        }
        byte[] legacy = tx.get(nodeKey(0, 0));
        return legacy != null && legacy.length == Merkle.HASH_BYTES ? HEX.formatHex(legacy) : null;
    }

    /**
     * Why the log is older than (or other than) a head published outside the vault, or null when
     * it holds that very head: its size must reach the head's, and its head of that size must be
     * the published one.
     */
    public String olderThan(AuditContext keys, StorageTx tx, dev.keyward.vault.api.PublishedHead published) {
        State s = state(keys.barrier(), tx);
        if (s.size < published.treeSize()) {
            return "The audit log ends at " + s.size + " entries, but a tree head over " + published.treeSize()
                    + " entries (fingerprint " + published.fingerprint() + ") was already published to "
                    + published.source() + ": this vault directory is older than one already seen (restored from an"
                    + " older copy, or rolled back).";
        }
        TreeHead mine = head(tx, published.treeSize());
        if (mine == null || !mine.fingerprint().equals(published.fingerprint())) {
            return "The tree head over " + published.treeSize() + " entries published to " + published.source()
                    + " (fingerprint " + published.fingerprint() + ") is not this log's"
                    + (mine == null ? " (it has no head of that size)" : " (its own is " + mine.fingerprint() + ")")
                    + ": the log was replaced or forked after that head was published.";
        }
        return null;
    }

    /**
     * The head as a C2SP checkpoint (see {@link Checkpoints}), signed by the key that signs heads now.
     * The head must be this log's (e.g. the one {@link #issueHead} just returned).
     */
    public dev.keyward.vault.api.AuditCheckpoint checkpoint(AuditContext keys, StorageTx tx, TreeHead head) {
        String id = logId(tx);
        if (id == null) {
            throw new dev.keyward.vault.api.InvalidRequestException("The audit log is empty: no checkpoint yet.");
        }
        return Checkpoints.of(Checkpoints.origin(id), head, signer(keys));
    }

    /** The seal's signer when it has one (HSM), else the keyring's Ed25519 key. */
    static Signer signer(AuditContext keys) {
        return keys.signer().orElseGet(() -> new Ed25519HeadSigner(keys.keyring().named(Keyring.AUDIT_SIGNING_SEED)));
    }

    // ------------------------------------------------------------------ read

    /** The number of entries in the log. */
    public long size(AuditContext keys, StorageTx tx) {
        return state(keys.barrier(), tx).size;
    }

    public AuditPage query(AuditContext keys, StorageTx tx, AuditQuery q) {
        List<AuditRecord> out = new ArrayList<>();
        long after = q.afterSequence();
        while (out.size() < q.limit()) {
            List<StorageTx.Entry> batch = tx.scan(ENTRY_PREFIX, after < 0 ? null : entryKey(after), BATCH);
            if (batch.isEmpty()) {
                return new AuditPage(out, null);
            }
            for (StorageTx.Entry e : batch) {
                AuditRecord r = AuditEntries.decode(keys.barrier().open(ENTRY_BINDING, e.value()));
                after = Long.parseLong(e.key().substring(ENTRY_PREFIX.length()), 16);
                if (matches(r, q)) {
                    out.add(r);
                    if (out.size() == q.limit()) {
                        boolean more = !tx.scan(ENTRY_PREFIX, entryKey(after), 1).isEmpty();
                        return new AuditPage(out, more ? after : null);
                    }
                }
            }
        }
        return new AuditPage(out, null);
    }

    private static boolean matches(AuditRecord r, AuditQuery q) {
        return (q.from() == null || !r.time().isBefore(q.from()))
                && (q.to() == null || r.time().isBefore(q.to()))
                && (q.identity() == null || q.identity().equals(r.identityId()) || q.identity().equals(r.identityName()))
                && (q.pathPrefix() == null || (r.resource() != null && r.resource().startsWith(q.pathPrefix())))
                && (q.operation() == null || q.operation().equals(r.operation()))
                && (q.decision() == null || q.decision().equals(r.decision()));
    }

    /** The head of exactly {@code size}, or null. */
    public TreeHead head(StorageTx tx, long size) {
        byte[] b = tx.get(headKey(size));
        return b == null ? null : TreeHeads.fromJson(new String(b, StandardCharsets.UTF_8));
    }

    public TreeHead latestHead(AuditContext keys, StorageTx tx) {
        State s = state(keys.barrier(), tx);
        TreeHead h = s.headSize < 0 ? null : head(tx, s.headSize);
        if (h == null) {
            throw new NotFoundException("The audit log has no signed tree head yet.");
        }
        return h;
    }

    public List<TreeHead> heads(StorageTx tx, long afterSize, int limit) {
        if (limit < 1 || limit > 10_000) {
            throw new InvalidRequestException("Ask for 1 to 10000 tree heads at a time.");
        }
        List<TreeHead> out = new ArrayList<>();
        for (StorageTx.Entry e : tx.scan(HEAD_PREFIX, afterSize < 0 ? null : headKey(afterSize), limit)) {
            out.add(TreeHeads.fromJson(new String(e.value(), StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static List<TreeHead> allHeads(StorageTx tx, List<AuditProblem> problems) {
        List<TreeHead> out = new ArrayList<>();
        String after = null;
        while (true) {
            List<StorageTx.Entry> batch = tx.scan(HEAD_PREFIX, after, BATCH);
            if (batch.isEmpty()) {
                return out;
            }
            for (StorageTx.Entry e : batch) {
                try {
                    out.add(TreeHeads.fromJson(new String(e.value(), StandardCharsets.UTF_8)));
                } catch (IllegalArgumentException ex) {
                    problems.add(new AuditProblem(AuditProblem.Kind.FORGED_HEAD, -1,
                            "A stored tree head cannot be parsed: it was altered."));
                }
                after = e.key();
            }
        }
    }

    static Map<String, AuditKey> keys(StorageTx tx) {
        Map<String, AuditKey> out = new LinkedHashMap<>();
        for (StorageTx.Entry e : tx.scan(KEY_PREFIX, null, 10_000)) {
            try {
                AuditKey k = TreeHeads.keyFromJson(new String(e.value(), StandardCharsets.UTF_8));
                out.put(k.keyId(), k);
            } catch (IllegalArgumentException ex) {
                // an unparseable key verifies nothing; heads that need it are reported as forged
            }
        }
        return out;
    }

    public List<AuditKey> publicKeys(StorageTx tx) {
        return List.copyOf(keys(tx).values());
    }

    /**
     * Subtree hashes for proofs: stored from level 4 up, computed below that from the leaf hashes
     * (at most 8 of them, all in one leaf record).
     */
    private static Merkle.Nodes nodes(StorageTx tx) {
        java.security.MessageDigest md = Merkle.sha256();
        Map<Long, byte[]> records = new HashMap<>();
        return new Merkle.Nodes() {
            @Override
            public byte[] node(int level, long index) {
                if (level >= LOWEST_STORED_LEVEL) {
                    return checked(tx.get(nodeKey(level, index)));
                }
                if (level == 0) {
                    return leaf(index);
                }
                return Merkle.nodeHash(md, node(level - 1, 2 * index), node(level - 1, 2 * index + 1));
            }

            private byte[] leaf(long seq) {
                byte[] r = records.computeIfAbsent(seq / LEAVES_PER_RECORD, g -> {
                    byte[] v = tx.get(leafKey(seq));
                    return v == null ? new byte[0] : v;
                });
                int at = Math.toIntExact(seq % LEAVES_PER_RECORD * Merkle.HASH_BYTES);
                if (r.length >= at + Merkle.HASH_BYTES && !zero(r, at)) {
                    return Arrays.copyOfRange(r, at, at + Merkle.HASH_BYTES);
                }
                return checked(tx.get(nodeKey(0, seq))); // an older log's leaf
            }
        };
    }

    private static byte[] checked(byte[] h) {
        if (h == null || h.length != Merkle.HASH_BYTES) {
            throw new IntegrityException("A stored audit tree node is missing or damaged; run audit verification.");
        }
        return h;
    }

    private static boolean zero(byte[] b, int at) {
        for (int i = at; i < at + Merkle.HASH_BYTES; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private TreeHead headOrLatest(AuditContext keys, StorageTx tx, long size) {
        if (size == 0) {
            return latestHead(keys, tx);
        }
        TreeHead h = head(tx, size);
        if (h == null) {
            throw new NotFoundException("There is no signed tree head of size " + size + ".");
        }
        return h;
    }

    public InclusionProof inclusionProof(AuditContext keys, StorageTx tx, long sequence, long treeSize) {
        TreeHead h = headOrLatest(keys, tx, treeSize);
        if (sequence < 0 || sequence >= h.treeSize()) {
            throw new InvalidRequestException("Entry " + sequence + " is not covered by the tree head of size "
                    + h.treeSize() + ".");
        }
        Merkle.Nodes nodes = nodes(tx);
        List<String> path = Merkle.inclusionProof(nodes, sequence, h.treeSize()).stream().map(HEX::formatHex).toList();
        return new InclusionProof(sequence, HEX.formatHex(nodes.node(0, sequence)), path, h);
    }

    public ConsistencyProof consistencyProof(AuditContext keys, StorageTx tx, long fromSize, long toSize) {
        TreeHead second = headOrLatest(keys, tx, toSize);
        TreeHead first = headOrLatest(keys, tx, fromSize);
        if (first.treeSize() > second.treeSize()) {
            throw new InvalidRequestException("The first head must not be larger than the second.");
        }
        List<String> path = Merkle.consistencyProof(nodes(tx), first.treeSize(), second.treeSize()).stream()
                .map(HEX::formatHex).toList();
        return new ConsistencyProof(first, second, path);
    }

    // ------------------------------------------------------------------ verification

    /**
     * Recomputes the whole log: every stored entry (opened and hashed), the tree, every signed
     * head, and the sealed state. Problems name the entry and how it was tampered with.
     */
    public AuditVerification verify(AuditContext keys, StorageTx tx, String recordedFingerprint,
                                    AuditProgress progress) {
        List<AuditProblem> early = new ArrayList<>();
        List<LogChecker.Checkpoint> extra = new ArrayList<>();
        State st = null;
        try {
            st = state(keys.barrier(), tx);
            State s = st;
            extra.add(new LogChecker.Checkpoint(s.size, new Merkle.Frontier(s.size, s.frontier).root(),
                    "the log's sealed state"));
        } catch (KeywardException | IllegalArgumentException e) {
            early.add(new AuditProblem(AuditProblem.Kind.MALFORMED, -1,
                    "The log's sealed state fails its integrity check: it was altered or replaced."));
        }
        final State s = st;
        List<TreeHead> heads = allHeads(tx, early);
        if (s != null && s.headSize >= 0 && heads.stream().noneMatch(h -> h.treeSize() == s.headSize)) {
            early.add(new AuditProblem(AuditProblem.Kind.RECORDED_HEAD_MISSING, -1, "The tree head of size "
                    + s.headSize + ", the latest the vault signed, is missing from storage: heads were deleted."));
        }
        long total = s == null ? -1 : s.size;
        LogChecker.Leaves leaves = new LogChecker.Leaves(false);
        java.security.MessageDigest md = Merkle.sha256();
        String after = null;
        while (true) {
            List<StorageTx.Entry> batch = tx.scan(ENTRY_PREFIX, after, BATCH);
            if (batch.isEmpty()) {
                break;
            }
            for (StorageTx.Entry e : batch) {
                long label = parseSlot(e.key());
                byte[] entry;
                try {
                    entry = keys.barrier().open(ENTRY_BINDING, e.value());
                } catch (KeywardException | IllegalArgumentException ex) {
                    leaves.add(-1, null, label, 0);
                    continue;
                }
                leaves.add(AuditEntries.sequenceOf(entry, 0, entry.length),
                        Merkle.leafHash(md, entry, 0, entry.length), label, entry.length);
            }
            after = batch.get(batch.size() - 1).key();
            progress.progress(leaves.count, total);
        }
        byte[] claimed = storedLeaves(tx, Math.max(total, leaves.count));
        AuditVerification v = LogChecker.check(leaves, heads, keys(tx), extra, claimed, recordedFingerprint);
        return merge(early, v);
    }

    public static AuditVerification merge(List<AuditProblem> early, AuditVerification v) {
        if (early.isEmpty()) {
            return v;
        }
        List<AuditProblem> all = new ArrayList<>(early);
        all.addAll(v.problems());
        return new AuditVerification(false, v.entries(), v.bytes(), v.headsVerified(), v.latest(), all, v.warnings());
    }

    private static long parseSlot(String key) {
        try {
            return Long.parseLong(key.substring(ENTRY_PREFIX.length()), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The stored leaf hashes 0..n-1 (zeros where one is missing), from leaf records and older level-0 nodes. */
    private static byte[] storedLeaves(StorageTx tx, long n) {
        byte[] out = new byte[Math.toIntExact(n * Merkle.HASH_BYTES)];
        scanHex(tx, LEGACY_LEAF_PREFIX, (v, i) -> {
            if (i < n && v.length == Merkle.HASH_BYTES) {
                System.arraycopy(v, 0, out, Math.toIntExact(i * Merkle.HASH_BYTES), Merkle.HASH_BYTES);
            }
        });
        scanHex(tx, LEAF_PREFIX, (v, g) -> {
            for (int j = 0; j + Merkle.HASH_BYTES <= v.length && j < LEAVES_PER_RECORD * Merkle.HASH_BYTES;
                 j += Merkle.HASH_BYTES) {
                long seq = g * LEAVES_PER_RECORD + j / Merkle.HASH_BYTES;
                if (seq < n && !zero(v, j)) {
                    System.arraycopy(v, j, out, Math.toIntExact(seq * Merkle.HASH_BYTES), Merkle.HASH_BYTES);
                }
            }
        });
        return out;
    }

    /** Every record under {@code prefix} whose key ends in a hex number, with that number. */
    private static void scanHex(StorageTx tx, String prefix, java.util.function.ObjLongConsumer<byte[]> each) {
        String after = null;
        while (true) {
            List<StorageTx.Entry> batch = tx.scan(prefix, after, BATCH * 4);
            if (batch.isEmpty()) {
                return;
            }
            for (StorageTx.Entry e : batch) {
                long i;
                try {
                    i = Long.parseLong(e.key().substring(prefix.length()), 16);
                } catch (NumberFormatException ex) {
                    continue;
                }
                if (i >= 0) {
                    each.accept(e.value(), i);
                }
            }
            after = batch.get(batch.size() - 1).key();
        }
    }

    // ------------------------------------------------------------------ export

    /** Writes the evidence bundle for the entries covered by {@code head}. */
    public AuditExport export(AuditContext keys, StorageTx tx, TreeHead head, Path file, AuditProgress progress) {
        try (BundleWriter w = BundleWriter.create(file)) {
            List<TreeHead> heads = new ArrayList<>();
            for (TreeHead h : allHeads(tx, new ArrayList<>())) {
                if (h.treeSize() <= head.treeSize()) {
                    heads.add(h);
                }
            }
            w.writeEntries(head.treeSize(), sink -> {
                String after = null;
                long done = 0;
                while (done < head.treeSize()) {
                    List<StorageTx.Entry> batch = tx.scan(ENTRY_PREFIX, after, BATCH);
                    if (batch.isEmpty()) {
                        throw new IntegrityException("The audit log has fewer entries than its signed head: run verification.");
                    }
                    for (StorageTx.Entry e : batch) {
                        if (done >= head.treeSize()) {
                            break;
                        }
                        sink.accept(keys.barrier().open(ENTRY_BINDING, e.value()));
                        done++;
                    }
                    after = batch.get(batch.size() - 1).key();
                    progress.progress(done, head.treeSize());
                }
            });
            w.writeLeaves(storedLeaves(tx, head.treeSize()));
            w.finish(heads, publicKeys(tx), head);
            return new AuditExport(file, head.treeSize(), head);
        }
    }
}
