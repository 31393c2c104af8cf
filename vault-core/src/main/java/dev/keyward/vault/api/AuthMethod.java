package dev.keyward.vault.api;

/** How a caller proved who it is. */
public enum AuthMethod {
    /** No credential yet (unseal, health, login itself). */
    NONE,
    /** An operator's name and passphrase, giving a console or CLI session. */
    OPERATOR_PASSPHRASE,
    /** A session or machine token presented with the request. */
    TOKEN,
    /** AppRole role_id + secret_id. */
    APPROLE,
    /** A TLS client certificate. */
    TLS_CERT,
    /**
     * One of the vault's own background jobs, by an in-memory credential made at unseal that never
     * leaves the process (see {@code engine/SystemCallers}). No transport can present it.
     */
    SYSTEM
}
