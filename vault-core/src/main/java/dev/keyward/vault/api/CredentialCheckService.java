package dev.keyward.vault.api;

import java.util.List;

/**
 * Credential checks for CI ({@code keyward check credentials}): each configured rotator's read-only
 * check against its target, e.g. that a PostgreSQL role's current password still logs in and the
 * rotation credential may still change it. Nothing is changed on a target or in the vault; values
 * never leave the vault (the checks read them as the rotation job).
 */
public interface CredentialCheckService {

    /**
     * Checks every secret with a rotation config whose path starts with {@code prefix} ("" or null:
     * all), one after the other, in path order. A secret whose rotation is running is skipped (its
     * target is between two values). The caller needs read on {@code sys/rotation/<prefix>}.
     */
    List<CredentialCheck> checkCredentials(Caller caller, String prefix);

    /**
     * The result of one check.
     *
     * @param path       the secret
     * @param rotator    its rotator type
     * @param outcome    {@code ok}, {@code failed} or {@code skipped}
     * @param errorClass the failure's class (e.g. {@code PostgresLoginRefusedException}), or null
     * @param error      a sentence about the failure or why it was skipped (never a value), or null
     * @param millis     how long the check took
     */
    record CredentialCheck(String path, String rotator, String outcome, String errorClass, String error,
                           long millis) {
        public static final String OK = "ok";
        public static final String FAILED = "failed";
        public static final String SKIPPED = "skipped";
    }
}
