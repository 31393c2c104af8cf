package dev.keyward.vault.engine;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.IntegrityService;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.StorageCheck;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.BindingRegistry;
import dev.keyward.vault.storage.StorageTx;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code keyward check storage}, behind the guarded door: every barrier record opens under the
 * binding its key implies; a record whose key no feature uses was damaged (or written by
 * something else); the KV records are checked by {@code KvStore.check} (index, metadata,
 * versions). One read transaction, so the check sees one consistent state.
 */
final class StorageChecker implements IntegrityService {
    private static final int MAX_PROBLEMS = 1000;
    private static final int PAGE = 1000;

    private final Door door;
    private final SecretsFacade.Guard guard;
    private final BindingRegistry bindings;

    StorageChecker(Door door, SecretsFacade.Guard guard, BindingRegistry bindings) {
        this.door = door;
        this.guard = guard;
        this.bindings = bindings;
    }

    @Override
    public StorageCheck checkStorage(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.STORAGE_CHECK, "sys/storage/check",
                (k, p, tx, now) -> check(k, tx)));
    }

    private StorageCheck check(Unsealed k, StorageTx tx) {
        List<String> problems = new ArrayList<>();
        long[] omitted = {0};
        dev.keyward.vault.secrets.KvCheck.Problems out = problem -> {
            if (problems.size() < MAX_PROBLEMS) {
                problems.add(problem);
            } else {
                omitted[0]++;
            }
        };
        long records = 0;
        String after = null;
        while (true) {
            List<StorageTx.Entry> page = tx.scan("", after, PAGE);
            for (StorageTx.Entry e : page) {
                records++;
                record(k, e, out);
            }
            if (page.size() < PAGE) {
                break;
            }
            after = page.get(page.size() - 1).key();
        }
        long secrets = k.kv().check(tx, out);
        return new StorageCheck(records, secrets, problems, omitted[0]);
    }

    private void record(Unsealed k, StorageTx.Entry e, dev.keyward.vault.secrets.KvCheck.Problems out) {
        String key = e.key();
        if (RecordKinds.notSealedByBarrier(key)) {
            return; // the keyring opened at unseal; the audit tree is checked by audit verification
        }
        Optional<Barrier.Binding> binding;
        try {
            binding = bindings.bindingOf(key);
        } catch (RuntimeException malformed) {
            binding = Optional.empty();
        }
        if (binding.isEmpty()) {
            out.add("The record " + key + " belongs to no known kind of record: its key was damaged, or something"
                    + " other than Keyward wrote it.");
            return;
        }
        if (key.startsWith("kv/")) {
            return; // opened by the KV check, which also knows what each record must agree with
        }
        try {
            byte[] plain = k.barrier().open(binding.get(), e.value());
            java.util.Arrays.fill(plain, (byte) 0);
        } catch (KeywardException | IllegalArgumentException ex) {
            out.add("The record " + key + " fails its integrity check: it was altered, or its key was damaged.");
        }
    }
}
