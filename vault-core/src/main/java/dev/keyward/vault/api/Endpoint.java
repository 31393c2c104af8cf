package dev.keyward.vault.api;

import java.util.List;

/**
 * A running HTTPS endpoint for an open vault, as {@code keyward serve} runs it, started in the
 * same process (for example by the console) with {@code dev.keyward.vault.Keyward.serve}.
 * Closing it stops listening; the vault stays open.
 */
public interface Endpoint extends AutoCloseable {
    /** The base URLs it listens on, e.g. {@code https://127.0.0.1:8210}. */
    List<String> urls();

    /** The port it listens on. */
    int port();

    /** Whether it asks clients for certificates (certificate login). */
    boolean mutualTls();

    @Override
    void close();
}
