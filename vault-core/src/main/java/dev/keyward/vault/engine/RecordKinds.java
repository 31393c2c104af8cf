package dev.keyward.vault.engine;

import dev.keyward.vault.audit.MerkleAuditLog;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.BindingRegistry;

/**
 * Every prefix under which barrier records are stored, with the binding each was sealed with.
 * Add a line here when a feature stores records under a new prefix, or the rewrap skips them.
 * Not listed on purpose ({@link #UNSEALED_BY_BARRIER}): the keyring (sealed by the root key, not
 * the barrier) and plain counters. A test checks that every stored key is one or the other.
 */
final class RecordKinds {
    private RecordKinds() {
    }

    /** Stored keys (or key prefixes ending in '/') that are not barrier records. */
    static final java.util.List<String> UNSEALED_BY_BARRIER = java.util.List.of("sys/keyring", "sys/keyring.next",
            "pol/gen", MerkleAuditLog.NODE_PREFIX, MerkleAuditLog.LEAF_PREFIX, MerkleAuditLog.HEAD_PREFIX,
            MerkleAuditLog.KEY_PREFIX);

    static boolean notSealedByBarrier(String key) {
        return UNSEALED_BY_BARRIER.stream().anyMatch(k -> k.endsWith("/") ? key.startsWith(k) : key.equals(k));
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
                .registerKind("id/acc/", "identity.accessor")
                .registerKind("id/idx/", "identity.index")
                .registerKind("id/ar/", "identity.approle")
                .registerKind("id/arid/", "identity.roleid")
                .registerKind("id/sid/", "identity.secretid")
                .registerKind("id/sida/", "identity.secretid.accessor")
                .registerKind("id/cert/", "identity.cert")
                .registerKind("id/wrap/", "identity.wrap")
                .registerKind("pol/p/", "policy.current")
                .registerKind("pol/h/", "policy.version")
                .registerKind("pol/r/", "policy.role")
                .registerKind("pol/u/", "policy.usage")
                .registerKind("gov/", dev.keyward.vault.policy.GrantExceptions.KIND)
                .registerKind(dev.keyward.vault.approval.Approvals.PREFIX, dev.keyward.vault.approval.Approvals.KIND)
                // Audit entries share one binding: the Merkle tree, not the key, fixes their position.
                .register(MerkleAuditLog.ENTRY_PREFIX, key -> MerkleAuditLog.ENTRY_BINDING)
                .register(MerkleAuditLog.STATE, key -> MerkleAuditLog.STATE_BINDING)
                .registerKind("sys/blob/", "sys.blob")
                .registerKind(dev.keyward.vault.events.WebhookStore.PREFIX, dev.keyward.vault.events.WebhookStore.KIND)
                .registerKind(dev.keyward.vault.rotation.RotationStore.PREFIX, dev.keyward.vault.rotation.RotationStore.KIND)
                .registerKind(dev.keyward.vault.anomaly.AlertBook.PREFIX, dev.keyward.vault.anomaly.AlertBook.KIND)
                .registerKind(Rewrapper.STATE_KEY, "sys.rewrap");
    }
}
