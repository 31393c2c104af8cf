package dev.keyward.vault.audit;

import dev.keyward.vault.crypto.DestroyableKey;
import dev.keyward.vault.crypto.Signer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;

/**
 * Signs tree heads with the Ed25519 key whose 32-byte seed is the keyring's
 * {@code AUDIT_SIGNING_SEED} (RFC 8032: the seed is the private key). Used when the seal has no
 * signer of its own.
 */
final class Ed25519HeadSigner implements Signer {
    private final DestroyableKey seed;
    private final byte[] publicKey;
    private final String keyId;

    Ed25519HeadSigner(DestroyableKey seed) {
        this.seed = seed;
        byte[] s = seed.getEncoded();
        try {
            Ed25519PublicKeyParameters pub = new Ed25519PrivateKeyParameters(s, 0).generatePublicKey();
            this.publicKey = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(pub).getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Arrays.fill(s, (byte) 0);
        }
        this.keyId = TreeHeads.keyId(publicKey);
    }

    @Override
    public String keyId() {
        return keyId;
    }

    @Override
    public String algorithm() {
        return "Ed25519";
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public byte[] sign(byte[] message) {
        byte[] s = seed.getEncoded();
        try {
            org.bouncycastle.crypto.signers.Ed25519Signer signer = new org.bouncycastle.crypto.signers.Ed25519Signer();
            signer.init(true, new Ed25519PrivateKeyParameters(s, 0));
            signer.update(message, 0, message.length);
            return signer.generateSignature();
        } finally {
            Arrays.fill(s, (byte) 0);
        }
    }

    @Override
    public String toString() {
        return "Ed25519HeadSigner[" + keyId + "]";
    }
}
