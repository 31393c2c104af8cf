package dev.keyward.vault.audit;

import dev.keyward.vault.api.AuditCheckpoint;
import dev.keyward.vault.api.TreeHead;
import dev.keyward.vault.crypto.Signer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * Writes tree heads as C2SP checkpoints: the note text {@code origin\nsize\nbase64(root)\n}, a
 * blank line and one signature line {@code — <key name> base64(key ID || signature)}, where the key
 * name is the origin and the key ID is the first four bytes of SHA-256(key name || 0x0A || type ||
 * public key) for Ed25519 (type 0x01, the 32-byte RFC 8032 key), and of SHA-256(SPKI DER) for
 * ECDSA (type 0x02, ASN.1 DER signature), as c2sp.org/signed-note assigns them.
 */
public final class Checkpoints {
    /** The origin of a vault's log: this prefix and the first 32 hex digits of its log id. */
    public static final String ORIGIN_PREFIX = "keyward.local/audit/";
    static final byte ED25519 = 0x01;
    static final byte ECDSA = 0x02;
    private static final String DASH = "\u2014 ";

    private Checkpoints() {
    }

    public static String origin(String logId) {
        return ORIGIN_PREFIX + logId.substring(0, Math.min(32, logId.length()));
    }

    /** The checkpoint of a signed head, signed now by {@code signer} (the key that signed the head). */
    public static AuditCheckpoint of(String origin, TreeHead head, Signer signer) {
        byte[] root = TreeHeads.rootBytes(head);
        String text = origin + "\n" + head.treeSize() + "\n" + Base64.getEncoder().encodeToString(root) + "\n";
        byte[] textBytes = text.getBytes(StandardCharsets.UTF_8);
        byte type = signatureType(signer);
        byte[] key = noteKey(signer, type);
        byte[] id = keyId(origin, type, key, signer.publicKey());
        byte[] sig = signer.sign(textBytes);
        byte[] line = new byte[4 + sig.length];
        System.arraycopy(id, 0, line, 0, 4);
        System.arraycopy(sig, 0, line, 4, sig.length);
        String note = text + "\n" + DASH + origin + " " + Base64.getEncoder().encodeToString(line) + "\n";
        byte[] typed = new byte[1 + key.length];
        typed[0] = type;
        System.arraycopy(key, 0, typed, 1, key.length);
        String vkey = origin + "+" + HexFormat.of().formatHex(id) + "+" + Base64.getEncoder().encodeToString(typed);
        return new AuditCheckpoint(origin, head.treeSize(), head.rootHash(), note, vkey);
    }

    private static byte signatureType(Signer signer) {
        return switch (signer.algorithm()) {
            case "Ed25519" -> ED25519;
            case "SHA256withECDSA" -> ECDSA;
            default -> throw new IllegalStateException("no signed-note signature type for " + signer.algorithm());
        };
    }

    /** The key as the note signature type encodes it: 32 raw bytes for Ed25519, SPKI DER for ECDSA. */
    private static byte[] noteKey(Signer signer, byte type) {
        byte[] spki = signer.publicKey();
        return type == ED25519 ? SubjectPublicKeyInfo.getInstance(spki).getPublicKeyData().getBytes() : spki;
    }

    private static byte[] keyId(String name, byte type, byte[] key, byte[] spki) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            if (type == ECDSA) {
                return Arrays.copyOf(sha.digest(spki), 4);
            }
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(name.getBytes(StandardCharsets.UTF_8));
            b.write(0x0A);
            b.write(type);
            b.writeBytes(key);
            return Arrays.copyOf(sha.digest(b.toByteArray()), 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
