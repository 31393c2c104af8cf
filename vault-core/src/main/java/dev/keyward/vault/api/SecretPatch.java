package dev.keyward.vault.api;

import java.util.Map;
import java.util.Set;

/**
 * A JSON merge patch on a secret's fields: {@code set} adds or replaces fields, {@code remove}
 * drops fields (a {@code null} in the patch document).
 */
public record SecretPatch(Map<String, String> set, Set<String> remove) {
    public SecretPatch {
        set = Map.copyOf(set);
        remove = Set.copyOf(remove);
    }

    @Override
    public String toString() {
        return "SecretPatch[set=" + set.keySet().size() + " fields, values hidden, remove=" + remove.size() + "]";
    }
}
