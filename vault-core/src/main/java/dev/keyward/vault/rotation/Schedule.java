package dev.keyward.vault.rotation;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.RotationService.RotationSchedule;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A checked schedule: slots (the times a rotation is due) from a fixed interval or a 5-field cron
 * expression in a time zone, each with a window (how long after the slot a missed run may still
 * start) and a jitter (a delay up to this after the slot, the same for one secret and slot, so a
 * preview stays true). Immutable.
 */
public final class Schedule {
    static final Duration MIN_INTERVAL = Duration.ofMinutes(1);
    static final Duration DEFAULT_WINDOW = Duration.ofHours(1);
    private static final CronDefinition UNIX = CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX);
    private static final CronParser PARSER = new CronParser(UNIX);

    private final RotationSchedule spec;
    private final ZoneId zone;
    private final Duration interval;
    private final Instant anchor;
    private final ExecutionTime cron;
    private final Duration window;
    private final Duration jitter;

    private Schedule(RotationSchedule spec, ZoneId zone, Duration interval, Instant anchor, ExecutionTime cron,
                     Duration window, Duration jitter) {
        this.spec = spec;
        this.zone = zone;
        this.interval = interval;
        this.anchor = anchor;
        this.cron = cron;
        this.window = window;
        this.jitter = jitter;
    }

    /**
     * Checks a schedule and compiles it; {@code anchor} is when an interval schedule counts from
     * (aligned to the window start's time of day when one is given).
     *
     * @throws InvalidRequestException naming what is wrong
     */
    public static Schedule of(RotationSchedule s, Instant anchor) {
        if (s == null) {
            throw new InvalidRequestException("A schedule needs an interval or a cron expression.");
        }
        if ((s.interval() == null) == (s.cron() == null || s.cron().isBlank())) {
            throw new InvalidRequestException("A schedule has exactly one of interval and cron.");
        }
        ZoneId zone;
        try {
            zone = s.zone() == null || s.zone().isBlank() ? ZoneOffset.UTC : ZoneId.of(s.zone().trim());
        } catch (DateTimeException e) {
            throw new InvalidRequestException("Unknown time zone '" + PasswordPolicy.clip(s.zone())
                    + "'; use an IANA name such as Europe/Berlin or UTC.");
        }
        Duration jitter = s.jitter() == null ? Duration.ZERO : s.jitter();
        if (jitter.isNegative()) {
            throw new InvalidRequestException("The jitter is not negative.");
        }
        if (s.windowDuration() != null && (s.windowDuration().isNegative() || s.windowDuration().isZero())) {
            throw new InvalidRequestException("The window is longer than zero.");
        }
        Duration spacing;
        ExecutionTime et = null;
        Instant a = anchor;
        if (s.interval() != null) {
            if (s.interval().compareTo(MIN_INTERVAL) < 0) {
                throw new InvalidRequestException("The interval is at least 1 minute.");
            }
            spacing = s.interval();
            if (s.windowStart() != null) {
                ZonedDateTime at = anchor.atZone(zone).with(s.windowStart()).withNano(0);
                a = at.toInstant();
            }
        } else {
            if (s.windowStart() != null) {
                throw new InvalidRequestException("A cron schedule's window starts at each cron time: leave the"
                        + " window start out.");
            }
            String expr = s.cron().trim();
            if (expr.split("\\s+").length != 5) {
                throw new InvalidRequestException("A cron expression has 5 fields: minute hour day-of-month month"
                        + " day-of-week (e.g. 0 3 * * 1).");
            }
            try {
                Cron c = PARSER.parse(expr);
                c.validate();
                et = ExecutionTime.forCron(c);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("Invalid cron expression '" + PasswordPolicy.clip(expr) + "': "
                        + firstSentence(e.getMessage()));
            }
            spacing = minimumGap(et, zone, anchor);
            if (spacing == null) {
                throw new InvalidRequestException("The cron expression '" + PasswordPolicy.clip(expr)
                        + "' never fires.");
            }
        }
        Duration window = s.windowDuration() != null ? s.windowDuration()
                : (DEFAULT_WINDOW.compareTo(spacing) < 0 ? DEFAULT_WINDOW : spacing);
        if (window.compareTo(spacing) > 0) {
            throw new InvalidRequestException("The window (" + human(window) + ") is longer than the "
                    + (s.interval() != null ? "interval" : "shortest spacing of the cron times") + " ("
                    + human(spacing) + ").");
        }
        if (!jitter.isZero() && jitter.compareTo(window) >= 0) {
            throw new InvalidRequestException("The jitter (" + human(jitter) + ") is shorter than the window ("
                    + human(window) + ").");
        }
        return new Schedule(s, zone, s.interval(), a, et, window, jitter);
    }

    private static String firstSentence(String m) {
        if (m == null) {
            return "not a cron expression.";
        }
        String one = m.split("\n")[0];
        return one.length() > 160 ? one.substring(0, 160) + "..." : one;
    }

    /** The shortest gap between the next 64 cron times (a cron that fires once a year has at most 366 days). */
    private static Duration minimumGap(ExecutionTime et, ZoneId zone, Instant from) {
        ZonedDateTime t = from.atZone(zone);
        Duration min = null;
        ZonedDateTime prev = null;
        for (int i = 0; i < 64; i++) {
            Optional<ZonedDateTime> n = et.nextExecution(t);
            if (n.isEmpty()) {
                break;
            }
            if (prev != null) {
                Duration gap = Duration.between(prev, n.get());
                if (min == null || gap.compareTo(min) < 0) {
                    min = gap;
                }
            }
            prev = n.get();
            t = n.get();
        }
        return min == null && prev != null ? Duration.ofDays(366) : min;
    }

    public RotationSchedule spec() {
        return spec;
    }

    public Instant anchor() {
        return anchor;
    }

    public Duration window() {
        return window;
    }

    /** The first slot strictly after {@code t}. */
    public Instant nextSlotAfter(Instant t) {
        if (interval != null) {
            if (t.isBefore(anchor)) {
                return anchor;
            }
            long n = Duration.between(anchor, t).toMillis() / interval.toMillis() + 1;
            return anchor.plusMillis(n * interval.toMillis());
        }
        return cron.nextExecution(t.atZone(zone)).map(ZonedDateTime::toInstant).orElse(Instant.MAX);
    }

    /** The last slot at or before {@code t}, or null when none is. */
    public Instant slotAtOrBefore(Instant t) {
        if (interval != null) {
            if (t.isBefore(anchor)) {
                return null;
            }
            long n = Duration.between(anchor, t).toMillis() / interval.toMillis();
            return anchor.plusMillis(n * interval.toMillis());
        }
        ZonedDateTime z = t.atZone(zone);
        if (cron.isMatch(z.withNano(0)) && z.getSecond() == 0 && z.getNano() == 0) {
            return t;
        }
        return cron.lastExecution(z).map(ZonedDateTime::toInstant).orElse(null);
    }

    /** When a run for {@code slot} starts: the slot plus this secret's jitter for it. */
    public Instant dueAt(String path, Instant slot) {
        if (jitter.isZero()) {
            return slot;
        }
        long seed = path.hashCode() * 0x9E3779B97F4A7C15L ^ slot.toEpochMilli();
        long ms = Math.floorMod(new java.util.SplittableRandom(seed).nextLong(), jitter.toMillis());
        return slot.plusMillis(ms);
    }

    /** The next {@code count} run times after {@code from} (jitter included). */
    public List<Instant> preview(String path, Instant from, int count) {
        List<Instant> out = new ArrayList<>(count);
        Instant t = from;
        Instant current = slotAtOrBefore(from);
        if (current != null && from.isBefore(current.plus(window)) && dueAt(path, current).compareTo(from) >= 0) {
            out.add(dueAt(path, current));
        }
        while (out.size() < count) {
            Instant s = nextSlotAfter(t);
            if (s.equals(Instant.MAX)) {
                break;
            }
            out.add(dueAt(path, s));
            t = s;
        }
        return out;
    }

    /** The schedule as people read it, e.g. {@code every 30d} or {@code cron 0 3 * * 1 (Europe/Berlin)}. */
    public String describe() {
        String w = " window " + human(window) + (jitter.isZero() ? "" : " jitter " + human(jitter));
        if (interval != null) {
            return "every " + human(interval) + (spec.windowStart() == null ? "" : " from " + spec.windowStart())
                    + (zone.equals(ZoneOffset.UTC) ? "" : " (" + zone + ")") + w;
        }
        return "cron " + spec.cron().trim() + " (" + zone + ")" + w;
    }

    static String human(Duration d) {
        long s = d.getSeconds();
        if (s % 86400 == 0) {
            return s / 86400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
