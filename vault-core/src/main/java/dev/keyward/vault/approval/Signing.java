package dev.keyward.vault.approval;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.crypto.AesGcm;
import dev.keyward.vault.crypto.Argon2;
import dev.keyward.vault.crypto.DestroyableKey;
import dev.keyward.vault.crypto.Random;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Approvers' Ed25519 keys (Bouncy Castle). A vault-held key's 32-byte seed is encrypted with
 * AES-256-GCM under a key derived from the operator's passphrase with Argon2id; the vault cannot
 * sign for an approver without that passphrase. Verification never throws on malformed input: a
 * signature that cannot be parsed simply does not verify.
 */
public final class Signing {
    private static final byte[] AAD_PREFIX = "keyward.approval.signing-key/".getBytes(StandardCharsets.UTF_8);

    private Signing() {
    }

    /**
     * An operator's signing key as stored.
     *
     * @param publicKey    raw 32-byte Ed25519 public key, base64
     * @param sealedSeed   the seed encrypted under the passphrase-derived key, base64; null when
     *                     the operator holds the private key elsewhere
     * @param previousKeys public keys the operator held before (votes made with them still verify)
     */
    public record KeyRec(String operatorId, String operator, String publicKey, String keyId, String salt,
                         int memoryKiB, int iterations, int parallelism, String sealedSeed, Instant createdAt,
                         List<String> previousKeys) {
        public KeyRec {
            previousKeys = previousKeys == null ? List.of() : List.copyOf(previousKeys);
        }

        public boolean vaultHeld() {
            return sealedSeed != null;
        }

        /** Whether the operator holds or held this public key. */
        public boolean owns(String publicKeyBase64) {
            return publicKey.equals(publicKeyBase64) || previousKeys.contains(publicKeyBase64);
        }

        KeyRec replacedBy(String newPublicKey, Instant now) {
            List<String> prev = new ArrayList<>(previousKeys);
            prev.add(publicKey);
            return new KeyRec(operatorId, operator, newPublicKey, Signing.keyId(Base64.getDecoder().decode(newPublicKey)), null,
                    0, 0, 0, null, now, prev);
        }

        @Override
        public String toString() {
            return "KeyRec[" + operator + ", " + keyId + ", seed hidden]";
        }
    }

    /** A new key pair whose private half is sealed under {@code passphrase}. */
    public static KeyRec create(String operatorId, String operator, char[] passphrase, Argon2Parameters kdf,
                                Instant now) {
        byte[] seed = Random.bytes(32);
        byte[] salt = Random.bytes(Argon2.SALT_BYTES);
        try {
            byte[] pub = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
            byte[] sealed;
            try (AesGcm aead = new AesGcm(derive(passphrase, salt, kdf))) {
                sealed = aead.encrypt(seed, aad(operatorId));
            }
            Base64.Encoder b = Base64.getEncoder();
            return new KeyRec(operatorId, operator, b.encodeToString(pub), keyId(pub), b.encodeToString(salt),
                    kdf.memoryKiB(), kdf.iterations(), kdf.parallelism(), b.encodeToString(sealed), now, List.of());
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** Signs {@code message} with a vault-held key; refused when the passphrase does not open it. */
    public static String sign(KeyRec k, char[] passphrase, byte[] message) {
        if (!k.vaultHeld()) {
            throw new InvalidRequestException("Your signing key is held outside the vault: sign the request's "
                    + "signing message yourself and send the signature.");
        }
        byte[] seed;
        try (AesGcm aead = new AesGcm(derive(passphrase, Base64.getDecoder().decode(k.salt()),
                new Argon2Parameters(k.memoryKiB(), k.iterations(), k.parallelism())))) {
            seed = aead.decrypt(Base64.getDecoder().decode(k.sealedSeed()), aad(k.operatorId()));
        } catch (IntegrityException wrongPassphrase) {
            throw new AccessDeniedException("The passphrase does not open your signing key.");
        }
        try {
            Ed25519Signer s = new Ed25519Signer();
            s.init(true, new Ed25519PrivateKeyParameters(seed, 0));
            s.update(message, 0, message.length);
            return Base64.getEncoder().encodeToString(s.generateSignature());
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /** Whether {@code signatureBase64} is a valid Ed25519 signature of {@code message} by the key. */
    public static boolean verify(String publicKeyBase64, byte[] message, String signatureBase64) {
        try {
            byte[] pub = Base64.getDecoder().decode(publicKeyBase64);
            byte[] sig = Base64.getDecoder().decode(signatureBase64);
            if (pub.length != Ed25519PublicKeyParameters.KEY_SIZE || sig.length != Ed25519PrivateKeyParameters.SIGNATURE_SIZE) {
                return false;
            }
            Ed25519Signer v = new Ed25519Signer();
            v.init(false, new Ed25519PublicKeyParameters(pub, 0));
            v.update(message, 0, message.length);
            return v.verifySignature(sig);
        } catch (RuntimeException malformed) {
            return false;
        }
    }

    /** A public key given as raw 32 bytes or as SubjectPublicKeyInfo DER (base64), as raw base64. */
    public static String parsePublicKey(String base64) {
        byte[] b;
        try {
            b = Base64.getDecoder().decode(base64 == null ? "" : base64.trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("The public key is not base64.");
        }
        if (b.length != Ed25519PublicKeyParameters.KEY_SIZE) {
            try {
                SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(b);
                if (!spki.getAlgorithm().getAlgorithm().getId().equals("1.3.101.112")) {
                    throw new InvalidRequestException("The public key is not an Ed25519 key.");
                }
                b = spki.getPublicKeyData().getBytes();
            } catch (RuntimeException e) {
                if (e instanceof InvalidRequestException ire) {
                    throw ire;
                }
                throw new InvalidRequestException("The public key is neither 32 raw bytes nor an X.509 Ed25519 key.");
            }
        }
        if (b.length != Ed25519PublicKeyParameters.KEY_SIZE) {
            throw new InvalidRequestException("The public key is not an Ed25519 key.");
        }
        try {
            new Ed25519PublicKeyParameters(b, 0);
        } catch (RuntimeException e) {
            throw new InvalidRequestException("The public key is not an Ed25519 key.");
        }
        return Base64.getEncoder().encodeToString(b);
    }

    /** SHA-256 of the raw public key, hex (the first 16 bytes). */
    public static String keyId(byte[] pub) {
        try {
            return HexFormat.of().formatHex(Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(pub), 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DestroyableKey derive(char[] passphrase, byte[] salt, Argon2Parameters kdf) {
        if (passphrase == null || passphrase.length == 0) {
            throw new InvalidRequestException("Signing needs your passphrase.");
        }
        byte[] k = Argon2.derive(passphrase, salt, kdf, 32);
        try {
            return DestroyableKey.copyOf(k, "AES");
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    private static byte[] aad(String operatorId) {
        byte[] id = operatorId.getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(AAD_PREFIX, AAD_PREFIX.length + id.length);
        System.arraycopy(id, 0, out, AAD_PREFIX.length, id.length);
        return out;
    }
}
