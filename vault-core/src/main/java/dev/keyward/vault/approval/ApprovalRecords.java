package dev.keyward.vault.approval;

import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.Names;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.DestroyableKey;
import dev.keyward.vault.crypto.Hmac;
import dev.keyward.vault.identity.Records;
import dev.keyward.vault.storage.StorageTx;
import java.util.ArrayList;
import java.util.List;

/**
 * How the approval records are stored: sealed by the barrier under kind {@code approval}, named by
 * keyed hashes (layout in {@link Approvals}).
 */
final class ApprovalRecords {
    private final Barrier barrier;
    private final DestroyableKey indexKey;

    ApprovalRecords(Barrier barrier, DestroyableKey indexKey) {
        this.barrier = barrier;
        this.indexKey = indexKey;
    }

    String id(String prefix, String domain, String name) {
        return prefix + Hmac.id(indexKey, "approval." + domain, name);
    }

    <T> T get(StorageTx tx, String key, Class<T> type) {
        return Records.get(tx, barrier, Approvals.KIND, key, type);
    }

    void put(StorageTx tx, String key, Object value) {
        Records.put(tx, barrier, Approvals.KIND, key, value);
    }

    <T> List<T> scan(StorageTx tx, String prefix, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (StorageTx.Entry e : tx.scan(prefix, null, Integer.MAX_VALUE)) {
            out.add(Records.decode(barrier.open(Barrier.Binding.of(Approvals.KIND, e.key()), e.value()), type));
        }
        return out;
    }

    /** Deletes the record named {@code name}; says plainly when there is none. */
    void deleteNamed(StorageTx tx, String prefix, String domain, String what, String name) {
        String key = id(prefix, domain, Names.validate(domain, name));
        if (tx.get(key) == null) {
            throw new NotFoundException("There is no " + what + " named " + name + ".");
        }
        tx.delete(key);
    }
}
