package dev.keyward.vault.api;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;

/**
 * Rotation of secrets: schedules, staged versions (pending, set, test, finish), rotators,
 * propagation to dependents. Every call goes through the guarded door and is audited; so is
 * every step a rotation takes.
 *
 * <p>Other features call {@link #rotateNow} (containment with {@link RotationTrigger#COMPROMISE}).
 */
public interface RotationService {

    /**
     * Starts a rotation of the secret at {@code path} now. It runs in the background (the staged
     * protocol); the result names the run, whose progress the rotation history shows. Refused
     * when the secret has no rotation configured; a rotation already running for the secret is
     * returned instead of starting a second one.
     *
     * @param reason why (required for {@link RotationTrigger#MANUAL} and {@link RotationTrigger#COMPROMISE})
     */
    RotationRun rotateNow(Caller caller, String path, RotationTrigger trigger, String reason);

    /**
     * Sets (or replaces) the rotation config of a secret; the schedule starts from now. Refused with
     * an {@link InvalidRequestException} naming the mistake (an unknown rotator, a bad parameter, an
     * invalid cron expression, a window longer than the interval); a refused config changes nothing.
     */
    RotationStatus configure(Caller caller, String path, RotationConfig config);

    /** The stored config of a secret; {@link NotFoundException} when it has none. */
    RotationConfig readConfig(Caller caller, String path);

    /** Removes a secret's rotation config (refused while a rotation of it runs). */
    void deleteConfig(Caller caller, String path);

    /** The next {@code count} (1 to 100) runs of the stored schedule, from now. */
    List<Instant> preview(Caller caller, String path, int count);

    /** The next {@code count} (1 to 100) runs a schedule would have from now; checks it like configure. */
    List<Instant> previewSchedule(Caller caller, RotationSchedule schedule, int count);

    /** The secret's rotation state: next run, overdue, last outcome, needs attention. */
    RotationStatus status(Caller caller, String path);

    /** Every configured rotation under {@code prefix} ("" for all), by path. */
    List<RotationStatus> schedules(Caller caller, String prefix);

    /** The runs of a secret, newest first, at most {@code limit} (1 to 500). */
    List<RotationRecord> history(Caller caller, String path, int limit);

    /** Sets the next scheduled run by hand (a time in the future); the schedule goes on from there. */
    RotationStatus setNextRun(Caller caller, String path, Instant at);

    /** Rotator types this vault knows, e.g. {@code generated}, {@code hook}, {@code ssh}, {@code x509}. */
    List<String> rotators(Caller caller);

    // ------------------------------------------------------------ records

    /**
     * When a secret rotates. Exactly one of {@code interval} and {@code cron} (5 fields: minute hour
     * day-of-month month day-of-week).
     *
     * @param interval       a fixed spacing between runs, or null
     * @param cron           a 5-field cron expression, or null
     * @param zone           the time zone of the cron expression and the window start (IANA id; null = UTC)
     * @param windowStart    for an interval: the time of day the slots are aligned to (null = the time configured)
     * @param windowDuration how long after a slot a missed run may still start (null = 1 hour, or the
     *                       interval when shorter); at most the spacing between slots
     * @param jitter         a random delay up to this after the slot (null = none); less than the window
     */
    record RotationSchedule(Duration interval, String cron, String zone, LocalTime windowStart,
                            Duration windowDuration, Duration jitter) {
    }

    /**
     * A secret's rotation config. Parameters configure the rotator and are not secret (a rotation
     * credential is named by the path of the secret holding it).
     *
     * @param rotator         the rotator type
     * @param params          its parameters
     * @param schedule        when, or null for rotations only by trigger
     * @param routineGrace    how long the previous version stays readable after a routine rotation
     *                        (schedule, manual, expiry); null = 1 hour
     * @param upgradeGrace    the same after a workload upgrade (a deployment event); null = 24 hours
     * @param destroyPrevious whether the previous version is destroyed when its grace ends
     * @param maxAttempts     attempts per window before "needs attention" (null = 5)
     * @param retryBackoff    the first retry's delay, doubled each time (null = 1 minute)
     * @param expiryLead      rotate when the secret's {@code expires_at} is this close (null = never)
     * @param pairedWith      another secret that must never rotate at the same time as this one (null = none)
     * @param pairSpacing     the spacing between the two (null = 5 minutes)
     */
    record RotationConfig(String rotator, Map<String, String> params, RotationSchedule schedule,
                          Duration routineGrace, Duration upgradeGrace, Boolean destroyPrevious, Integer maxAttempts,
                          Duration retryBackoff, Duration expiryLead, String pairedWith, Duration pairSpacing) {
        public RotationConfig {
            params = params == null ? Map.of() : Map.copyOf(params);
        }
    }

    /**
     * Where a secret's rotation stands.
     *
     * @param path           the secret
     * @param rotator        its rotator type
     * @param schedule       the schedule, as people read it (e.g. {@code every PT720H}, {@code cron 0 3 * * 1 Europe/Berlin})
     * @param nextRun        when the next scheduled run starts (jitter included), or null
     * @param windowEnd      the end of that run's window
     * @param overdue        a slot passed without a successful rotation
     * @param running        the id of the run in progress, or null
     * @param lastOutcome    {@code finished}, {@code rolled-back}, {@code needs-attention}, or null
     * @param lastRunAt      when the last run ended
     * @param lastSuccessAt  when the secret last rotated
     * @param attempts       failed attempts in the current window
     * @param nextRetryAt    when the next retry starts, or null
     * @param needsAttention retries are exhausted; an operator must look
     * @param graceUntil     when the previous version's grace ends, or null
     * @param expiresAt      the secret's {@code expires_at}, or null
     */
    record RotationStatus(String path, String rotator, String schedule, Instant nextRun, Instant windowEnd,
                          boolean overdue, String running, String lastOutcome, Instant lastRunAt,
                          Instant lastSuccessAt, int attempts, Instant nextRetryAt, boolean needsAttention,
                          Instant graceUntil, Instant expiresAt) {
    }

    /**
     * One run in the history.
     *
     * @param id         the run
     * @param path       the secret
     * @param trigger    what started it
     * @param reason     the reason given, or null
     * @param by         who started it
     * @param state      {@code queued}, {@code pending}, {@code set}, {@code test}, {@code finish}, {@code finished},
     *                   {@code rolled-back}, {@code needs-attention}
     * @param attempt    the attempt number in its window (1 = first)
     * @param startedAt  when it started
     * @param endedAt    when it ended, or null
     * @param version    the new current version, when finished
     * @param failedStep the step that failed, or null
     * @param errorClass the failure's class, or null (never a message a target printed)
     * @param error      a sentence for people about the failure, or null
     * @param stepMillis each step's duration in milliseconds
     */
    record RotationRecord(String id, String path, RotationTrigger trigger, String reason, String by, String state,
                          int attempt, Instant startedAt, Instant endedAt, Integer version, String failedStep,
                          String errorClass, String error, Map<String, Long> stepMillis) {
    }
}
