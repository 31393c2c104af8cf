package dev.keyward.vault.api;

import java.util.Locale;

/** The operations an approval gate can stand in front of. */
public enum GatedOperation {
    /** Reading or revealing a secret marked critical. */
    READ_CRITICAL,
    /** Destroying secret versions. */
    DESTROY,
    /** Rotating a critical secret now (by hand or by a deployment event). */
    ROTATE_NOW,
    /** Applying a policy change (policy-as-code apply, or a policy write). */
    POLICY_APPLY,
    /** Granting an identity a role or policy it does not hold (just-in-time elevation). */
    ELEVATION,
    /** Changing the seal (migration between HSM, passphrase and Shamir). */
    SEAL_MIGRATION,
    /** Rotating the root key. */
    ROOT_KEY_ROTATION,
    /** Bypassing a soft gate with a reason. */
    BREAK_GLASS;

    /** The spelling in policies, audit entries and on the wire, e.g. {@code rotate-now}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static GatedOperation of(String id) {
        for (GatedOperation o : values()) {
            if (o.id().equals(id)) {
                return o;
            }
        }
        throw new InvalidRequestException("Unknown gated operation; known: " + java.util.Arrays.stream(values()).map(GatedOperation::id).toList() + ".");
    }
}
