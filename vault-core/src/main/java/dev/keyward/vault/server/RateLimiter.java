package dev.keyward.vault.server;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets keyed by source address or identity: {@code ratePerSecond} sustained,
 * {@code burst} at once. A rate of zero turns the limiter off.
 */
final class RateLimiter {
    private static final int MAX_KEYS = 50_000;

    private final double ratePerSecond;
    private final double burst;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(double ratePerSecond, double burst) {
        if (ratePerSecond < 0 || burst < 0) {
            throw new IllegalArgumentException("rate limits must not be negative");
        }
        this.ratePerSecond = ratePerSecond;
        this.burst = Math.max(burst, ratePerSecond);
    }

    boolean enabled() {
        return ratePerSecond > 0;
    }

    /** Takes one token for {@code key}; false means the caller must be told to slow down. */
    boolean tryAcquire(String key, long nanoTime) {
        if (!enabled()) {
            return true;
        }
        if (buckets.size() > MAX_KEYS) {
            buckets.clear(); // bounded memory; a flood of keys resets everyone to a full bucket
        }
        return buckets.computeIfAbsent(key, k -> new Bucket(burst, nanoTime)).take(ratePerSecond, burst, nanoTime);
    }

    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        synchronized boolean take(double rate, double burst, long now) {
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * rate);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
