package dev.keyward.vault.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.ConsistencyProof;
import dev.keyward.vault.api.TreeHead;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.Keyring;
import dev.keyward.vault.crypto.Signer;
import dev.keyward.vault.storage.H2Storage;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A vault moving from the keyring's Ed25519 key to a seal's EC P-256 key keeps its old heads verifiable. */
class SigningKeyRotationTest {
    @TempDir
    Path dir;
    @TempDir
    Path out;

    static Signer ecSigner() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair kp = g.generateKeyPair();
        return new Signer() {
            public String keyId() {
                return TreeHeads.keyId(kp.getPublic().getEncoded());
            }

            public String algorithm() {
                return "SHA256withECDSA";
            }

            public byte[] publicKey() {
                return kp.getPublic().getEncoded();
            }

            public byte[] sign(byte[] m) {
                try {
                    Signature s = Signature.getInstance("SHA256withECDSA");
                    s.initSign(kp.getPrivate());
                    s.update(m);
                    return s.sign();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    static AuditEvent event(int i) {
        return new AuditEvent(Instant.parse("2026-11-23T10:00:00Z").plusSeconds(i), UUID.randomUUID().toString(),
                "op-1", "alice", "TOKEN", "local", "secret.read", "secret/app/" + i, AuditEvent.Decision.ALLOW,
                "policy:p/1", null, null, AuditEvent.Outcome.SUCCESS, null, null);
    }

    @Test
    void headsFromBothKeysVerifyLiveAndOfflineAndAProofSpansTheChange() throws Exception {
        Keyring keyring = Keyring.create(Instant.now());
        Barrier barrier = new Barrier(keyring);
        AuditContext before = new AuditContext(barrier, keyring, Optional.empty());
        AuditContext after = new AuditContext(barrier, keyring, Optional.of(ecSigner()));
        MerkleAuditLog log = new MerkleAuditLog(new MerkleAuditLog.Settings(3, Duration.ofHours(1)));
        try (H2Storage storage = H2Storage.open(dir)) {
            for (int i = 0; i < 14; i++) {
                AuditContext ctx = i < 7 ? before : after;
                AuditEvent e = event(i);
                storage.write(tx -> {
                    log.append(e, ctx, tx);
                    return null;
                });
            }
            TreeHead last = storage.write(tx -> log.issueHead(after, tx, Instant.parse("2026-11-23T11:00:00Z")));
            List<TreeHead> heads = storage.read(tx -> log.heads(tx, -1, 100));
            assertEquals(2, heads.stream().map(TreeHead::algorithm).distinct().count(), heads.toString());
            assertEquals(2, storage.read(log::publicKeys).size());

            AuditVerification live = storage.read(tx -> log.verify(after, tx, last.fingerprint(), AuditProgress.NONE));
            assertTrue(live.ok(), live.problems().toString());
            assertEquals(heads.size(), live.headsVerified());

            TreeHead firstEd = heads.get(0);
            ConsistencyProof cp = storage.read(tx -> log.consistencyProof(after, tx, firstEd.treeSize(), 0));
            HexFormat hex = HexFormat.of();
            assertTrue(Merkle.verifyConsistency(firstEd.treeSize(), last.treeSize(), hex.parseHex(firstEd.rootHash()),
                    hex.parseHex(last.rootHash()), cp.path().stream().map(hex::parseHex).toList()));

            Path bundle = out.resolve("b.zip");
            storage.read(tx -> log.export(after, tx, last, bundle, AuditProgress.NONE));
            AuditVerification offline = BundleVerifier.verify(bundle, last.fingerprint(), AuditProgress.NONE);
            assertTrue(offline.ok(), offline.problems().toString());
            assertEquals(14, offline.entries());
        }
    }
}
