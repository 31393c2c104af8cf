package dev.keyward.vault.notify;

import dev.keyward.vault.api.InvalidRequestException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where a webhook goes: an {@code https} URL, the key its deliveries are signed with, the CA the
 * receiver's certificate must chain to (PEM; null = the JDK's default trust store), and how long
 * one attempt may take. The URL may itself be a credential (many receivers put a token in it), so
 * it is never logged: only {@link #host()} is.
 */
public final class WebhookTarget {
    private final URI url;
    private final byte[] key;
    private final String caPem;
    private final Duration timeout;

    public WebhookTarget(String url, byte[] key, String caPem, Duration timeout) {
        this.url = parse(url);
        if (key == null || key.length < WebhookSignature.MIN_KEY_BYTES) {
            throw new InvalidRequestException("A webhook signing key has at least "
                    + WebhookSignature.MIN_KEY_BYTES + " bytes.");
        }
        this.key = key.clone();
        if (caPem != null) {
            try {
                WebhookSender.pinned(caPem);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("The webhook's CA must be one or more PEM certificates.");
            }
        }
        this.caPem = caPem;
        this.timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
        if (this.timeout.isNegative() || this.timeout.isZero() || this.timeout.compareTo(Duration.ofMinutes(2)) > 0) {
            throw new InvalidRequestException("A webhook timeout is between 1 ms and 2 minutes.");
        }
    }

    /** Checks a webhook URL: absolute, {@code https}, with a host, no user info. */
    public static URI parse(String url) {
        URI u;
        try {
            u = new URI(url == null ? "" : url.trim());
        } catch (URISyntaxException e) {
            throw new InvalidRequestException("A webhook URL must be an absolute https:// URL.");
        }
        if (u.getScheme() == null || !u.getScheme().toLowerCase(Locale.ROOT).equals("https") || u.getHost() == null) {
            throw new InvalidRequestException("A webhook URL must be an absolute https:// URL.");
        }
        if (u.getRawUserInfo() != null) {
            throw new InvalidRequestException("A webhook URL must not carry a user name or password.");
        }
        return u;
    }

    URI url() {
        return url;
    }

    byte[] key() {
        return key;
    }

    String caPem() {
        return caPem;
    }

    Duration timeout() {
        return timeout;
    }

    /** The receiver's host and port, the one part of the URL that is logged. */
    public String host() {
        return url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }

    /** Drops the signing key from memory. */
    public void destroy() {
        Arrays.fill(key, (byte) 0);
    }

    @Override
    public String toString() {
        return "WebhookTarget[" + host() + "]";
    }
}
