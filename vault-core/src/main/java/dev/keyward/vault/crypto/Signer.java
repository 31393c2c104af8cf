package dev.keyward.vault.crypto;

/**
 * Signs audit tree heads. With an HSM seal it is the token's non-extractable EC P-256 key;
 * otherwise an Ed25519 key kept in the keyring. Verifiers need only {@link #publicKey()}.
 */
public interface Signer {
    /** A stable identifier of the key, e.g. the SHA-256 of its public key, hex. */
    String keyId();

    /** "Ed25519" or "SHA256withECDSA". */
    String algorithm();

    /** The public key as X.509 SubjectPublicKeyInfo DER. */
    byte[] publicKey();

    byte[] sign(byte[] message);
}
