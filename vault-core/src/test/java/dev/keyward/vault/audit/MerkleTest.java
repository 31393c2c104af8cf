package dev.keyward.vault.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MerkleTest {

    /** A tree built by appending leaves, keeping every perfect subtree the way the log stores them. */
    static final class MemoryTree {
        final Map<String, byte[]> nodes = new HashMap<>();
        final List<byte[]> leaves = new ArrayList<>();
        final Merkle.Frontier frontier = new Merkle.Frontier();
        final List<byte[]> roots = new ArrayList<>(); // roots.get(n) = root of the first n leaves

        MemoryTree(int size) {
            roots.add(Merkle.emptyRoot());
            for (int i = 0; i < size; i++) {
                byte[] leaf = Merkle.leafHash(("entry " + i).getBytes(StandardCharsets.UTF_8));
                leaves.add(leaf);
                frontier.append(leaf, (level, index, hash) -> nodes.put(level + "/" + index, hash));
                roots.add(frontier.root());
            }
        }

        Merkle.Nodes source() {
            return (level, index) -> nodes.get(level + "/" + index);
        }
    }

    /** MTH straight from RFC 9162 2.1.1, recursively over the leaves. */
    static byte[] referenceRoot(List<byte[]> leaves, int from, int to) {
        int n = to - from;
        if (n == 0) {
            return Merkle.emptyRoot();
        }
        if (n == 1) {
            return leaves.get(from);
        }
        int k = Integer.highestOneBit(n - 1);
        return Merkle.nodeHash(referenceRoot(leaves, from, from + k), referenceRoot(leaves, from + k, to));
    }

    @Test
    void frontierRootsEqualTheRfcDefinitionForEverySizeUpTo300() {
        MemoryTree t = new MemoryTree(300);
        for (int n = 0; n <= 300; n++) {
            assertArrayEquals(referenceRoot(t.leaves, 0, n), t.roots.get(n), "size " + n);
            if (n > 0) {
                assertArrayEquals(t.roots.get(n), Merkle.root(t.source(), n), "from stored nodes, size " + n);
            }
        }
    }

    @Test
    void leafAndNodeHashesUseTheRfcDomainSeparation() {
        // SHA-256 of the single byte 0x00 (the empty entry) is a published constant.
        assertArrayEquals(java.util.HexFormat.of().parseHex(
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"), Merkle.leafHash(new byte[0]));
        assertArrayEquals(java.util.HexFormat.of().parseHex(
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), Merkle.emptyRoot());
    }

    @Nested
    class InclusionProofs {
        @ParameterizedTest
        @ValueSource(ints = {1, 2, 3, 4, 5, 7, 8, 9, 31, 64, 1000, 4097, 10_000})
        void verifyForEveryLeafSampleAndFailWhenAltered(int size) {
            MemoryTree t = new MemoryTree(size);
            Random rnd = new Random(size);
            for (int trial = 0; trial < 40; trial++) {
                long index = trial < 2 ? (trial == 0 ? 0 : size - 1) : rnd.nextInt(size);
                List<byte[]> proof = Merkle.inclusionProof(t.source(), index, size);
                byte[] root = t.roots.get(size);
                byte[] leaf = t.leaves.get((int) index);
                assertTrue(Merkle.verifyInclusion(index, size, leaf, proof, root), size + "/" + index);
                // altered leaf, root, index, size, path element, path length
                assertFalse(Merkle.verifyInclusion(index, size, flip(leaf), proof, root));
                assertFalse(Merkle.verifyInclusion(index, size, leaf, proof, flip(root)));
                if (size > 1) {
                    assertFalse(Merkle.verifyInclusion((index + 1) % size, size, leaf, proof, root));
                    List<byte[]> bad = new ArrayList<>(proof);
                    int k = rnd.nextInt(bad.size());
                    bad.set(k, flip(bad.get(k)));
                    assertFalse(Merkle.verifyInclusion(index, size, leaf, bad, root));
                    assertFalse(Merkle.verifyInclusion(index, size, leaf, proof.subList(0, proof.size() - 1), root));
                }
                assertFalse(Merkle.verifyInclusion(index, index, leaf, proof, root), "index outside the tree");
                List<byte[]> longer = new ArrayList<>(proof);
                longer.add(leaf);
                assertFalse(Merkle.verifyInclusion(index, size, leaf, longer, root));
            }
        }

        @Test
        void randomSizesUpTo10k() {
            Random rnd = new Random(42);
            MemoryTree t = new MemoryTree(10_000);
            for (int trial = 0; trial < 300; trial++) {
                int size = 1 + rnd.nextInt(10_000);
                int index = rnd.nextInt(size);
                List<byte[]> proof = Merkle.inclusionProof(t.source(), index, size);
                assertTrue(Merkle.verifyInclusion(index, size, t.leaves.get(index), proof, t.roots.get(size)));
                assertFalse(Merkle.verifyInclusion(index, size, t.leaves.get(index), proof, t.roots.get(size - 1)));
            }
        }
    }

    @Nested
    class ConsistencyProofs {
        @Test
        void verifyBetweenRandomSizesUpTo10kAndFailWhenAltered() {
            Random rnd = new Random(7);
            MemoryTree t = new MemoryTree(10_000);
            for (int trial = 0; trial < 400; trial++) {
                int n = 1 + rnd.nextInt(10_000);
                int m = trial % 10 == 0 ? n : 1 + rnd.nextInt(n);
                List<byte[]> proof = Merkle.consistencyProof(t.source(), m, n);
                byte[] r1 = t.roots.get(m);
                byte[] r2 = t.roots.get(n);
                assertTrue(Merkle.verifyConsistency(m, n, r1, r2, proof), m + "->" + n);
                if (m == n) {
                    assertFalse(Merkle.verifyConsistency(m, n, r1, flip(r2), proof));
                    continue;
                }
                assertFalse(Merkle.verifyConsistency(m, n, flip(r1), r2, proof), "altered first root " + m + "->" + n);
                assertFalse(Merkle.verifyConsistency(m, n, r1, flip(r2), proof), "altered second root");
                if (!proof.isEmpty()) {
                    List<byte[]> bad = new ArrayList<>(proof);
                    int k = rnd.nextInt(bad.size());
                    bad.set(k, flip(bad.get(k)));
                    assertFalse(Merkle.verifyConsistency(m, n, r1, r2, bad), "altered path " + m + "->" + n);
                }
                if (n < 10_000) {
                    assertFalse(Merkle.verifyConsistency(m, n + 1, r1, t.roots.get(n + 1), proof), "wrong size");
                }
            }
        }

        @Test
        void everyPairUpTo40() {
            MemoryTree t = new MemoryTree(40);
            for (int n = 1; n <= 40; n++) {
                for (int m = 0; m <= n; m++) {
                    List<byte[]> p = Merkle.consistencyProof(t.source(), m, n);
                    assertTrue(Merkle.verifyConsistency(m, n, t.roots.get(m), t.roots.get(n), p), m + "->" + n);
                    if (m > 0 && m < n) {
                        assertFalse(Merkle.verifyConsistency(m, n, t.roots.get(m - 1), t.roots.get(n), p));
                    }
                }
            }
        }
    }

    static byte[] flip(byte[] b) {
        byte[] c = b.clone();
        c[c.length / 2] ^= 0x01;
        return c;
    }
}
