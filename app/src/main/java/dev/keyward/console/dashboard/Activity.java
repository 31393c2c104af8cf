package dev.keyward.console.dashboard;

import dev.keyward.vault.api.AuditRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the dashboard charts show, counted from audit entries: requests per hour by decision,
 * denials by identity and the most used paths.
 *
 * @param hours            one bucket per hour, oldest first, the last one holding {@code now}
 * @param deniedByIdentity identities with the most DENY decisions, most first
 * @param topPaths         resources named most often (any decision), most first
 * @param entries          audit entries counted
 * @param truncated        whether the window held more entries than were read
 */
public record Activity(List<Hour> hours, List<Count> deniedByIdentity, List<Count> topPaths, long entries,
                       boolean truncated) {
    /** Identity shown when an entry names none (for example a login with an unknown token). */
    public static final String UNKNOWN = "(unknown)";

    public Activity {
        hours = List.copyOf(hours);
        deniedByIdentity = List.copyOf(deniedByIdentity);
        topPaths = List.copyOf(topPaths);
    }

    /** Entries in the hour starting at {@code start}, by decision (ALLOW, DENY, NONE). */
    public record Hour(Instant start, long allowed, long denied, long undecided) {
        public long total() {
            return allowed + denied + undecided;
        }
    }

    /** A name with a count. */
    public record Count(String name, long count) {
        public Count {
            Objects.requireNonNull(name, "name");
        }
    }

    /** The first instant of the window of {@code hours} whole hours ending with the hour of {@code now}. */
    public static Instant windowStart(Instant now, int hours) {
        return now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(hours - 1L));
    }

    /** Counts {@code records} into {@code hours} hourly buckets ending with the hour of {@code now}; entries outside are ignored. */
    public static Activity of(Iterable<AuditRecord> records, Instant now, int hours, int top, boolean truncated) {
        Instant start = windowStart(now, hours);
        long[][] counts = new long[hours][3];
        Map<String, Long> denied = new HashMap<>();
        Map<String, Long> paths = new HashMap<>();
        long n = 0;
        for (AuditRecord r : records) {
            if (r.time().isBefore(start)) {
                continue;
            }
            int h = (int) Duration.between(start, r.time()).toHours();
            if (h >= hours) {
                continue;
            }
            n++;
            switch (r.decision()) {
                case "ALLOW" -> counts[h][0]++;
                case "DENY" -> {
                    counts[h][1]++;
                    denied.merge(identity(r), 1L, Long::sum);
                }
                default -> counts[h][2]++;
            }
            if (r.resource() != null && !r.resource().isBlank()) {
                paths.merge(r.resource(), 1L, Long::sum);
            }
        }
        List<Hour> buckets = new ArrayList<>(hours);
        for (int h = 0; h < hours; h++) {
            buckets.add(new Hour(start.plus(Duration.ofHours(h)), counts[h][0], counts[h][1], counts[h][2]));
        }
        return new Activity(buckets, top(denied, top), top(paths, top), n, truncated);
    }

    private static String identity(AuditRecord r) {
        if (r.identityName() != null && !r.identityName().isBlank()) {
            return r.identityName();
        }
        return r.identityId() != null ? r.identityId() : UNKNOWN;
    }

    private static List<Count> top(Map<String, Long> m, int top) {
        return m.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(top)
                .map(e -> new Count(e.getKey(), e.getValue()))
                .toList();
    }
}
