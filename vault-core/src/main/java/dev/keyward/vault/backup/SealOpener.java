package dev.keyward.vault.backup;

import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.crypto.Aead;
import dev.keyward.vault.seal.RootKey;
import dev.keyward.vault.seal.Seal;
import dev.keyward.vault.seal.SealConfig;
import dev.keyward.vault.seal.SealRegistry;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The root key of a backed-up vault, from the seal configuration in the backup and the operator's
 * unseal material (passphrase, HSM PIN, or enough Shamir shares), as unseal would get it; no vault
 * is opened. Closing the returned key zeroes it (or logs out of the token).
 */
public final class SealOpener implements Function<SealConfig, Aead> {
    private final SealRegistry seals;
    private final List<UnsealCredential> credentials;

    public SealOpener(SealRegistry seals, List<UnsealCredential> credentials) {
        this.seals = seals;
        this.credentials = List.copyOf(credentials);
    }

    @Override
    public Aead apply(SealConfig config) {
        if (credentials.isEmpty()) {
            throw new InvalidRequestException("This backup opens only with the vault's unseal material (its "
                    + config.type() + " seal): give it as for unseal. Nothing was changed.");
        }
        Seal seal = seals.provider(config.type()).load(config);
        try {
            for (UnsealCredential c : credentials) {
                Optional<RootKey> root = seal.unseal(c);
                if (root.isPresent()) {
                    return new Closing(root.get(), seal);
                }
            }
            int missing = seal.threshold() - seal.progress();
            throw new InvalidRequestException("The backup's seal needs " + missing + " more unseal share(s)."
                    + " Nothing was changed.");
        } catch (RuntimeException e) {
            seal.close();
            throw e;
        }
    }

    /** The root key and its seal, closed together. */
    private record Closing(RootKey root, Seal seal) implements Aead, AutoCloseable {
        @Override
        public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
            return root.encrypt(plaintext, associatedData);
        }

        @Override
        public byte[] decrypt(byte[] ciphertext, byte[] associatedData) {
            return root.decrypt(ciphertext, associatedData);
        }

        @Override
        public void close() {
            root.close();
            seal.close();
        }

        @Override
        public String toString() {
            return "RootKey[hidden]";
        }
    }
}
