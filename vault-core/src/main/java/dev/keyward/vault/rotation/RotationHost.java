package dev.keyward.vault.rotation;

import dev.keyward.vault.api.AlertSpec;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.storage.StorageTx;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * What the rotation engine needs from the vault, every call through the guarded door as the
 * rotation job (the engine package implements it). Rotation records change only in
 * {@link #record} and {@link #finish}: one durable transaction with its audit entry each, so a
 * step is recorded (and audited) before it runs, and a failed audit fails the step.
 */
public interface RotationHost {

    /** A transaction over rotation records. */
    record Tx(RotationStore store, StorageTx tx, Instant now) {
    }

    /** A secret's current version and fields (version 0 and no fields when it has none yet). */
    record Current(int version, Map<String, String> fields) {
        public Current {
            fields = Map.copyOf(fields);
        }

        @Override
        public String toString() {
            return "Current[v" + version + ", " + fields.size() + " fields hidden]";
        }
    }

    /** Changes rotation records in one audited write (operation {@code op} on the secret's rotation). */
    <T> T record(Operation op, String path, Map<String, String> details, Function<Tx, T> act);

    /** Reads committed rotation records (no audit entry: the scheduler's own bookkeeping). */
    <T> T read(Function<Tx, T> act);

    /** The secret's current value (an audited read). */
    Current current(String path);

    /** The fields of one version, empty when it is deleted, destroyed or gone (an audited read). */
    Map<String, String> version(String path, int version);

    /**
     * Writes {@code fields} as the secret's new current version if its current version is still
     * {@code cas}, and in the same transaction runs {@code same} with the new version number (an
     * audited secret write, which tells dependents). Returns the new version.
     */
    int finish(String path, Map<String, String> fields, int cas, Map<String, String> details,
               BiConsumer<Tx, Integer> same);

    /** Destroys one version of the secret (an audited destroy). */
    void destroy(String path, int version);

    /** The secret's custom metadata, empty when it has none. */
    Map<String, String> customMetadata(String path);

    /** Reads another secret's current fields for a rotator (an audited read). */
    Map<String, String> readSecret(String path);

    /** Raises an alert; returns its id, or null when the vault has no alert service. */
    String alert(AlertSpec spec);

    Clock clock();
}
