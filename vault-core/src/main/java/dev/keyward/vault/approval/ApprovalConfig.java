package dev.keyward.vault.approval;

import dev.keyward.vault.api.ApprovalService.Gate;
import dev.keyward.vault.api.ApprovalService.Threshold;
import dev.keyward.vault.api.ApprovalService.Track;
import dev.keyward.vault.api.GatedOperation;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Names;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.policy.Patterns;
import dev.keyward.vault.storage.StorageTx;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The approval configuration: review tracks (who may approve for which track) and gates (which
 * operation on which resources needs which approvals), under {@code appr/t/} and {@code appr/g/}.
 */
public final class ApprovalConfig {
    private final ApprovalRecords records;

    ApprovalConfig(ApprovalRecords records) {
        this.records = records;
    }

    public Track putTrack(StorageTx tx, Track t) {
        t.operators().forEach(dev.keyward.vault.api.OperatorNames::validate);
        t.roles().forEach(r -> Names.validate("role", r));
        records.put(tx, records.id(Approvals.TRACKS, "track", t.name()), t);
        return t;
    }

    public List<Track> tracks(StorageTx tx) {
        List<Track> out = records.scan(tx, Approvals.TRACKS, Track.class);
        out.sort(Comparator.comparing(Track::name));
        return out;
    }

    public void deleteTrack(StorageTx tx, String name) {
        records.deleteNamed(tx, Approvals.TRACKS, "track", "review track", name);
    }

    public Gate putGate(StorageTx tx, Gate g) {
        operationKind(g.operation());
        Set<String> known = new HashSet<>();
        tracks(tx).forEach(t -> known.add(t.name()));
        for (Threshold th : g.thresholds()) {
            if (!th.track().equals(dev.keyward.vault.api.ApprovalService.ANY_TRACK) && !known.contains(th.track())) {
                throw new InvalidRequestException("There is no review track named " + th.track()
                        + ": add it before a gate names it.");
            }
        }
        if (g.maxDuration().compareTo(Approvals.MAX_GRANT) > 0) {
            throw new InvalidRequestException("A grant lasts at most " + Approvals.MAX_GRANT.toHours() + " hours.");
        }
        records.put(tx, records.id(Approvals.GATES, "gate", g.id()), g);
        return g;
    }

    public List<Gate> gates(StorageTx tx) {
        List<Gate> out = records.scan(tx, Approvals.GATES, Gate.class);
        out.sort(Comparator.comparing(Gate::id));
        return out;
    }

    public void deleteGate(StorageTx tx, String gateId) {
        records.deleteNamed(tx, Approvals.GATES, "gate", "gate", gateId);
    }

    /** The most specific gate for an operation on a resource, or null. */
    public Gate gateFor(StorageTx tx, String operation, String resource) {
        Gate best = null;
        for (Gate g : gates(tx)) {
            if (g.operation().equals(operation) && matches(g.resource(), resource)
                    && (best == null || g.resource().length() > best.resource().length())) {
                best = g;
            }
        }
        return best;
    }

    static boolean matches(String pattern, String resource) {
        if (pattern.equals("*")) {
            return true;
        }
        try {
            return Patterns.covers(pattern, resource);
        } catch (RuntimeException unusual) {
            return pattern.equals(resource);
        }
    }

    /** Whether an operation name is a gated operation ({@code true}) or a door operation ({@code false}). */
    static boolean operationKind(String operation) {
        for (GatedOperation g : GatedOperation.values()) {
            if (g.id().equals(operation)) {
                return true;
            }
        }
        for (Operation o : Operation.values()) {
            if (o.id().equals(operation)) {
                return false;
            }
        }
        throw new InvalidRequestException("'" + operation.replaceAll("\\p{Cntrl}", "?") + "' is neither a gated "
                + "operation (read-critical, destroy, rotate-now, policy-apply, elevation, seal-migration, "
                + "root-key-rotation) nor an operation id (e.g. secret.read).");
    }
}
