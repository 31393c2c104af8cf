package dev.keyward.vault.cli;

import java.util.Map;
import java.util.Set;

/**
 * What a command started by {@code keyward run} inherits: the environment of the CLI without any
 * {@code KEYWARD_*} variable (unseal passphrases, PINs, operator passphrases, tokens, AppRole
 * credentials, and any such variable added later), except the three that only say where the vault
 * is, so that a child can call {@code keyward} itself. The injected variables are added after.
 */
public final class ChildEnvironment {
    /** Kept: they locate the vault and name no credential. */
    static final Set<String> KEPT = Set.of("KEYWARD_HOME", "KEYWARD_ADDRESS", "KEYWARD_CA_CERT");

    private ChildEnvironment() {
    }

    /** Removes the vault's own variables from {@code inherited} (a ProcessBuilder's environment), then adds {@code injected}. */
    public static void prepare(Map<String, String> inherited, Map<String, String> injected) {
        inherited.keySet().removeIf(name -> name.startsWith("KEYWARD_") && !KEPT.contains(name));
        inherited.putAll(injected);
    }
}
