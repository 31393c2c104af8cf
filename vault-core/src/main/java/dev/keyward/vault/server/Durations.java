package dev.keyward.vault.server;

import dev.keyward.vault.api.InvalidRequestException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Vault's duration syntax: a number of seconds, or Go-style "90s", "5m", "1h30m". */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
    private static final Duration MAX = Duration.ofDays(3650);

    private Durations() {
    }

    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidRequestException("A duration is a number of seconds or like 30s, 5m, 1h30m.");
        }
        String t = text.trim();
        if (t.matches("\\d{1,12}")) {
            return check(Duration.ofSeconds(Long.parseLong(t)));
        }
        Matcher m = PART.matcher(t);
        Duration d = Duration.ZERO;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                break;
            }
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
            end = m.end();
        }
        if (end == 0 || end != t.length()) {
            throw new InvalidRequestException("A duration is a number of seconds or like 30s, 5m, 1h30m.");
        }
        return check(d);
    }

    private static Duration check(Duration d) {
        if (d.compareTo(MAX) > 0) {
            throw new InvalidRequestException("A duration is at most 3650 days.");
        }
        return d;
    }

    /** Go's formatting: "0s", "45s", "5m0s", "1h30m0s". */
    public static String format(Duration d) {
        long s = d.getSeconds();
        if (s == 0) {
            return "0s";
        }
        long h = s / 3600;
        long m = (s % 3600) / 60;
        long sec = s % 60;
        if (h > 0) {
            return h + "h" + m + "m" + sec + "s";
        }
        if (m > 0) {
            return m + "m" + sec + "s";
        }
        return sec + "s";
    }
}
