package dev.keyward.vault.crypto;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which {@link Barrier.Binding} a stored record was sealed with, known from its storage key
 * alone. The rewrap of old key terms walks these prefixes: a package that stores barrier records
 * under a new prefix registers it (see {@code engine.RecordKinds}), or its records keep their old
 * term.
 */
public final class BindingRegistry {
    /** Derives a record's binding from its storage key. */
    @FunctionalInterface
    public interface Resolver {
        Barrier.Binding binding(String key);
    }

    private final TreeMap<String, Resolver> byPrefix = new TreeMap<>();

    public BindingRegistry register(String prefix, Resolver resolver) {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(resolver, "resolver");
        for (String p : byPrefix.keySet()) {
            if (p.startsWith(prefix) || prefix.startsWith(p)) {
                throw new IllegalArgumentException("record prefix " + prefix + " overlaps " + p);
            }
        }
        byPrefix.put(prefix, resolver);
        return this;
    }

    /** Records sealed as {@code Binding.of(kind, key)}. */
    public BindingRegistry registerKind(String prefix, String kind) {
        return register(prefix, key -> Barrier.Binding.of(kind, key));
    }

    /** The registered prefixes, in key order. */
    public List<String> prefixes() {
        return new ArrayList<>(byPrefix.keySet());
    }

    public Optional<Barrier.Binding> bindingOf(String key) {
        Map.Entry<String, Resolver> e = byPrefix.floorEntry(key);
        if (e == null || !key.startsWith(e.getKey())) {
            return Optional.empty();
        }
        return Optional.of(e.getValue().binding(key));
    }
}
