package dev.keyward.vault.rotation;

import dev.keyward.vault.api.InvalidRequestException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rotator types a vault knows, by type name. A new rotator joins with one line in
 * {@link #defaults}; the registry refuses a type named twice.
 */
public final class RotatorRegistry {
    private final Map<String, Rotator> byType = new TreeMap<>();

    /** The built-in rotators. */
    public static RotatorRegistry defaults() {
        return new RotatorRegistry()
                .register(new GeneratedRotator())
                .register(new HookRotator())
                .register(new SshKeyRotator())
                .register(new dev.keyward.vault.rotation.postgres.PostgresRotator());
    }

    public synchronized RotatorRegistry register(Rotator r) {
        if (byType.putIfAbsent(r.type(), r) != null) {
            throw new IllegalStateException("rotator type registered twice: " + r.type());
        }
        return this;
    }

    /** The rotator of a type; an {@link InvalidRequestException} naming the known types otherwise. */
    public synchronized Rotator get(String type) {
        Rotator r = type == null ? null : byType.get(type);
        if (r == null) {
            throw new InvalidRequestException("Unknown rotator '" + type + "'; known: " + String.join(", ",
                    byType.keySet()) + ".");
        }
        return r;
    }

    public synchronized List<String> types() {
        return List.copyOf(byType.keySet());
    }
}
