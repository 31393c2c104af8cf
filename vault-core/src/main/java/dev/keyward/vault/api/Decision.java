package dev.keyward.vault.api;

import java.util.Objects;

/**
 * The authorize step's answer.
 *
 * @param allowed whether the call may go on
 * @param rule    the rule (policy, version, rule) that decided, or "default-deny"
 * @param reason  a sentence for the caller and the audit log (never a secret)
 */
public record Decision(boolean allowed, String rule, String reason) {
    public Decision {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(reason, "reason");
    }

    public static Decision allow(String rule) {
        return new Decision(true, rule, "allowed");
    }

    public static Decision deny(String rule, String reason) {
        return new Decision(false, rule, reason);
    }
}
