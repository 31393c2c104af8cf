package dev.keyward.vault.api;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the vault lives and how it behaves.
 *
 * @param home           the vault directory ($KEYWARD_HOME)
 * @param clock          the clock for expiry, audit times and lockouts (injectable for tests)
 * @param autoSealAfter  seal after this long without a call (zero = never)
 * @param auditFile      a file that also gets every audit entry as one JSON line, for a SIEM (null = none)
 * @param witnessFile    a file outside the vault directory that gets every signed tree head as it is
 *                       made, and against which unseal checks that the log is not older (null = none)
 * @param acceptRollback unseal even though the audit log is older than a head already published
 *                       (after restoring a backup on purpose); the acceptance is audited
 */
public record VaultOptions(Path home, Clock clock, Duration autoSealAfter, Path auditFile, Path witnessFile,
                           boolean acceptRollback) {
    public static final Duration DEFAULT_AUTO_SEAL = Duration.ofMinutes(30);

    public VaultOptions {
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(autoSealAfter, "autoSealAfter");
        if (autoSealAfter.isNegative()) {
            throw new InvalidRequestException("The auto-seal time must not be negative.");
        }
    }

    public VaultOptions(Path home, Clock clock, Duration autoSealAfter) {
        this(home, clock, autoSealAfter, null, null, false);
    }

    public static VaultOptions at(Path home) {
        return new VaultOptions(home, Clock.systemUTC(), DEFAULT_AUTO_SEAL);
    }

    public VaultOptions withClock(Clock c) {
        return new VaultOptions(home, c, autoSealAfter, auditFile, witnessFile, acceptRollback);
    }

    public VaultOptions withAutoSealAfter(Duration d) {
        return new VaultOptions(home, clock, d, auditFile, witnessFile, acceptRollback);
    }

    /** Also appends every audit entry to {@code file} (relative paths are under {@code home}). */
    public VaultOptions withAuditFile(Path file) {
        return new VaultOptions(home, clock, autoSealAfter, file == null ? null : home.resolve(file), witnessFile,
                acceptRollback);
    }

    /** Publishes every signed tree head to {@code file} and checks unseal against it (relative: under {@code home}). */
    public VaultOptions withWitnessFile(Path file) {
        return new VaultOptions(home, clock, autoSealAfter, auditFile, file == null ? null : home.resolve(file),
                acceptRollback);
    }

    public VaultOptions withAcceptRollback(boolean accept) {
        return new VaultOptions(home, clock, autoSealAfter, auditFile, witnessFile, accept);
    }
}
