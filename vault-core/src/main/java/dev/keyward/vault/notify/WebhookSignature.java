package dev.keyward.vault.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a webhook delivery, in header {@value #HEADER}:
 * {@code t=<unix seconds>,v1=<hex HMAC-SHA256(key, "<t>." || body)>}. The timestamp is signed
 * with the body so that a receiver can refuse replays older than its tolerance; the delivery id
 * ({@value #DELIVERY_HEADER}) lets it drop a retried delivery it has already processed.
 * docs/notifications.md describes how a receiver verifies it.
 */
public final class WebhookSignature {
    public static final String HEADER = "X-Keyward-Signature";
    public static final String EVENT_HEADER = "X-Keyward-Event";
    public static final String DELIVERY_HEADER = "X-Keyward-Delivery";
    /** The least key length accepted: 256 bits. */
    public static final int MIN_KEY_BYTES = 32;

    private WebhookSignature() {
    }

    /** The header value for {@code body} sent at {@code time}. */
    public static String sign(byte[] key, Instant time, byte[] body) {
        long t = time.getEpochSecond();
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac(key, t, body));
    }

    /**
     * Whether {@code header} is a valid signature of {@code body} under {@code key}, made no more
     * than {@code tolerance} before or after {@code now}.
     */
    public static boolean verify(byte[] key, String header, byte[] body, Instant now, Duration tolerance) {
        if (header == null) {
            return false;
        }
        Long t = null;
        byte[] v1 = null;
        for (String part : header.split(",")) {
            String p = part.trim();
            try {
                if (p.startsWith("t=")) {
                    t = Long.parseLong(p.substring(2));
                } else if (p.startsWith("v1=")) {
                    v1 = HexFormat.of().parseHex(p.substring(3));
                }
            } catch (IllegalArgumentException malformed) {
                return false;
            }
        }
        if (t == null || v1 == null) {
            return false;
        }
        if (Math.abs(now.getEpochSecond() - t) > tolerance.toSeconds()) {
            return false;
        }
        return MessageDigest.isEqual(mac(key, t, body), v1);
    }

    private static byte[] mac(byte[] key, long t, byte[] body) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("a webhook signing key has at least " + MIN_KEY_BYTES + " bytes");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }
}
