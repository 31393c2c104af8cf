package dev.keyward.vault.api;

import java.util.List;
import java.util.Objects;

/**
 * An authenticated identity as the guarded door sees it.
 *
 * @param id       stable identifier (never reused)
 * @param name     display name
 * @param kind     operator (a person), machine (a pipeline) or system (a background job of the vault)
 * @param roles    role or policy names bound to the identity
 * @param method   how it authenticated for this call
 */
public record Principal(String id, String name, Kind kind, List<String> roles, AuthMethod method) {

    /**
     * Operator: a person. Machine: a pipeline. System: one of the vault's own background jobs
     * (rotation scheduler, containment), known only inside the vault process.
     */
    public enum Kind { OPERATOR, MACHINE, SYSTEM }

    public Principal {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        roles = List.copyOf(roles);
        Objects.requireNonNull(method, "method");
    }
}
