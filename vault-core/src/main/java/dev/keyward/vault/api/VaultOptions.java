package dev.keyward.vault.api;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the vault lives and how it behaves.
 *
 * @param home        the vault directory ($KEYWARD_HOME)
 * @param clock       the clock for expiry, audit times and lockouts (injectable for tests)
 * @param autoSealAfter seal after this long without a call (zero = never)
 */
public record VaultOptions(Path home, Clock clock, Duration autoSealAfter) {
    public static final Duration DEFAULT_AUTO_SEAL = Duration.ofMinutes(30);

    public VaultOptions {
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(autoSealAfter, "autoSealAfter");
        if (autoSealAfter.isNegative()) {
            throw new InvalidRequestException("The auto-seal time must not be negative.");
        }
    }

    public static VaultOptions at(Path home) {
        return new VaultOptions(home, Clock.systemUTC(), DEFAULT_AUTO_SEAL);
    }

    public VaultOptions withClock(Clock c) {
        return new VaultOptions(home, c, autoSealAfter);
    }

    public VaultOptions withAutoSealAfter(Duration d) {
        return new VaultOptions(home, clock, d);
    }
}
