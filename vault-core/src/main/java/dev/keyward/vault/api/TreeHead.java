package dev.keyward.vault.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A signed tree head: the audit log's Merkle root at a size, signed by the vault. Operators
 * record the {@code fingerprint} of the latest head outside the vault; verifying against it later
 * detects a truncated or replaced log. See docs/audit-format.md.
 *
 * @param treeSize    entries covered (sequences 0 .. treeSize-1)
 * @param rootHash    Merkle root, lowercase hex
 * @param timestamp   when it was signed (millisecond precision)
 * @param keyId       lowercase hex SHA-256 of the signing public key (X.509 SubjectPublicKeyInfo DER)
 * @param algorithm   "Ed25519" or "SHA256withECDSA"
 * @param signature   the signature, base64
 * @param fingerprint lowercase hex SHA-256 of the signed bytes
 */
public record TreeHead(long treeSize, String rootHash, Instant timestamp, String keyId, String algorithm,
                       String signature, String fingerprint) {
    public TreeHead {
        if (treeSize < 0) {
            throw new IllegalArgumentException("treeSize must be >= 0");
        }
        Objects.requireNonNull(rootHash, "rootHash");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(fingerprint, "fingerprint");
    }
}
