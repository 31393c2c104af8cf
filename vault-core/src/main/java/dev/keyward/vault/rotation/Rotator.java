package dev.keyward.vault.rotation;

import java.util.Map;

/**
 * One kind of rotation target: makes a new value and applies it where the credential is used.
 * The rotation engine drives the staged protocol (pending, set, test, finish) and records each
 * step durably before it runs; a rotator only does the work of a step. Every method may be
 * called again for the same rotation after a crash, so each must be safe to repeat.
 *
 * <p>Values are the secret's fields by name. A rotator never logs them, never puts them in an
 * exception message, never passes them on a command line or in an environment.
 */
public interface Rotator {

    /** The type name in rotation configs, e.g. {@code generated}, {@code postgres}. */
    String type();

    /**
     * Checks a config's parameters before it is stored.
     *
     * @throws dev.keyward.vault.api.InvalidRequestException naming the parameter that is wrong
     */
    void validate(Map<String, String> params);

    /** Step 1: a new value for the pending version, fresh every time (never one that failed). */
    Map<String, String> generate(RotationContext ctx);

    /** Step 2: makes the target accept the pending value. */
    void set(RotationContext ctx, Map<String, String> pending);

    /** Step 3: proves the pending value works on the target (e.g. logs in with it). */
    void test(RotationContext ctx, Map<String, String> pending);

    /**
     * Rolls back a set that happened: the target accepts {@code current} again (and, where it
     * can, no longer accepts {@code pending}). Nothing to do by default.
     */
    default void restore(RotationContext ctx, Map<String, String> current, Map<String, String> pending) {
    }

    /** After the grace period: the target stops accepting the previous value, where it can. */
    default void revokePrevious(RotationContext ctx, Map<String, String> previous, Map<String, String> current) {
    }

    /** A read-only check that the current value still works on the target (keyward check credentials). */
    void check(RotationContext ctx, Map<String, String> current);
}
