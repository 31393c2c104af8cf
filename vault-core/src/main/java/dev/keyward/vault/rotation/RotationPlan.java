package dev.keyward.vault.rotation;

import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.RotationService.RotationStatus;
import dev.keyward.vault.rotation.RotationStore.StateRec;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * When a secret's rotations happen, from its stored state: the next slot of its schedule (with
 * window and jitter), a next run set by hand, a preview of the coming runs, whether anything is
 * due, and the status the API shows. Pure functions of the state and the time given.
 */
public final class RotationPlan {
    private RotationPlan() {
    }

    /** Sets the next slot after {@code now} (or the slot whose window holds now, when it has not run yet). */
    static void schedule(StateRec s, Instant now) {
        if (s.config.schedule() == null) {
            s.slot = null;
            s.due = null;
            s.windowEnd = null;
            return;
        }
        Schedule sch = Schedule.of(s.config.schedule(), s.anchor);
        Instant slot = sch.nextSlotAfter(now);
        s.slot = slot;
        s.due = sch.dueAt(s.path, slot);
        s.windowEnd = slot.plus(sch.window());
        s.manualNext = false;
    }

    /** Sets the next run by hand (a time after now). */
    public static void setNext(StateRec s, Instant at, Instant now) {
        if (at == null || !at.isAfter(now)) {
            throw new InvalidRequestException("The next run is a time in the future.");
        }
        Duration window = s.config.schedule() == null ? Schedule.DEFAULT_WINDOW
                : Schedule.of(s.config.schedule(), s.anchor).window();
        s.slot = at;
        s.due = at;
        s.windowEnd = at.plus(window);
        s.manualNext = true;
    }

    /** The next {@code count} runs of a stored state. */
    public static List<Instant> preview(StateRec s, Instant now, int count) {
        List<Instant> out = new ArrayList<>();
        if (s.config.schedule() == null) {
            if (s.due != null) {
                out.add(s.due);
            }
            return out;
        }
        Schedule sch = Schedule.of(s.config.schedule(), s.anchor);
        Instant from = now;
        if (s.due != null) {
            out.add(s.due.isBefore(now) ? now : s.due);
            from = s.slot;
        }
        for (Instant t : sch.preview(s.path, from, count + 1)) {
            if (out.size() >= count) {
                break;
            }
            if (!out.contains(t) && t.isAfter(out.isEmpty() ? now : out.get(out.size() - 1))) {
                out.add(t);
            }
        }
        return out;
    }

    public static RotationStatus view(StateRec s, Instant now, Map<String, String> custom) {
        String schedule = s.config.schedule() == null ? "by trigger only"
                : Schedule.of(s.config.schedule(), s.anchor).describe();
        boolean overdue = s.overdue || (s.windowEnd != null && now.isAfter(s.windowEnd) && s.activeRun == null);
        Instant next = s.due;
        if (s.nextRetryAt != null && (next == null || s.nextRetryAt.isBefore(next))) {
            next = s.nextRetryAt;
        }
        if (s.pairDueAt != null && (next == null || s.pairDueAt.isBefore(next))) {
            next = s.pairDueAt;
        }
        return new RotationStatus(s.path, s.config.rotator(), schedule, next, s.windowEnd, overdue, s.activeRun,
                s.lastOutcome, s.lastRunAt, s.lastSuccessAt, s.attempts, s.nextRetryAt, s.needsAttention,
                s.graceUntil, expiresAt(custom));
    }

    static Instant expiresAt(Map<String, String> custom) {
        String e = custom == null ? null : custom.get("expires_at");
        if (e == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(e).toInstant();
        } catch (DateTimeParseException bad) {
            return null;
        }
    }

    /** Whether a secret's run, retry, paired run or grace end is due at {@code now}. */
    public static boolean due(StateRec s, Instant now) {
        if (s.activeRun != null) {
            return true;
        }
        return (s.due != null && !now.isBefore(s.due)) || (s.nextRetryAt != null && !now.isBefore(s.nextRetryAt))
                || (s.pairDueAt != null && !now.isBefore(s.pairDueAt))
                || (s.graceUntil != null && !now.isBefore(s.graceUntil));
    }
}
