package dev.keyward.vault.api;

import java.time.Duration;
import java.util.Optional;

/**
 * Wrong passphrase, PIN, share set or login. After repeated failures the vault backs off:
 * {@link #retryAfter()} says how long the caller must wait before the next attempt is heard.
 */
public class AuthenticationFailedException extends KeywardException {
    private static final long serialVersionUID = 1L;
    private final transient Duration retryAfter;

    public AuthenticationFailedException(String message) {
        this(message, null);
    }

    public AuthenticationFailedException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    /** How long to wait before the next attempt is accepted, if a backoff is in force. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
