package dev.keyward.console.common;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;

/**
 * The one place the console puts sensitive values (secret values, secret_ids, wrapping tokens,
 * unseal shares) on the clipboard. Such a value leaves the clipboard after the timeout, and at once
 * when the console locks, seals or closes, but only while the clipboard still holds it: what the
 * user copied since is left alone. Call on the FX thread.
 */
public final class ClipboardGuard {
    private final ClipboardAccess clipboard;
    private final Clock clock;
    private final Supplier<Duration> timeout;
    private final ReadOnlyIntegerWrapper cleared = new ReadOnlyIntegerWrapper(0);
    private String held;
    private Instant clearAt;

    public ClipboardGuard(ClipboardAccess clipboard, Clock clock, Supplier<Duration> timeout) {
        this.clipboard = clipboard;
        this.clock = clock;
        this.timeout = timeout;
    }

    /** Copies a sensitive value; returns how long it stays. */
    public Duration copy(String value) {
        clipboard.put(value);
        held = value;
        Duration d = timeout.get();
        clearAt = clock.instant().plus(d);
        return d;
    }

    /** Copies something that is not secret (a kw:// reference, a fingerprint); never cleared. */
    public void copyPlain(String value) {
        clipboard.put(value);
        if (held != null && !held.equals(value)) {
            held = null;
            clearAt = null;
        }
    }

    /** About once a second: clears a sensitive value whose time is up. */
    public void tick() {
        if (clearAt != null && !clock.instant().isBefore(clearAt)) {
            clearNow();
        }
    }

    /** Clears the clipboard now if it still holds the last sensitive value copied; returns whether it did. */
    public boolean clearNow() {
        String h = held;
        held = null;
        clearAt = null;
        if (h != null && clipboard.current().map(h::equals).orElse(false)) {
            clipboard.clear();
            cleared.set(cleared.get() + 1);
            return true;
        }
        return false;
    }

    /** Counts the times a sensitive value was cleared (for "cleared from the clipboard" messages). */
    public ReadOnlyIntegerProperty clearedProperty() {
        return cleared.getReadOnlyProperty();
    }
}
