package dev.keyward.vault.anomaly;

import dev.keyward.vault.api.AlertService.Alert;
import dev.keyward.vault.api.AlertService.AlertFilter;
import dev.keyward.vault.api.AlertService.AlertState;
import dev.keyward.vault.api.AlertService.ContainmentAction;
import dev.keyward.vault.api.AlertService.Restriction;
import dev.keyward.vault.api.AlertService.StateChange;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.Random;
import dev.keyward.vault.identity.Records;
import dev.keyward.vault.storage.StorageTx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where alerts, containment actions, restrictions, the monitor's state and the detector
 * configuration are stored: barrier records under {@link #PREFIX} (one binding kind, {@link #KIND}).
 * Ids start with the time, so keys list oldest first.
 */
public final class AlertBook {
    public static final String PREFIX = "an/";
    public static final String KIND = "anomaly.record";
    private static final String ALERTS = PREFIX + "alert/";
    private static final String ACTIONS = PREFIX + "action/";
    private static final String RESTRICTIONS = PREFIX + "restrictions";
    private static final String STATE = PREFIX + "state";
    private static final String CONFIG = PREFIX + "config";

    private final Barrier barrier;

    public AlertBook(Barrier barrier) {
        this.barrier = barrier;
    }

    /** A new id: {@code kind-<13 digit epoch ms>-<8 hex>}. */
    public static String newId(String kind, Instant now) {
        return kind + "-" + String.format("%013d", now.toEpochMilli()) + "-" + HexFormat.of().formatHex(Random.bytes(4));
    }

    private static String checkId(String id, String kind) {
        if (id == null || !id.matches(kind + "-\\d{13}-[0-9a-f]{8}")) {
            throw new InvalidRequestException("'" + id + "' is not " + (kind.equals("al") ? "an alert" : "an action")
                    + " id (like " + kind + "-1764770000000-0a1b2c3d).");
        }
        return id;
    }

    // ------------------------------------------------------------ alerts

    public void put(StorageTx tx, Alert a) {
        Records.put(tx, barrier, KIND, ALERTS + a.id(), a);
    }

    public Alert alert(StorageTx tx, String id) {
        Alert a = Records.get(tx, barrier, KIND, ALERTS + checkId(id, "al"), Alert.class);
        if (a == null) {
            throw new NotFoundException("No alert " + id + ".");
        }
        return a;
    }

    /** Alerts matching the filter, newest first. */
    public List<Alert> list(StorageTx tx, AlertFilter f) {
        List<Alert> all = new ArrayList<>();
        String after = null;
        while (true) {
            List<StorageTx.Entry> page = tx.scan(ALERTS, after, 1000);
            for (StorageTx.Entry e : page) {
                Alert a = Records.decode(barrier.open(Barrier.Binding.of(KIND, e.key()), e.value()), Alert.class);
                if (matches(a, f)) {
                    all.add(a);
                }
                after = e.key();
            }
            if (page.size() < 1000) {
                break;
            }
        }
        java.util.Collections.reverse(all);
        return all.size() > f.limit() ? List.copyOf(all.subList(0, f.limit())) : all;
    }

    private static boolean matches(Alert a, AlertFilter f) {
        return (f.state() == null || a.state() == f.state())
                && (f.detector() == null || a.detector().equals(f.detector()))
                && (f.identity() == null || f.identity().equals(a.identity()) || f.identity().equals(a.identityId()))
                && (f.minSeverity() == null || a.severity().compareTo(f.minSeverity()) >= 0)
                && (f.since() == null || !a.raisedAt().isBefore(f.since()));
    }

    /** The alert moved to {@code state} by {@code who}, stored. */
    public Alert change(StorageTx tx, String id, AlertState state, String who, String why, Instant now) {
        Alert a = alert(tx, id);
        List<StateChange> h = new ArrayList<>(a.history());
        h.add(new StateChange(state, who, why, now));
        Alert b = new Alert(a.id(), a.detector(), a.severity(), a.identity(), a.identityId(), a.resource(), a.summary(),
                a.runbook(), a.evidence(), a.leafHashes(), a.details(), a.raisedAt(), a.raisedBy(), state, h,
                a.actions());
        put(tx, b);
        return b;
    }

    /** The alert with one more containment action recorded. */
    public Alert withAction(StorageTx tx, String id, String actionId) {
        Alert a = alert(tx, id);
        List<String> acts = new ArrayList<>(a.actions());
        acts.add(actionId);
        Alert b = new Alert(a.id(), a.detector(), a.severity(), a.identity(), a.identityId(), a.resource(), a.summary(),
                a.runbook(), a.evidence(), a.leafHashes(), a.details(), a.raisedAt(), a.raisedBy(), a.state(),
                a.history(), acts);
        put(tx, b);
        return b;
    }

    // ------------------------------------------------------------ containment

    public void putAction(StorageTx tx, ContainmentAction a) {
        Records.put(tx, barrier, KIND, ACTIONS + a.id(), a);
    }

    public ContainmentAction action(StorageTx tx, String id) {
        ContainmentAction a = Records.get(tx, barrier, KIND, ACTIONS + checkId(id, "ca"), ContainmentAction.class);
        if (a == null) {
            throw new NotFoundException("No containment action " + id + ".");
        }
        return a;
    }

    /** The newest actions first, at most {@code limit}. */
    public List<ContainmentAction> actions(StorageTx tx, int limit) {
        List<ContainmentAction> all = new ArrayList<>();
        String after = null;
        while (true) {
            List<StorageTx.Entry> page = tx.scan(ACTIONS, after, 1000);
            for (StorageTx.Entry e : page) {
                all.add(Records.decode(barrier.open(Barrier.Binding.of(KIND, e.key()), e.value()),
                        ContainmentAction.class));
                after = e.key();
            }
            if (page.size() < 1000) {
                break;
            }
        }
        java.util.Collections.reverse(all);
        return all.size() > limit ? List.copyOf(all.subList(0, limit)) : all;
    }

    /** Restrictions in force: by identity id, and the vault-wide read-only mode under key {@code *}. */
    public record Restrictions(Map<String, Restriction> byIdentity, boolean vaultReadOnly) {
        public Restrictions {
            byIdentity = Map.copyOf(byIdentity);
        }

        public static final Restrictions NONE = new Restrictions(Map.of(), false);

        public Restriction of(String identityId) {
            return identityId == null ? null : byIdentity.get(identityId);
        }

        /** These restrictions with {@code identityId}'s replaced (removed when it holds nothing). */
        public Restrictions with(Restriction r) {
            Map<String, Restriction> m = new LinkedHashMap<>(byIdentity);
            if (!r.locked() && !r.readOnly() && r.risk() == 0) {
                m.remove(r.identityId());
            } else {
                m.put(r.identityId(), r);
            }
            return new Restrictions(m, vaultReadOnly);
        }

        public Restrictions withVaultReadOnly(boolean on) {
            return new Restrictions(byIdentity, on);
        }
    }

    public Restrictions restrictions(StorageTx tx) {
        Restrictions r = Records.get(tx, barrier, KIND, RESTRICTIONS, Restrictions.class);
        return r == null ? Restrictions.NONE : r;
    }

    public void putRestrictions(StorageTx tx, Restrictions r) {
        Records.put(tx, barrier, KIND, RESTRICTIONS, r);
    }

    // ------------------------------------------------------------ monitor state and configuration

    public Monitor.State state(StorageTx tx) {
        return Records.get(tx, barrier, KIND, STATE, Monitor.State.class);
    }

    public void putState(StorageTx tx, byte[] encoded) {
        tx.put(STATE, barrier.seal(Barrier.Binding.of(KIND, STATE), encoded));
    }

    /** The stored configuration document and its version. */
    public record StoredConfig(String yaml, int version) {
    }

    public StoredConfig config(StorageTx tx) {
        return Records.get(tx, barrier, KIND, CONFIG, StoredConfig.class);
    }

    public void putConfig(StorageTx tx, StoredConfig c) {
        Records.put(tx, barrier, KIND, CONFIG, c);
    }
}
