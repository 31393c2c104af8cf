package dev.keyward.vault.audit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Merkle tree hashing and proofs exactly as RFC 9162 section 2.1: leaf = SHA-256(0x00 || entry),
 * node = SHA-256(0x01 || left || right), the empty tree hashes to SHA-256 of nothing. Proofs are
 * built from the hashes of perfect subtrees ({@link Nodes}), so a log of any size answers with
 * O(log^2 n) lookups.
 */
public final class Merkle {
    public static final int HASH_BYTES = 32;

    private Merkle() {
    }

    /** Where perfect subtree hashes come from: level 0 = leaves; (level, index) covers [index*2^level, (index+1)*2^level). */
    @FunctionalInterface
    public interface Nodes {
        byte[] node(int level, long index);
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    public static byte[] leafHash(byte[] entry) {
        return leafHash(sha256(), entry, 0, entry.length);
    }

    public static byte[] leafHash(MessageDigest md, byte[] entry, int off, int len) {
        md.reset();
        md.update((byte) 0x00);
        md.update(entry, off, len);
        return md.digest();
    }

    public static byte[] nodeHash(byte[] left, byte[] right) {
        return nodeHash(sha256(), left, right);
    }

    public static byte[] nodeHash(MessageDigest md, byte[] left, byte[] right) {
        md.reset();
        md.update((byte) 0x01);
        md.update(left);
        md.update(right);
        return md.digest();
    }

    public static byte[] emptyRoot() {
        return sha256().digest();
    }

    /** The largest power of two strictly less than {@code n} (n >= 2). */
    static long splitPoint(long n) {
        return Long.highestOneBit(n - 1);
    }

    /**
     * The roots of the perfect subtrees of a tree of some size, left to right (one per set bit of
     * the size, largest first). Appending a leaf merges equal-sized subtrees; the tree's root folds
     * them from the right. {@link #append} reports every new perfect subtree so callers can store it.
     */
    public static final class Frontier {
        private final MessageDigest md = sha256();
        private final List<byte[]> roots;
        private long size;

        public Frontier() {
            this(0, new ArrayList<>());
        }

        public Frontier(long size, List<byte[]> roots) {
            if (Long.bitCount(size) != roots.size()) {
                throw new IllegalArgumentException("a frontier of size " + size + " has " + Long.bitCount(size)
                        + " subtrees, not " + roots.size());
            }
            this.size = size;
            this.roots = new ArrayList<>(roots);
        }

        /** Called with each perfect subtree completed by an append: (level, index, hash). */
        @FunctionalInterface
        public interface NodeListener {
            void completed(int level, long index, byte[] hash);
        }

        public void append(byte[] leafHash, NodeListener listener) {
            byte[] node = leafHash;
            long index = size;
            int level = 0;
            if (listener != null) {
                listener.completed(0, index, node);
            }
            while (((size >>> level) & 1) == 1) {
                node = nodeHash(md, roots.remove(roots.size() - 1), node);
                level++;
                index >>>= 1;
                if (listener != null) {
                    listener.completed(level, index, node);
                }
            }
            roots.add(node);
            size++;
        }

        public long size() {
            return size;
        }

        public List<byte[]> roots() {
            return List.copyOf(roots);
        }

        public byte[] root() {
            if (roots.isEmpty()) {
                return emptyRoot();
            }
            byte[] r = roots.get(roots.size() - 1);
            for (int i = roots.size() - 2; i >= 0; i--) {
                r = nodeHash(md, roots.get(i), r);
            }
            return r;
        }
    }

    /** MTH(D[from:to]) from perfect subtree hashes (RFC 9162 2.1.1). */
    public static byte[] rangeHash(Nodes nodes, long from, long to) {
        long n = to - from;
        if (n <= 0) {
            throw new IllegalArgumentException("empty range");
        }
        if (Long.bitCount(n) == 1 && from % n == 0) {
            int level = Long.numberOfTrailingZeros(n);
            return nodes.node(level, from >>> level);
        }
        long k = splitPoint(n);
        return nodeHash(rangeHash(nodes, from, from + k), rangeHash(nodes, from + k, to));
    }

    public static byte[] root(Nodes nodes, long size) {
        return size == 0 ? emptyRoot() : rangeHash(nodes, 0, size);
    }

    /** PATH(m, D[n]) of RFC 9162 2.1.3.1: the audit path of leaf {@code index} in a tree of {@code size}. */
    public static List<byte[]> inclusionProof(Nodes nodes, long index, long size) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("leaf " + index + " is not in a tree of size " + size);
        }
        List<byte[]> out = new ArrayList<>();
        path(nodes, index, 0, size, out);
        return out;
    }

    private static void path(Nodes nodes, long m, long from, long to, List<byte[]> out) {
        long n = to - from;
        if (n == 1) {
            return;
        }
        long k = splitPoint(n);
        if (m < k) {
            path(nodes, m, from, from + k, out);
            out.add(rangeHash(nodes, from + k, to));
        } else {
            path(nodes, m - k, from + k, to, out);
            out.add(rangeHash(nodes, from, from + k));
        }
    }

    /** PROOF(m, D[n]) of RFC 9162 2.1.4.1; empty when m == 0 or m == n. */
    public static List<byte[]> consistencyProof(Nodes nodes, long m, long n) {
        if (m < 0 || m > n) {
            throw new IllegalArgumentException("no consistency proof from size " + m + " to size " + n);
        }
        List<byte[]> out = new ArrayList<>();
        if (m > 0 && m < n) {
            subproof(nodes, m, 0, n, true, out);
        }
        return out;
    }

    private static void subproof(Nodes nodes, long m, long from, long to, boolean b, List<byte[]> out) {
        long n = to - from;
        if (m == n) {
            if (!b) {
                out.add(rangeHash(nodes, from, to));
            }
            return;
        }
        long k = splitPoint(n);
        if (m <= k) {
            subproof(nodes, m, from, from + k, b, out);
            out.add(rangeHash(nodes, from + k, to));
        } else {
            subproof(nodes, m - k, from + k, to, false, out);
            out.add(rangeHash(nodes, from, from + k));
        }
    }

    /** RFC 9162 2.1.3.2: does {@code proof} show leaf {@code index} with {@code leafHash} in the tree of {@code size} with {@code root}? */
    public static boolean verifyInclusion(long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root) {
        if (index < 0 || index >= size || leafHash == null || root == null) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        MessageDigest md = sha256();
        for (byte[] p : proof) {
            if (p == null || p.length != HASH_BYTES || sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(md, p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                r = nodeHash(md, r, p);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, root);
    }

    /** RFC 9162 2.1.4.2: is the tree ({@code size2}, {@code root2}) an extension of ({@code size1}, {@code root1})? */
    public static boolean verifyConsistency(long size1, long size2, byte[] root1, byte[] root2, List<byte[]> proof) {
        if (size1 < 0 || size2 < size1 || root1 == null || root2 == null) {
            return false;
        }
        if (size1 == size2) {
            return proof.isEmpty() && MessageDigest.isEqual(root1, root2);
        }
        if (size1 == 0) {
            return proof.isEmpty();
        }
        List<byte[]> path = new ArrayList<>(proof);
        if (Long.bitCount(size1) == 1) {
            path.add(0, root1);
        }
        if (path.isEmpty()) {
            return false;
        }
        for (byte[] p : path) {
            if (p == null || p.length != HASH_BYTES) {
                return false;
            }
        }
        long fn = size1 - 1;
        long sn = size2 - 1;
        while ((fn & 1) == 1) {
            fn >>>= 1;
            sn >>>= 1;
        }
        MessageDigest md = sha256();
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (int i = 1; i < path.size(); i++) {
            byte[] c = path.get(i);
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = nodeHash(md, c, fr);
                sr = nodeHash(md, c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                sr = nodeHash(md, sr, c);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(fr, root1) && MessageDigest.isEqual(sr, root2);
    }
}
