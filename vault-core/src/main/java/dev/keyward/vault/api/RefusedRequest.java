package dev.keyward.vault.api;

import java.util.Locale;
import java.util.Objects;

/**
 * A request that a transport refused before it reached a service (unknown route, unsupported
 * method, unreadable or oversized body, rate limit, sealed vault...), as {@link
 * AuditService#recordRefused} writes it to the audit log. It never carries a body or query
 * values; the presented token is used only to compute its audit HMAC and to name the identity it
 * belongs to, and is never written.
 *
 * @param sourceAddress where the request came from
 * @param method        the HTTP method (letters only, at most 16)
 * @param path          the request path without its query (control characters replaced, at most 256 characters)
 * @param status        the HTTP status answered (400..599)
 * @param reason        a short, fixed reason (never request content; at most 200 characters)
 * @param token         the presented token, or null
 * @param count         how many such requests this entry stands for (aggregated refusals), at least 1
 */
public record RefusedRequest(String sourceAddress, String method, String path, int status, String reason,
                             String token, int count) {
    public static final int MAX_PATH = 256;

    public RefusedRequest {
        Objects.requireNonNull(reason, "reason");
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a refusal has a 4xx or 5xx status");
        }
        if (count < 1) {
            throw new IllegalArgumentException("count is at least 1");
        }
        sourceAddress = sourceAddress == null || sourceAddress.isBlank() ? Caller.LOCAL : clean(sourceAddress, 64);
        method = method == null ? "-" : method.toUpperCase(Locale.ROOT);
        if (!method.matches("[A-Z]{1,16}")) {
            method = "-";
        }
        path = path == null ? "-" : clean(path, MAX_PATH);
        reason = clean(reason, 200);
        token = token == null || token.isEmpty() ? null : token;
    }

    /** The same refusal standing for {@code n} requests. */
    public RefusedRequest times(int n) {
        return new RefusedRequest(sourceAddress, method, path, status, reason, token, n);
    }

    private static String clean(String s, int max) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return "RefusedRequest[" + method + " " + path + " from " + sourceAddress + " -> " + status + " " + reason
                + ", token=" + (token == null ? "none" : "***") + ", count=" + count + "]";
    }
}
