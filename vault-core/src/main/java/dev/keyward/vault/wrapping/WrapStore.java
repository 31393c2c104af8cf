package dev.keyward.vault.wrapping;

import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.crypto.Random;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Response wrapping: a response is kept under a single-use token with a short TTL and handed out
 * exactly once. Entries live in memory only (a restart or seal drops them, which fails safe: the
 * holder must ask again), keyed by the SHA-256 of the token; the bytes are zeroed when unwrapped
 * or expired.
 */
public final class WrapStore {
    public static final String TOKEN_PREFIX = "kww.";
    public static final Duration MAX_TTL = Duration.ofHours(24);
    private static final int MAX_ENTRIES = 10_000;

    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    public WrapStore(Clock clock) {
        this.clock = clock;
    }

    private record Entry(byte[] body, Instant expires, String accessor) {
    }

    /** What the holder of a wrapped response gets instead of the response. */
    public record Wrapped(String token, String accessor, Duration ttl, Instant creationTime, String creationPath) {
        @Override
        public String toString() {
            return "Wrapped[token=***, accessor=" + accessor + ", ttl=" + ttl + "]";
        }
    }

    /** Keeps {@code body} (the original response) under a new single-use token. */
    public Wrapped wrap(byte[] body, Duration ttl, String creationPath) {
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new InvalidRequestException("A wrap TTL is between 1 s and 24 h.");
        }
        purgeExpired();
        if (entries.size() >= MAX_ENTRIES) {
            throw new InvalidRequestException("Too many wrapped responses are outstanding; unwrap or let some expire.");
        }
        String token = TOKEN_PREFIX + token(32);
        String accessor = token(16);
        Instant now = clock.instant();
        entries.put(hash(token), new Entry(body.clone(), now.plus(ttl), accessor));
        return new Wrapped(token, accessor, ttl, now, creationPath);
    }

    /** The wrapped response, once; empty when unknown, already unwrapped or expired. */
    public Optional<byte[]> unwrap(String token) {
        if (token == null || token.isEmpty() || token.length() > 256) {
            return Optional.empty();
        }
        Entry e = entries.remove(hash(token));
        if (e == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(e.expires())) {
            Arrays.fill(e.body(), (byte) 0);
            return Optional.empty();
        }
        byte[] out = e.body().clone();
        Arrays.fill(e.body(), (byte) 0);
        return Optional.of(out);
    }

    /** Drops every entry (on seal). */
    public void clear() {
        entries.values().forEach(e -> Arrays.fill(e.body(), (byte) 0));
        entries.clear();
    }

    private void purgeExpired() {
        Instant now = clock.instant();
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext();) {
            Entry e = it.next();
            if (!now.isBefore(e.expires())) {
                Arrays.fill(e.body(), (byte) 0);
                it.remove();
            }
        }
    }

    private static String token(int bytes) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(Random.bytes(bytes));
    }

    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
