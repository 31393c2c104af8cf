package dev.keyward.vault.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuditFailureException;
import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.ConsistencyProof;
import dev.keyward.vault.api.InclusionProof;
import dev.keyward.vault.api.TreeHead;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.Keyring;
import dev.keyward.vault.storage.H2Storage;
import dev.keyward.vault.storage.StorageTx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the tree is stored, against a real H2 file: leaf hashes grouped 16 to a record, subtree
 * hashes from level 4 up, the levels between computed for proofs; logs that kept their leaves as
 * level-0 nodes go on working; a damaged leaf record is caught.
 */
class StoredTreeTest {
    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path dir;
    @TempDir
    Path out;

    private final Keyring keyring = Keyring.create(Instant.EPOCH);
    private final AuditContext ctx = new AuditContext(new Barrier(keyring), keyring, Optional.empty());
    private final MerkleAuditLog log = new MerkleAuditLog(new MerkleAuditLog.Settings(25, Duration.ofDays(1)));
    private final List<byte[]> leaves = new ArrayList<>();

    @BeforeEach
    void reset() {
        leaves.clear();
    }

    /** Appends {@code n} entries in one call, as the reads of one commit are, remembering their leaf hashes. */
    private void append(H2Storage s, int n) {
        List<AuditDraft> drafts = new ArrayList<>();
        List<byte[]> hashes = new ArrayList<>();
        int first = leaves.size();
        for (int i = 0; i < n; i++) {
            AuditEvent e = SigningKeyRotationTest.event(first + i);
            drafts.add(AuditDraft.of(e));
            hashes.add(Merkle.leafHash(AuditEntries.canonical(first + i, e)));
        }
        s.write(tx -> {
            log.appendAll(drafts, ctx, tx);
            return null;
        });
        leaves.addAll(hashes);
    }

    private static List<String> keys(StorageTx tx, String prefix) {
        return tx.scan(prefix, null, 10_000).stream().map(StorageTx.Entry::key).toList();
    }

    private void assertEveryProofVerifies(H2Storage s) {
        TreeHead last = s.write(tx -> log.issueHead(ctx, tx, Instant.parse("2027-01-01T00:00:00Z")));
        List<TreeHead> heads = s.read(tx -> log.heads(tx, -1, 1000));
        assertEquals(leaves.size(), last.treeSize());
        for (TreeHead h : heads) {
            for (long seq = 0; seq < h.treeSize(); seq++) {
                long q = seq;
                InclusionProof p = s.read(tx -> log.inclusionProof(ctx, tx, q, h.treeSize()));
                assertEquals(HEX.formatHex(leaves.get((int) seq)), p.leafHash(), "leaf " + seq);
                assertTrue(Merkle.verifyInclusion(seq, h.treeSize(), leaves.get((int) seq),
                        p.path().stream().map(HEX::parseHex).toList(), HEX.parseHex(h.rootHash())),
                        "entry " + seq + " in the tree of " + h.treeSize());
            }
            ConsistencyProof c = s.read(tx -> log.consistencyProof(ctx, tx, h.treeSize(), last.treeSize()));
            assertTrue(Merkle.verifyConsistency(h.treeSize(), last.treeSize(), HEX.parseHex(h.rootHash()),
                    HEX.parseHex(last.rootHash()), c.path().stream().map(HEX::parseHex).toList()));
        }
        AuditVerification live = s.read(tx -> log.verify(ctx, tx, last.fingerprint(), AuditProgress.NONE));
        assertTrue(live.ok(), live.problems().toString());
        Path bundle = out.resolve("bundle-" + last.treeSize() + ".zip");
        s.read(tx -> log.export(ctx, tx, last, bundle, AuditProgress.NONE));
        AuditVerification offline = BundleVerifier.verify(bundle, last.fingerprint(), AuditProgress.NONE);
        assertTrue(offline.ok(), offline.problems().toString());
        assertEquals(leaves.size(), offline.entries());
    }

    @Test
    void leavesAreGroupedAndOnlyLargeSubtreesStoredYetEveryProofVerifies() {
        try (H2Storage s = H2Storage.open(dir)) {
            for (int n : new int[] {1, 7, 16, 3, 30, 1, 1, 40, 17, 34}) { // 150, across record boundaries
                append(s, n);
            }
            List<String> leafRecords = s.read(tx -> keys(tx, MerkleAuditLog.LEAF_PREFIX));
            List<String> nodes = s.read(tx -> keys(tx, MerkleAuditLog.NODE_PREFIX));
            assertEquals(10, leafRecords.size(), "150 leaves in records of 16");
            assertEquals(9 + 4 + 2 + 1, nodes.size(), "subtrees of 16, 32, 64 and 128 leaves: " + nodes);
            assertTrue(nodes.stream().allMatch(k -> k.compareTo(MerkleAuditLog.NODE_PREFIX + "04/") >= 0), nodes.toString());
            byte[] lastRecord = s.read(tx -> tx.get(MerkleAuditLog.leafKey(149)));
            assertEquals(6 * Merkle.HASH_BYTES, lastRecord.length, "entries 144..149");
            assertEveryProofVerifies(s);
        }
    }

    @Test
    void aLogWhoseLeavesAreLevelZeroNodesKeepsWorkingAndGrowsInRecords() {
        try (H2Storage s = H2Storage.open(dir)) {
            append(s, 40);
            // The layout before leaf records: each leaf a level-0 node (and levels 1-3 stored, which
            // are no longer read).
            s.write(tx -> {
                for (String k : keys(tx, MerkleAuditLog.LEAF_PREFIX)) {
                    tx.delete(k);
                }
                for (int seq = 0; seq < 40; seq++) {
                    tx.put(MerkleAuditLog.nodeKey(0, seq), leaves.get(seq));
                }
                return null;
            });
            append(s, 30); // entry 40 starts in the middle of the record for 32..47
            byte[] mixed = s.read(tx -> tx.get(MerkleAuditLog.leafKey(40)));
            assertEquals(16 * Merkle.HASH_BYTES, mixed.length);
            assertArrayEquals(new byte[8 * Merkle.HASH_BYTES], java.util.Arrays.copyOf(mixed, 8 * Merkle.HASH_BYTES),
                    "slots of the older entries stay empty");
            assertEveryProofVerifies(s);
        }
    }

    @Test
    void aDamagedLeafRecordBreaksItsProofsAndAnOverfullOneStopsAppends() {
        try (H2Storage s = H2Storage.open(dir)) {
            append(s, 20);
            TreeHead head = s.write(tx -> log.issueHead(ctx, tx, Instant.parse("2027-01-01T00:00:00Z")));
            s.write(tx -> {
                byte[] r = tx.get(MerkleAuditLog.leafKey(3));
                r[2 * Merkle.HASH_BYTES] ^= 1; // entry 2's leaf
                tx.put(MerkleAuditLog.leafKey(3), r);
                return null;
            });
            InclusionProof neighbour = s.read(tx -> log.inclusionProof(ctx, tx, 3, head.treeSize()));
            assertFalse(Merkle.verifyInclusion(3, head.treeSize(), leaves.get(3),
                    neighbour.path().stream().map(HEX::parseHex).toList(), HEX.parseHex(head.rootHash())),
                    "the damaged leaf is on entry 3's path");
            InclusionProof own = s.read(tx -> log.inclusionProof(ctx, tx, 2, head.treeSize()));
            assertFalse(Merkle.verifyInclusion(2, head.treeSize(), HEX.parseHex(own.leafHash()),
                    own.path().stream().map(HEX::parseHex).toList(), HEX.parseHex(head.rootHash())));

            s.write(tx -> { // one leaf more than the log has entries
                byte[] r = tx.get(MerkleAuditLog.leafKey(19));
                tx.put(MerkleAuditLog.leafKey(19), java.util.Arrays.copyOf(r, r.length + Merkle.HASH_BYTES));
                return null;
            });
            assertThrows(AuditFailureException.class, () -> append(s, 1));
            assertEquals(20L, (long) s.read(tx -> log.size(ctx, tx)), "nothing appended");
        }
    }
}
