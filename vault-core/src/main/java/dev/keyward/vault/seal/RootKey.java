package dev.keyward.vault.seal;

import dev.keyward.vault.crypto.Aead;

/**
 * The unsealed root key: it encrypts and decrypts the keyring and nothing else. With a passphrase
 * or Shamir seal it is an AES-256 key in memory; with an HSM seal it stays inside the token.
 * {@link #close()} zeroes it (or logs out of the token).
 */
public interface RootKey extends Aead, AutoCloseable {
    @Override
    void close();
}
