package dev.keyward.vault.audit;

import dev.keyward.vault.api.AuditProblem;
import dev.keyward.vault.api.AuditProblem.Kind;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.TreeHead;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides whether a sequence of audit entries (as leaf hashes plus the sequence number each
 * claims) is the log that the signed heads vouch for, and if not, which entry is wrong and how.
 * The same logic runs on the live log and on an exported bundle.
 *
 * <p>Fast path: rebuild the Merkle tree and compare its root at every checkpoint (signed heads;
 * for the live log also the sealed log state). Diagnosis, only when that fails: the vault's own
 * per-entry leaf hashes are authenticated against the checkpoints (their tree must reproduce every
 * signed root); then each present entry is matched to the leaf it claims, which tells edited,
 * deleted, inserted, reordered and truncated entries apart. If those leaf hashes were altered too,
 * problems are located between consecutive heads by sequence numbers.
 */
final class LogChecker {
    static final int MAX_PROBLEMS = 1000;

    /** A trusted (size, root) pair: a verified signed head, or the sealed state of the live log. */
    record Checkpoint(long size, byte[] root, String source) {
    }

    /** The entries as found: per position the claimed sequence (-1 if unreadable), leaf hash, and a label. */
    static final class Leaves {
        volatile long count;
        long bytes;
        long[] seqs = new long[1024];
        long[] labels = new long[1024];
        byte[] hashes = new byte[1024 * 32];
        BitSet unreadable = new BitSet();
        /** Labels are line numbers of a bundle file (from 0) rather than storage slots. */
        final boolean lines;

        Leaves(boolean lines) {
            this.lines = lines;
        }

        Leaves(boolean lines, int capacity) {
            this(lines);
            int c = Math.max(1024, capacity);
            seqs = new long[c];
            labels = new long[c];
            hashes = new byte[c * 32];
        }

        void add(long seq, byte[] leafHash, long label, int entryBytes) {
            int i = Math.toIntExact(count);
            if (i == seqs.length) {
                seqs = Arrays.copyOf(seqs, i * 2);
                labels = Arrays.copyOf(labels, i * 2);
                hashes = Arrays.copyOf(hashes, i * 2 * 32);
            }
            seqs[i] = seq;
            labels[i] = label;
            if (leafHash == null) {
                unreadable.set(i);
            } else {
                System.arraycopy(leafHash, 0, hashes, i * 32, 32);
            }
            bytes += entryBytes;
            count++;
        }

        byte[] hash(long i) {
            return Arrays.copyOfRange(hashes, (int) i * 32, (int) i * 32 + 32);
        }
    }

    private final List<AuditProblem> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private long dropped;

    private void problem(Kind kind, long seq, String detail) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(new AuditProblem(kind, seq, detail));
        } else {
            dropped++;
        }
    }

    /**
     * @param entries             what was found, in storage / file order
     * @param heads               every tree head found
     * @param keys                public keys by key id
     * @param extra               further trusted checkpoints (the live log's sealed state), may be empty
     * @param claimedLeaves       the vault's per-entry leaf hashes (n*32 bytes), or null
     * @param recordedFingerprint a head fingerprint the operator recorded, or null
     */
    static AuditVerification check(Leaves entries, List<TreeHead> heads, Map<String, AuditKey> keys,
                                   List<Checkpoint> extra, byte[] claimedLeaves, String recordedFingerprint) {
        return new LogChecker().run(entries, heads, keys, extra, claimedLeaves, recordedFingerprint);
    }

    /**
     * What an exported bundle's manifest claims. An export signs a head over everything it holds,
     * so in a bundle an entry no signed head covers is an error, not a warning; the manifest must
     * name that head and its size, and {@code leaves.bin} must hold exactly its leaf hashes.
     */
    record Manifest(long entries, String latestHeadFingerprint) {
    }

    /**
     * Checks a bundle: as {@link #check(Leaves, List, Map, List, byte[], String)}, with the roots of
     * the entries' tree at the heads' sizes already computed (by {@link RootTracker}) and the
     * bundle's own rules ({@link Manifest}).
     */
    static AuditVerification checkBundle(Leaves entries, List<TreeHead> heads, Map<String, AuditKey> keys,
                                         byte[] leavesBin, String recordedFingerprint, Map<Long, byte[]> entryRoots,
                                         Manifest manifest) {
        LogChecker c = new LogChecker();
        c.entryRoots = entryRoots;
        c.manifest = manifest;
        return c.run(entries, heads, keys, List.of(), leavesBin, recordedFingerprint);
    }

    private Map<Long, byte[]> entryRoots;
    private Manifest manifest;
    private boolean diagnosedExactly;

    /**
     * Builds the tree over leaves as they arrive and keeps its root at the wanted sizes. Runs on a
     * second thread while the first one hashes entries, so verification costs about one pass of
     * SHA-256 over the entries on a machine with two cores.
     */
    static final class RootTracker implements Runnable {
        private final Leaves leaves;
        private final long[] sizes;
        private final Map<Long, byte[]> roots = new HashMap<>();
        private volatile boolean inputDone;

        RootTracker(Leaves leaves, java.util.Collection<Long> wanted) {
            this.leaves = leaves;
            this.sizes = wanted.stream().mapToLong(Long::longValue).filter(x -> x > 0).sorted().distinct().toArray();
        }

        void inputDone() {
            inputDone = true;
        }

        @Override
        public void run() {
            Merkle.Frontier f = new Merkle.Frontier();
            int next = 0;
            long i = 0;
            while (next < sizes.length) {
                long available = leaves.count;
                byte[] hashes = leaves.hashes;
                if (i >= available) {
                    if (inputDone && i >= leaves.count) {
                        return;
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000);
                    continue;
                }
                for (; i < available && next < sizes.length; i++) {
                    f.append(Arrays.copyOfRange(hashes, (int) i * 32, (int) i * 32 + 32), null);
                    if (i + 1 == sizes[next]) {
                        roots.put(i + 1, f.root());
                        next++;
                    }
                }
            }
        }

        Map<Long, byte[]> roots() {
            return roots;
        }
    }

    private AuditVerification run(Leaves e, List<TreeHead> heads, Map<String, AuditKey> keys, List<Checkpoint> extra,
                                  byte[] claimed, String recorded) {
        // 1. Heads: signature, key, agreement among themselves.
        List<TreeHead> sorted = new ArrayList<>(heads);
        sorted.sort(Comparator.comparingLong(TreeHead::treeSize).thenComparing(TreeHead::timestamp));
        List<TreeHead> valid = new ArrayList<>();
        Map<Long, TreeHead> bySize = new HashMap<>();
        for (TreeHead h : sorted) {
            AuditKey key = keys.get(h.keyId());
            if (key == null) {
                problem(Kind.FORGED_HEAD, -1, "The tree head of size " + h.treeSize() + " names signing key "
                        + h.keyId() + ", which is not among the log's keys.");
                continue;
            }
            if (!TreeHeads.verify(h, key)) {
                problem(Kind.FORGED_HEAD, -1, "The signature of the tree head of size " + h.treeSize()
                        + " (fingerprint " + h.fingerprint() + ") does not verify: the head was forged or altered.");
                continue;
            }
            TreeHead same = bySize.putIfAbsent(h.treeSize(), h);
            if (same != null && !same.rootHash().equals(h.rootHash())) {
                problem(Kind.FORGED_HEAD, -1, "Two signed heads of size " + h.treeSize()
                        + " have different roots: the log was forked.");
                continue;
            }
            valid.add(h);
        }
        for (int i = 1; i < valid.size(); i++) {
            if (valid.get(i).timestamp().isBefore(valid.get(i - 1).timestamp())
                    && valid.get(i).treeSize() > valid.get(i - 1).treeSize()) {
                warnings.add("The head of size " + valid.get(i).treeSize() + " is dated before the head of size "
                        + valid.get(i - 1).treeSize() + " (clock change?).");
            }
        }
        if (recorded != null) {
            String fp = recorded.trim().toLowerCase(java.util.Locale.ROOT);
            boolean found = valid.stream().anyMatch(h -> h.fingerprint().equals(fp));
            if (!found) {
                boolean present = sorted.stream().anyMatch(h -> h.fingerprint().equals(fp));
                problem(present ? Kind.FORGED_HEAD : Kind.RECORDED_HEAD_MISSING, -1, present
                        ? "The recorded head " + fp + " is present but its signature does not verify."
                        : "The recorded head " + fp + " is not in this log: the log was truncated or replaced.");
            }
        } else {
            warnings.add("No recorded head fingerprint was given: the signing keys are taken from the log itself, "
                    + "so a wholly replaced log or a cut tail with its heads removed would go unnoticed.");
        }

        List<Checkpoint> checkpoints = new ArrayList<>();
        for (TreeHead h : valid) {
            checkpoints.add(new Checkpoint(h.treeSize(), TreeHeads.rootBytes(h), "the signed head of size "
                    + h.treeSize()));
        }
        checkpoints.addAll(extra);
        checkpoints.sort(Comparator.comparingLong(Checkpoint::size));

        // 2. Fast path: the tree over the entries as found must reproduce every checkpoint.
        long n = e.count;
        boolean inOrder = e.unreadable.isEmpty();
        for (int i = 0; inOrder && i < n; i++) {
            inOrder = e.seqs[i] == i;
        }
        List<Checkpoint> mismatched = entryRoots != null && checkpoints.stream()
                .allMatch(c -> c.size() == 0 || c.size() > n || entryRoots.containsKey(c.size()))
                ? mismatches(entryRoots, n, checkpoints) : mismatches(e.hashes, n, checkpoints);
        long maxSize = checkpoints.isEmpty() ? 0 : checkpoints.get(checkpoints.size() - 1).size();
        int headsMatching = 0;
        for (TreeHead h : valid) {
            if (h.treeSize() <= n && mismatched.stream().noneMatch(c -> c.size() == h.treeSize())) {
                headsMatching++;
            }
        }
        // In a bundle every entry must be covered by a signed head (the export signed one over all of them).
        boolean fine = inOrder && mismatched.isEmpty() && maxSize <= n && (manifest == null || n <= maxSize);
        if (!fine) {
            diagnose(e, checkpoints, mismatched, maxSize, claimed);
        }
        TreeHead newest = valid.isEmpty() ? null : valid.get(valid.size() - 1);
        if (manifest != null) {
            checkManifest(newest);
            checkLeavesBin(e, claimed, newest == null ? manifest.entries() : newest.treeSize(), fine);
        } else if (fine && claimed != null) {
            checkStoredLeaves(e, claimed);
        }
        long uncovered = n - valid.stream().mapToLong(TreeHead::treeSize).max().orElse(0);
        if (uncovered > 0 && fine) {
            warnings.add(uncovered + " entries after the latest signed head are not covered by a signed head yet.");
        }
        if (dropped > 0) {
            warnings.add(dropped + " further problems were not listed.");
        }
        TreeHead latest = null;
        for (TreeHead h : valid) {
            if (h.treeSize() <= n && mismatched.stream().noneMatch(c -> c.size() == h.treeSize())) {
                latest = h;
            }
        }
        return new AuditVerification(problems.isEmpty(), n, e.bytes, headsMatching, latest, problems, warnings);
    }

    /** The manifest must name the bundle's newest signed head and its size. */
    private void checkManifest(TreeHead newest) {
        if (newest == null) {
            return; // every head is already reported
        }
        if (manifest.entries() != newest.treeSize()) {
            problem(Kind.MALFORMED, -1, "The manifest says the bundle holds " + manifest.entries() + " entries, but its"
                    + " newest signed head covers " + newest.treeSize() + ": the manifest was altered.");
        } else if (!newest.fingerprint().equals(manifest.latestHeadFingerprint())) {
            problem(Kind.MALFORMED, -1, "The manifest names the head " + manifest.latestHeadFingerprint()
                    + " as the export's, but the bundle's newest signed head is " + newest.fingerprint()
                    + ": the manifest was altered.");
        }
    }

    /** {@code leaves.bin} must hold exactly the leaf hashes of the entries the newest head covers. */
    private void checkLeavesBin(Leaves e, byte[] leaves, long size, boolean entriesFine) {
        if (leaves == null) {
            problem(Kind.MALFORMED, -1, "The bundle has no leaves.bin.");
        } else if (leaves.length != size * 32) {
            problem(Kind.MALFORMED, -1, "leaves.bin holds " + leaves.length + " bytes, not the " + size * 32
                    + " of the " + size + " leaf hashes the newest signed head covers: it was altered.");
        } else if (entriesFine) {
            firstDifferentLeaf(e, leaves, "leaves.bin");
        } else if (!diagnosedExactly) {
            problem(Kind.MALFORMED, -1, "leaves.bin does not reproduce the signed heads: it was altered too.");
        }
    }

    /** The live log's stored leaf hashes must be those of its entries (proofs are built from them). */
    private void checkStoredLeaves(Leaves e, byte[] stored) {
        firstDifferentLeaf(e, stored, "the stored leaf hashes");
    }

    private void firstDifferentLeaf(Leaves e, byte[] leaves, String what) {
        long n = Math.min(e.count, leaves.length / 32);
        long first = -1;
        long more = 0;
        for (long i = 0; i < n; i++) {
            if (!Arrays.equals(leaves, (int) i * 32, (int) i * 32 + 32, e.hashes, (int) i * 32, (int) i * 32 + 32)) {
                if (first < 0) {
                    first = i;
                } else {
                    more++;
                }
            }
        }
        if (first >= 0) {
            problem(Kind.MALFORMED, first, what.substring(0, 1).toUpperCase(java.util.Locale.ROOT) + what.substring(1)
                    + " differ from the hash of entry " + first + (more > 0 ? " and of " + more + " more" : "")
                    + ", although the entries match the signed heads: " + what + " were altered.");
        }
    }

    private static List<Checkpoint> mismatches(Map<Long, byte[]> roots, long n, List<Checkpoint> checkpoints) {
        List<Checkpoint> out = new ArrayList<>();
        for (Checkpoint c : checkpoints) {
            byte[] r = c.size() == 0 ? Merkle.emptyRoot() : roots.get(c.size());
            if (c.size() <= n && !MessageDigest.isEqual(r, c.root())) {
                out.add(c);
            }
        }
        return out;
    }

    /** Checkpoints (with size <= n) whose root the leaves do not reproduce. */
    private static List<Checkpoint> mismatches(byte[] hashes, long n, List<Checkpoint> checkpoints) {
        List<Checkpoint> out = new ArrayList<>();
        Merkle.Frontier f = new Merkle.Frontier();
        byte[] leaf = new byte[32];
        int c = 0;
        while (c < checkpoints.size() && checkpoints.get(c).size() == 0) {
            if (!MessageDigest.isEqual(Merkle.emptyRoot(), checkpoints.get(c).root())) {
                out.add(checkpoints.get(c));
            }
            c++;
        }
        for (long i = 0; i < n && c < checkpoints.size(); i++) {
            System.arraycopy(hashes, (int) i * 32, leaf, 0, 32);
            f.append(leaf.clone(), null);
            while (c < checkpoints.size() && checkpoints.get(c).size() == i + 1) {
                if (!MessageDigest.isEqual(f.root(), checkpoints.get(c).root())) {
                    out.add(checkpoints.get(c));
                }
                c++;
            }
        }
        return out;
    }

    private void diagnose(Leaves e, List<Checkpoint> checkpoints, List<Checkpoint> mismatched, long size,
                          byte[] claimed) {
        boolean authentic = claimed != null && claimed.length >= size * 32
                && mismatches(claimed, size, checkpoints).isEmpty()
                && checkpoints.stream().allMatch(c -> c.size() <= size);
        if (authentic) {
            diagnosedExactly = true;
            exact(e, claimed, size);
        } else {
            coarse(e, checkpoints, mismatched, size);
        }
    }

    /** With authenticated leaf hashes: each present entry is the authentic leaf its hash equals. */
    private void exact(Leaves e, byte[] authentic, long size) {
        int s = Math.toIntExact(size);
        Map<ByteBuffer, Integer> index = new HashMap<>(s * 2);
        for (int j = 0; j < s; j++) {
            index.putIfAbsent(ByteBuffer.wrap(authentic, j * 32, 32).slice(), j);
        }
        int n = Math.toIntExact(e.count);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            Integer j = e.unreadable.get(i) ? null : index.get(ByteBuffer.wrap(e.hashes, i * 32, 32).slice());
            idx[i] = j == null ? -1 : j;
        }
        align(e, idx, s);
    }

    private void align(Leaves e, int[] idx, int size) {
        int n = idx.length;
        long[] claimedSeq = new long[n];
        boolean[] unreadable = new boolean[n];
        for (int i = 0; i < n; i++) {
            claimedSeq[i] = e.seqs[i] >= 0 ? e.seqs[i] : e.labels[i];
            unreadable[i] = e.unreadable.get(i);
        }
        EntryAlignment.report(idx, claimedSeq, unreadable, size, i -> where(e, i), this::problem);
    }

    /**
     * Without authentic leaf hashes: the entries are lined up by the sequence numbers they claim,
     * and an edit that keeps its number is located between the last signed head that matches and
     * the first that does not.
     */
    private void coarse(Leaves e, List<Checkpoint> checkpoints, List<Checkpoint> mismatched, long size) {
        warnings.add("The vault's per-entry leaf hashes are missing or do not match the signed heads, so problems "
                + "are located by sequence numbers and between signed heads.");
        int before = problems.size();
        int n = Math.toIntExact(e.count);
        int s = Math.toIntExact(Math.max(size, 0));
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            long q = e.seqs[i];
            idx[i] = !e.unreadable.get(i) && q >= 0 && q < s ? (int) q : -1;
        }
        align(e, idx, s);
        if (problems.size() == before) {
            long prev = 0;
            for (Checkpoint c : checkpoints) {
                if (mismatched.contains(c)) {
                    problem(Kind.EDITED, -1, "An entry between sequence " + prev + " and " + (c.size() - 1)
                            + " was altered: the entries do not match " + c.source() + ".");
                    break;
                }
                prev = c.size();
            }
        }
    }

    private static String where(Leaves e, int i) {
        return e.lines ? "line " + (e.labels[i] + 1) + " of entries.jsonl" : "storage slot " + e.labels[i];
    }
}
