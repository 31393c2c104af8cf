package dev.keyward.vault.api;

/**
 * How a new vault is sealed. Each seal provider has its own spec; {@link #type()} names the
 * provider. Specs holding passphrases or PINs are {@link AutoCloseable} and wipe them on close.
 */
public interface SealSpec {
    /** The seal provider's type name, e.g. "passphrase". */
    String type();
}
