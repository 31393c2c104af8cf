package dev.keyward.vault.server;

import dev.keyward.vault.api.InvalidRequestException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Vault's duration syntax: a whole number of seconds, or Go's {@code time.ParseDuration} form —
 * a sequence of decimal numbers with units {@code ns}, {@code us} (or {@code µs}), {@code ms},
 * {@code s}, {@code m}, {@code h} (and {@code d}, as Vault's parser also takes), e.g. {@code 0s0ns},
 * {@code 1.5h}, {@code 1h30m45s}, {@code 300ms}. Negative durations and exponents are refused.
 */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d*)(?:\\.(\\d*))?(ns|us|\u00b5s|\u03bcs|ms|s|m|h|d)");
    private static final Duration MAX = Duration.ofDays(3650);
    private static final String FORM = "a number of seconds or a Go duration like 30s, 1.5h, 1h30m45s or 300ms";

    private Durations() {
    }

    public static Duration parse(String text) {
        return parse(null, text);
    }

    /** Parses {@code text}; an error names {@code field} (when not null). */
    public static Duration parse(String field, String text) {
        String what = field == null ? "A duration" : "'" + field + "'";
        if (text == null || text.isBlank()) {
            throw new InvalidRequestException(what + " must be " + FORM + ".");
        }
        String t = text.trim();
        if (t.matches("\\d{1,12}")) {
            return check(what, Duration.ofSeconds(Long.parseLong(t)));
        }
        if (t.startsWith("+")) {
            t = t.substring(1);
        }
        Matcher m = PART.matcher(t);
        BigDecimal nanos = BigDecimal.ZERO;
        int end = 0;
        while (end < t.length() && m.find(end) && m.start() == end) {
            String whole = m.group(1);
            String frac = m.group(2);
            if (whole.isEmpty() && (frac == null || frac.isEmpty()) || whole.length() > 12
                    || frac != null && frac.length() > 18) {
                throw new InvalidRequestException(what + " must be " + FORM + ".");
            }
            BigDecimal n = new BigDecimal((whole.isEmpty() ? "0" : whole) + (frac == null || frac.isEmpty() ? "" : "." + frac));
            nanos = nanos.add(n.multiply(BigDecimal.valueOf(unitNanos(m.group(3)))));
            end = m.end();
        }
        if (end == 0 || end != t.length()) {
            throw new InvalidRequestException(what + " must be " + FORM + (t.startsWith("-") ? " (not negative)" : "")
                    + ".");
        }
        if (nanos.compareTo(BigDecimal.valueOf(MAX.toNanos())) > 0) {
            throw new InvalidRequestException(what + " is at most 3650 days.");
        }
        return Duration.ofNanos(nanos.longValue());
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "\u00b5s", "\u03bcs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> 86_400_000_000_000L;
        };
    }

    private static Duration check(String what, Duration d) {
        if (d.compareTo(MAX) > 0) {
            throw new InvalidRequestException(what + " is at most 3650 days.");
        }
        return d;
    }

    /** Go's {@code Duration.String()}: "0s", "300ms", "45s", "5m0s", "1h30m0.5s". */
    public static String format(Duration d) {
        long n = d.toNanos();
        if (n == 0) {
            return "0s";
        }
        String sign = n < 0 ? "-" : "";
        n = Math.abs(n);
        if (n < 1_000L) {
            return sign + n + "ns";
        }
        if (n < 1_000_000L) {
            return sign + decimal(n, 3) + "\u00b5s";
        }
        if (n < 1_000_000_000L) {
            return sign + decimal(n, 6) + "ms";
        }
        long h = n / 3_600_000_000_000L;
        long m = n / 60_000_000_000L % 60;
        String s = decimal(n % 60_000_000_000L, 9) + "s";
        if (h > 0) {
            return sign + h + "h" + m + "m" + s;
        }
        if (m > 0) {
            return sign + m + "m" + s;
        }
        return sign + s;
    }

    /** {@code value / 10^digits} with trailing fractional zeros dropped. */
    private static String decimal(long value, int digits) {
        return BigDecimal.valueOf(value).movePointLeft(digits).stripTrailingZeros().toPlainString();
    }
}
