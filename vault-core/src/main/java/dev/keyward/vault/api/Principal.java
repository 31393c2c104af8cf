package dev.keyward.vault.api;

import java.util.List;
import java.util.Objects;

/**
 * An authenticated identity as the guarded door sees it.
 *
 * @param id       stable identifier (never reused)
 * @param name     display name
 * @param kind     operator (a person) or machine (a pipeline)
 * @param roles    role or policy names bound to the identity
 * @param method   how it authenticated for this call
 */
public record Principal(String id, String name, Kind kind, List<String> roles, AuthMethod method) {

    public enum Kind { OPERATOR, MACHINE }

    public Principal {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        roles = List.copyOf(roles);
        Objects.requireNonNull(method, "method");
    }
}
