package dev.keyward.vault.seal;

import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.crypto.Signer;
import java.util.Optional;

/**
 * A loaded seal of an initialised vault. Unsealing presents credentials until the root key can
 * be recovered; wrong credentials throw {@link dev.keyward.vault.api.AuthenticationFailedException}
 * (the engine counts them and backs off).
 */
public interface Seal extends AutoCloseable {

    String type();

    /** Credentials needed (1 unless the key is split). */
    default int threshold() {
        return 1;
    }

    /** Credentials in all (1 unless the key is split). */
    default int shares() {
        return 1;
    }

    /** Credentials accepted so far towards the threshold. */
    default int progress() {
        return 0;
    }

    /** Forgets partial progress. */
    default void reset() {
    }

    /**
     * Presents one credential. Returns the root key once the seal is satisfied, or empty while
     * more credentials are needed.
     */
    Optional<RootKey> unseal(UnsealCredential credential);

    /** Where the newest signed tree head is kept with the seal's keys (the HSM), if the seal can keep one. */
    default Optional<HeadStore> headStore() {
        return Optional.empty();
    }

    /** A signer that lives with the seal (the HSM's EC key), if the seal has one. */
    default Optional<Signer> signer() {
        return Optional.empty();
    }

    /**
     * Whether the seal's backing device still answers. The engine polls this and seals the vault
     * when it turns false (an HSM that went away).
     */
    default boolean healthy() {
        return true;
    }

    /**
     * Takes over the root key that this seal's provider created (at init or a seal migration),
     * so that {@link #signer()} and {@link #healthy()} follow the live HSM session.
     */
    default void adopt(RootKey root) {
    }

    /**
     * After a successful unseal: the configuration to store instead of {@code current}, when the seal
     * learned something worth keeping (an HSM seal stored by slot now names its token by label and
     * serial), else empty.
     */
    default Optional<SealConfig> updatedConfig(SealConfig current) {
        return Optional.empty();
    }

    @Override
    default void close() {
    }
}
