package dev.keyward.vault.audit;

import java.util.Objects;

/**
 * A public key that has signed tree heads. Every key that ever signed is kept, so old heads stay
 * verifiable after the signing key changes (e.g. a vault moved to an HSM seal).
 *
 * @param keyId     lowercase hex SHA-256 of {@code publicKey}'s DER bytes
 * @param algorithm "Ed25519" or "SHA256withECDSA"
 * @param publicKey X.509 SubjectPublicKeyInfo DER, base64
 */
public record AuditKey(String keyId, String algorithm, String publicKey) {
    public AuditKey {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(publicKey, "publicKey");
    }
}
