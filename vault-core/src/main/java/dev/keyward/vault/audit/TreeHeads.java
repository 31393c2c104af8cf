package dev.keyward.vault.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.api.TreeHead;
import dev.keyward.vault.crypto.Signer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Signed tree heads: the signed bytes, the fingerprint, signing and verification, and their
 * JSON form (one object per line in {@code heads.jsonl}). The signed bytes are
 * <pre>
 * "keyward-audit-tree-head-v1" || 0x00 || uint64be(tree_size) || uint64be(timestamp_ms)
 *     || root_hash (32) || key_id (32, the SHA-256 of the public key)
 * </pre>
 * and the fingerprint is the lowercase hex SHA-256 of those bytes.
 */
public final class TreeHeads {
    static final byte[] DOMAIN = "keyward-audit-tree-head-v1".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    /** Parsed Ed25519 public keys by their base64 DER (a verifier checks thousands of heads with a few keys). */
    private static final java.util.Map<String, org.bouncycastle.crypto.params.AsymmetricKeyParameter> ED25519_KEYS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private TreeHeads() {
    }

    public static byte[] signedBytes(long treeSize, long timestampMillis, byte[] root, byte[] keyId) {
        if (root.length != Merkle.HASH_BYTES || keyId.length != 32) {
            throw new IllegalArgumentException("root hash and key id are 32 bytes");
        }
        return ByteBuffer.allocate(DOMAIN.length + 1 + 8 + 8 + 32 + 32).put(DOMAIN).put((byte) 0)
                .putLong(treeSize).putLong(timestampMillis).put(root).put(keyId).array();
    }

    public static byte[] signedBytes(TreeHead h) {
        return signedBytes(h.treeSize(), h.timestamp().toEpochMilli(), HEX.parseHex(h.rootHash()),
                HEX.parseHex(h.keyId()));
    }

    public static String fingerprint(byte[] signedBytes) {
        return HEX.formatHex(Merkle.sha256().digest(signedBytes));
    }

    /** The key id of a public key: lowercase hex SHA-256 of its SubjectPublicKeyInfo DER. */
    public static String keyId(byte[] publicKeyDer) {
        return HEX.formatHex(Merkle.sha256().digest(publicKeyDer));
    }

    public static AuditKey keyOf(Signer signer) {
        byte[] pub = signer.publicKey();
        return new AuditKey(keyId(pub), signer.algorithm(), Base64.getEncoder().encodeToString(pub));
    }

    /** Signs the head of a tree of {@code size} with {@code root}. */
    public static TreeHead sign(long size, byte[] root, Instant time, Signer signer) {
        AuditKey key = keyOf(signer);
        long ms = time.toEpochMilli();
        byte[] tbs = signedBytes(size, ms, root, HEX.parseHex(key.keyId()));
        byte[] sig = signer.sign(tbs);
        return new TreeHead(size, HEX.formatHex(root), Instant.ofEpochMilli(ms), key.keyId(), key.algorithm(),
                Base64.getEncoder().encodeToString(sig), fingerprint(tbs));
    }

    /** Whether the head's signature verifies under {@code key} (which must be the head's key). */
    public static boolean verify(TreeHead h, AuditKey key) {
        if (key == null || !key.keyId().equals(h.keyId()) || !key.algorithm().equals(h.algorithm())) {
            return false;
        }
        try {
            byte[] der = Base64.getDecoder().decode(key.publicKey());
            if (!keyId(der).equals(key.keyId())) {
                return false;
            }
            byte[] tbs = signedBytes(h);
            if (!fingerprint(tbs).equals(h.fingerprint())) {
                return false;
            }
            byte[] sig = Base64.getDecoder().decode(h.signature());
            if (key.algorithm().equals("Ed25519")) {
                // Bouncy Castle's Ed25519 is several times faster than the JDK's; a verifier checks every head.
                org.bouncycastle.crypto.signers.Ed25519Signer v = new org.bouncycastle.crypto.signers.Ed25519Signer();
                org.bouncycastle.crypto.params.AsymmetricKeyParameter pk = ED25519_KEYS.get(key.publicKey());
                if (pk == null) {
                    try {
                        pk = org.bouncycastle.crypto.util.PublicKeyFactory.createKey(der);
                    } catch (IOException e) {
                        return false;
                    }
                    if (ED25519_KEYS.size() < 256) { // bounded: a crafted bundle may name many keys
                        ED25519_KEYS.put(key.publicKey(), pk);
                    }
                }
                v.init(false, pk);
                v.update(tbs, 0, tbs.length);
                return v.verifySignature(sig);
            }
            PublicKey pk = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
            Signature s = Signature.getInstance(key.algorithm());
            s.initVerify(pk);
            s.update(tbs);
            return s.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    public static byte[] rootBytes(TreeHead h) {
        return HEX.parseHex(h.rootHash());
    }

    // ------------------------------------------------------------------ JSON

    public static String toJson(TreeHead h) {
        ObjectNode o = JSON.createObjectNode();
        o.put("treeSize", h.treeSize());
        o.put("rootHash", h.rootHash());
        o.put("timestamp", h.timestamp().toEpochMilli());
        o.put("keyId", h.keyId());
        o.put("algorithm", h.algorithm());
        o.put("signature", h.signature());
        return new String(AuditEntries.canonicalize(o.toString()), StandardCharsets.UTF_8);
    }

    /** Parses a head; its fingerprint is recomputed from the signed fields. */
    public static TreeHead fromJson(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            long size = n.get("treeSize").longValue();
            String root = n.get("rootHash").asText();
            long ms = n.get("timestamp").longValue();
            String keyId = n.get("keyId").asText();
            byte[] tbs = signedBytes(size, ms, HEX.parseHex(root), HEX.parseHex(keyId));
            return new TreeHead(size, root, Instant.ofEpochMilli(ms), keyId, n.get("algorithm").asText(),
                    n.get("signature").asText(), fingerprint(tbs));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a tree head", e);
        }
    }

    public static String toJson(AuditKey k) {
        ObjectNode o = JSON.createObjectNode();
        o.put("keyId", k.keyId());
        o.put("algorithm", k.algorithm());
        o.put("publicKey", k.publicKey());
        return new String(AuditEntries.canonicalize(o.toString()), StandardCharsets.UTF_8);
    }

    public static AuditKey keyFromJson(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            return new AuditKey(n.get("keyId").asText(), n.get("algorithm").asText(), n.get("publicKey").asText());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a key", e);
        }
    }

    static boolean sameBytes(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}
