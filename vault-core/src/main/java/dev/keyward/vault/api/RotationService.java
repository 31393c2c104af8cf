package dev.keyward.vault.api;

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
}
