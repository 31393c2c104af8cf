package dev.keyward.vault.api;

import java.util.Objects;

/**
 * The audit log's tree head as a C2SP checkpoint (c2sp.org/tlog-checkpoint): a signed note
 * (c2sp.org/signed-note) whose text is the origin, the tree size and the base64 RFC 6962 root
 * hash, signed by the vault's head-signing key (Ed25519, signature type 0x01; an HSM seal's
 * ECDSA P-256 key, type 0x02). Standard checkpoint verifiers check it with {@code verifierKey}.
 *
 * @param origin      the log's origin line, also the key name of its signature
 * @param treeSize    entries covered
 * @param rootHash    the Merkle root, lowercase hex (the same as the tree head's)
 * @param note        the whole signed note, as written (UTF-8 text ending in a newline)
 * @param verifierKey the key in the signed-note verifier key form: name+keyid(hex)+base64(type||key)
 */
public record AuditCheckpoint(String origin, long treeSize, String rootHash, String note, String verifierKey) {
    public AuditCheckpoint {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(rootHash, "rootHash");
        Objects.requireNonNull(note, "note");
        Objects.requireNonNull(verifierKey, "verifierKey");
    }
}
