package dev.keyward.vault.engine;

import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.BindingRegistry;

/**
 * Every prefix under which barrier records are stored, with the binding each was sealed with.
 * Add a line here when a feature stores records under a new prefix, or the rewrap skips them.
 * Not listed on purpose: {@code sys/keyring} (sealed by the root key, not the barrier) and
 * {@code audit/next} (a plain counter).
 */
final class RecordKinds {
    private RecordKinds() {
    }

    static BindingRegistry defaults() {
        return new BindingRegistry()
                .registerKind("kv/config", "kv.config")
                .registerKind("kv/m/", "kv.meta")
                .register("kv/d/", key -> new Barrier.Binding("kv.data", key,
                        Long.parseLong(key.substring(key.lastIndexOf('/') + 1))))
                .registerKind("kv/n/", "kv.node")
                .registerKind("id/op/", "identity.operator")
                .registerKind("id/tok/", "identity.token")
                .registerKind("audit/e/", "audit.entry");
    }
}
