package dev.keyward.vault.rotation;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

/**
 * What a rotator gets for one step.
 *
 * @param path         the secret being rotated
 * @param params       the rotator's parameters from the rotation config (no secret values)
 * @param current      the current version's fields (empty when the secret has none yet)
 * @param secretReader reads another secret's current fields (a rotation credential, a CA); goes
 *                     through the guarded door as the rotation job
 * @param clock        the vault's clock
 * @param timeout      how long one step may take
 */
public record RotationContext(String path, Map<String, String> params, Map<String, String> current,
                              Function<String, Map<String, String>> secretReader, Clock clock, Duration timeout) {
    public RotationContext {
        params = Map.copyOf(params);
        current = Map.copyOf(current);
    }

    @Override
    public String toString() {
        return "RotationContext[path=" + path + ", params=" + params + ", current=" + current.size()
                + " fields hidden]";
    }
}
