package dev.keyward.vault.seal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.SealSpec;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.crypto.AesGcm;
import dev.keyward.vault.crypto.Argon2;
import dev.keyward.vault.crypto.DestroyableKey;
import dev.keyward.vault.crypto.Random;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * The passphrase seal: a random AES-256 root key, stored encrypted (AES-256-GCM) under a key
 * derived from the passphrase with Argon2id. The KDF parameters and salt are stored, versioned,
 * in seal.json.
 */
public final class PassphraseSealProvider implements SealProvider {
    static final byte[] AAD = "keyward.seal.passphrase.v1".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String type() {
        return PassphraseSealSpec.TYPE;
    }

    @Override
    public SealInit create(SealSpec spec) {
        if (!(spec instanceof PassphraseSealSpec p)) {
            throw new InvalidRequestException("A passphrase seal needs a passphrase.");
        }
        DestroyableKey root = DestroyableKey.generate(AesGcm.KEY_BYTES, "AES");
        byte[] salt = Random.bytes(Argon2.SALT_BYTES);
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("kdf", "argon2id");
        params.put("kdfVersion", 19);
        params.put("memoryKiB", p.kdf().memoryKiB());
        params.put("iterations", p.kdf().iterations());
        params.put("parallelism", p.kdf().parallelism());
        params.put("salt", Base64.getEncoder().encodeToString(salt));
        params.put("encryptedRootKey", Base64.getEncoder().encodeToString(wrap(p.passphrase(), salt, p.kdf(), root)));
        if (p.recovery() != null) {
            // Shamir recovery shares over the same root key; the split's MemoryRootKey wraps our
            // own key object, so it is not closed here.
            SealInit split = ShamirSealProvider.wrapRoot(root, p.recovery());
            params.set("recovery", split.config().params());
            return new SealInit(new SealConfig(type(), params), new MemoryRootKey(root), split.shares(),
                    split.threshold());
        }
        return new SealInit(new SealConfig(type(), params), new MemoryRootKey(root), java.util.List.of(), 0);
    }

    /** Encrypts an existing root key under a new passphrase (passphrase change or seal migration). */
    public static ObjectNode rewrap(char[] passphrase, Argon2Parameters kdf, DestroyableKey root) {
        byte[] salt = Random.bytes(Argon2.SALT_BYTES);
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.put("kdf", "argon2id");
        params.put("kdfVersion", 19);
        params.put("memoryKiB", kdf.memoryKiB());
        params.put("iterations", kdf.iterations());
        params.put("parallelism", kdf.parallelism());
        params.put("salt", Base64.getEncoder().encodeToString(salt));
        params.put("encryptedRootKey", Base64.getEncoder().encodeToString(wrap(passphrase, salt, kdf, root)));
        return params;
    }

    private static byte[] wrap(char[] passphrase, byte[] salt, Argon2Parameters kdf, DestroyableKey root) {
        byte[] kek = Argon2.derive(passphrase, salt, kdf, AesGcm.KEY_BYTES);
        byte[] rootBytes = root.getEncoded();
        try (AesGcm aead = new AesGcm(DestroyableKey.copyOf(kek, "AES"))) {
            return aead.encrypt(rootBytes, AAD);
        } finally {
            Arrays.fill(kek, (byte) 0);
            Arrays.fill(rootBytes, (byte) 0);
        }
    }

    @Override
    public Seal load(SealConfig config) {
        ObjectNode p = config.params();
        if (!"argon2id".equals(p.path("kdf").asText()) || p.path("kdfVersion").asInt() != 19) {
            throw new IntegrityException("seal.json names an unknown key derivation.");
        }
        Argon2Parameters kdf = new Argon2Parameters(p.path("memoryKiB").asInt(), p.path("iterations").asInt(),
                p.path("parallelism").asInt());
        byte[] salt = Base64.getDecoder().decode(p.path("salt").asText());
        byte[] wrapped = Base64.getDecoder().decode(p.path("encryptedRootKey").asText());
        Seal recovery = p.path("recovery").isObject() ? ShamirSealProvider.recovery((ObjectNode) p.get("recovery"))
                : null;
        return new PassphraseSeal(kdf, salt, wrapped, recovery);
    }

    /** Whether a stored passphrase seal meets the minimum KDF cost. */
    public static boolean weak(SealConfig config) {
        ObjectNode p = config.params();
        return p.path("memoryKiB").asInt() < Argon2Parameters.MIN_MEMORY_KIB
                || p.path("iterations").asInt() < Argon2Parameters.MIN_ITERATIONS;
    }

    private static final class PassphraseSeal implements Seal {
        private final Argon2Parameters kdf;
        private final byte[] salt;
        private final byte[] wrapped;
        private final Seal recovery;

        PassphraseSeal(Argon2Parameters kdf, byte[] salt, byte[] wrapped, Seal recovery) {
            this.kdf = kdf;
            this.salt = salt;
            this.wrapped = wrapped;
            this.recovery = recovery;
        }

        /** Recovery shares entered so far (the passphrase itself needs no progress). */
        @Override
        public int progress() {
            return recovery == null ? 0 : recovery.progress();
        }

        @Override
        public void reset() {
            if (recovery != null) {
                recovery.reset();
            }
        }

        @Override
        public String type() {
            return PassphraseSealSpec.TYPE;
        }

        @Override
        public Optional<RootKey> unseal(UnsealCredential credential) {
            if (credential instanceof UnsealCredential.Share && recovery != null) {
                return recovery.unseal(credential);
            }
            if (!(credential instanceof UnsealCredential.Passphrase)) {
                throw new InvalidRequestException("This vault is sealed with a passphrase; enter the passphrase"
                        + (recovery == null ? "." : " or " + recovery.threshold() + " recovery shares."));
            }
            byte[] kek = Argon2.derive(credential.secret(), salt, kdf, AesGcm.KEY_BYTES);
            byte[] root = null;
            try (AesGcm aead = new AesGcm(DestroyableKey.copyOf(kek, "AES"))) {
                root = aead.decrypt(wrapped, AAD);
                return Optional.of(new MemoryRootKey(DestroyableKey.copyOf(root, "AES")));
            } catch (IntegrityException e) {
                throw new AuthenticationFailedException("The unseal passphrase is wrong.");
            } finally {
                Arrays.fill(kek, (byte) 0);
                if (root != null) {
                    Arrays.fill(root, (byte) 0);
                }
            }
        }
    }
}
