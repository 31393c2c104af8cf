package dev.keyward.vault.seal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.SealSpec;
import dev.keyward.vault.api.ShamirSealSpec;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.crypto.AesGcm;
import dev.keyward.vault.crypto.DestroyableKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The Shamir seal: a random AES-256 root key, stored in seal.json encrypted (AES-256-GCM) under a
 * random unseal key; the unseal key is split into n shares, any k of which rebuild it. Only the
 * encrypted root key, n, k and the share set's id are stored. A wrong combination of shares
 * fails to open the root key, and the error does not say which share was wrong.
 */
public final class ShamirSealProvider implements SealProvider {
    private static final byte[] AAD_DOMAIN = "keyward.seal.shamir.v1".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String type() {
        return ShamirSealSpec.TYPE;
    }

    @Override
    public SealInit create(SealSpec spec) {
        if (!(spec instanceof ShamirSealSpec s)) {
            throw new InvalidRequestException("A Shamir seal needs a number of shares and a threshold.");
        }
        return wrapRoot(DestroyableKey.generate(AesGcm.KEY_BYTES, "AES"), s);
    }

    /** Splits a new unseal key for an existing root key (the root key stays owned by the caller's result). */
    static SealInit wrapRoot(DestroyableKey root, ShamirSealSpec s) {
        SecureRandom random = new SecureRandom();
        int setId = random.nextInt();
        byte[] unsealKey = new byte[AesGcm.KEY_BYTES];
        random.nextBytes(unsealKey);
        byte[] rootBytes = root.getEncoded();
        List<String> encoded = new ArrayList<>();
        try {
            byte[] wrapped;
            try (AesGcm aead = new AesGcm(DestroyableKey.copyOf(unsealKey, "AES"))) {
                wrapped = aead.encrypt(rootBytes, aad(setId, s.shares(), s.threshold()));
            }
            List<Shamir.Share> shares = Shamir.split(unsealKey, s.shares(), s.threshold(), random);
            for (Shamir.Share sh : shares) {
                encoded.add(ShareCodec.encode(setId, s.threshold(), sh));
                sh.wipe();
            }
            ObjectNode params = JsonNodeFactory.instance.objectNode();
            params.put("shares", s.shares());
            params.put("threshold", s.threshold());
            params.put("setId", setId);
            params.put("encryptedRootKey", Base64.getEncoder().encodeToString(wrapped));
            return new SealInit(new SealConfig(ShamirSealSpec.TYPE, params), new MemoryRootKey(root), encoded,
                    s.threshold());
        } finally {
            Arrays.fill(unsealKey, (byte) 0);
            Arrays.fill(rootBytes, (byte) 0);
        }
    }

    private static byte[] aad(int setId, int n, int k) {
        return ByteBuffer.allocate(AAD_DOMAIN.length + 12).put(AAD_DOMAIN).putInt(setId).putInt(n).putInt(k).array();
    }

    @Override
    public Seal load(SealConfig config) {
        ObjectNode p = config.params();
        int n = p.path("shares").asInt();
        int k = p.path("threshold").asInt();
        try {
            Shamir.checkParameters(n, k);
        } catch (InvalidRequestException e) {
            throw new IntegrityException("seal.json holds impossible Shamir parameters.");
        }
        byte[] wrapped = Base64.getDecoder().decode(p.path("encryptedRootKey").asText());
        return new ShamirSeal(n, k, p.path("setId").asInt(), wrapped);
    }

    /** The share-entry part of a passphrase seal's recovery split (same params as a Shamir seal). */
    static Seal recovery(ObjectNode params) {
        return new ShamirSealProvider().load(new SealConfig(ShamirSealSpec.TYPE, params));
    }

    private static final class ShamirSeal implements Seal {
        private final int n;
        private final int k;
        private final int setId;
        private final byte[] wrapped;
        private final List<Shamir.Share> entered = new ArrayList<>();

        ShamirSeal(int n, int k, int setId, byte[] wrapped) {
            this.n = n;
            this.k = k;
            this.setId = setId;
            this.wrapped = wrapped;
        }

        @Override
        public String type() {
            return ShamirSealSpec.TYPE;
        }

        @Override
        public int threshold() {
            return k;
        }

        @Override
        public int shares() {
            return n;
        }

        @Override
        public synchronized int progress() {
            return entered.size();
        }

        @Override
        public synchronized void reset() {
            entered.forEach(Shamir.Share::wipe);
            entered.clear();
        }

        @Override
        public synchronized Optional<RootKey> unseal(UnsealCredential credential) {
            if (!(credential instanceof UnsealCredential.Share)) {
                throw new InvalidRequestException("This vault is sealed with Shamir shares; enter " + k
                        + " of the " + n + " unseal shares, one at a time.");
            }
            ShareCodec.Decoded d = ShareCodec.decode(credential.secret());
            if (d.setId() != setId || d.threshold() != k) {
                d.share().wipe();
                throw new InvalidRequestException("This share belongs to another set of shares (for example one "
                        + "replaced by a rekey); it cannot unseal this vault.");
            }
            for (Shamir.Share s : entered) {
                if (s.x() == d.share().x()) {
                    d.share().wipe();
                    throw new InvalidRequestException("This share was already entered; enter a different one.");
                }
            }
            entered.add(d.share());
            if (entered.size() < k) {
                return Optional.empty();
            }
            byte[] unsealKey = Shamir.combine(entered);
            reset();
            byte[] root = null;
            try (AesGcm aead = new AesGcm(DestroyableKey.copyOf(unsealKey, "AES"))) {
                root = aead.decrypt(wrapped, aad(setId, n, k));
                return Optional.of(new MemoryRootKey(DestroyableKey.copyOf(root, "AES")));
            } catch (IntegrityException e) {
                throw new AuthenticationFailedException("These " + k + " shares do not unseal this vault. "
                        + "The entered shares were discarded; start again.");
            } finally {
                Arrays.fill(unsealKey, (byte) 0);
                if (root != null) {
                    Arrays.fill(root, (byte) 0);
                }
            }
        }
    }
}
