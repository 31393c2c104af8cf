package dev.keyward.vault.rotation;

import dev.keyward.vault.api.KeywardException;

/**
 * A rotation step failed on its target. The message is a sentence written by the rotator (what
 * failed, e.g. "the hook exited with status 3"); it never contains a value, and never text that
 * the target printed (which could echo one).
 */
public class RotationStepException extends KeywardException {
    private static final long serialVersionUID = 1L;

    public RotationStepException(String message) {
        super(message);
    }

    public RotationStepException(String message, Throwable cause) {
        super(message, cause);
    }
}
