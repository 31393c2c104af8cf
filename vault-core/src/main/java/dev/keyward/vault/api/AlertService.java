package dev.keyward.vault.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Alerts: raised by the anomaly detectors and by other features, delivered to the console, a
 * JSON-lines file, syslog and signed webhooks, and worked through by operators. Containment (what
 * the vault does at once when an alert calls for it) is configured per detector and severity and
 * every action can be undone. Every call goes through the guarded door and is audited.
 *
 * <p>Method names are not overloaded: remote calls are named by method alone. Only {@link #raise} is
 * abstract, so a feature's test may still stand in a lambda for the service; the vault's own
 * implementation overrides every call, and all of them are remote calls.
 */
public interface AlertService {

    /** Raises an alert (audited, stored, delivered); returns its id. */
    String raise(Caller caller, AlertSpec spec);

    /**
     * The answer of the calls below where only {@link #raise} is provided (another feature's test
     * double, a vault without the alert desk).
     */
    private static ServiceUnavailableException unavailable() {
        return new ServiceUnavailableException("This vault has no alert desk: only raising alerts is provided.");
    }

    /** Alerts matching the filter, newest first. */
    default List<Alert> listAlerts(Caller caller, AlertFilter filter) {
        throw unavailable();
    }

    /** One alert with its evidence and the containment actions taken for it. */
    default Alert showAlert(Caller caller, String alertId) {
        throw unavailable();
    }

    /** Inclusion proofs of the alert's evidence entries in the latest signed head of the audit log. */
    default List<InclusionProof> proveEvidence(Caller caller, String alertId) {
        throw unavailable();
    }

    /** Marks an alert acknowledged (someone is on it); {@code why} is recorded with the caller. */
    default Alert acknowledge(Caller caller, String alertId, String why) {
        throw unavailable();
    }

    /** Marks an alert resolved. */
    default Alert resolve(Caller caller, String alertId, String why) {
        throw unavailable();
    }

    /** Marks an alert a false positive (who and why are recorded; the detector's baseline learns it). */
    default Alert markFalsePositive(Caller caller, String alertId, String why) {
        throw unavailable();
    }

    /** What containment holds in force now: restricted identities, vault read-only, risk scores, actions. */
    default ContainmentStatus containmentStatus(Caller caller) {
        throw unavailable();
    }

    /** Undoes one containment action (an unlock, the end of read-only, a risk lowered...). */
    default ContainmentAction undoContainment(Caller caller, String actionId, String why) {
        throw unavailable();
    }

    /** The detector and containment configuration in force (YAML, webhook keys masked) and its summary. */
    default DetectorConfig detectorConfig(Caller caller) {
        throw unavailable();
    }

    /** Replaces the detector and containment configuration (YAML; see docs/anomaly.md). */
    default DetectorConfig applyDetectorConfig(Caller caller, String yaml) {
        throw unavailable();
    }

    // ------------------------------------------------------------ records

    /** Where an alert is in its life. */
    enum AlertState {
        OPEN, ACKNOWLEDGED, RESOLVED, FALSE_POSITIVE;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * What to list; null fields match anything.
     *
     * @param state    only alerts in this state
     * @param detector only alerts of this detector
     * @param identity only alerts about this identity (name or id)
     * @param minSeverity only alerts at least this bad
     * @param since    only alerts raised at or after this time
     * @param limit    at most this many (0 = 200)
     */
    record AlertFilter(AlertState state, String detector, String identity, AlertSeverity minSeverity, Instant since,
                       int limit) {
        public AlertFilter {
            if (limit < 0 || limit > 10_000) {
                throw new InvalidRequestException("An alert listing holds 1 to 10000 alerts (0 = 200).");
            }
            limit = limit == 0 ? 200 : limit;
        }

        public static AlertFilter all() {
            return new AlertFilter(null, null, null, null, null, 0);
        }
    }

    /** One change of an alert's state: who, why, when. */
    record StateChange(AlertState state, String by, String why, Instant at) {
    }

    /**
     * An alert.
     *
     * @param id          its id
     * @param detector    what raised it
     * @param severity    how bad
     * @param identity    the identity concerned (name), or null
     * @param identityId  its id, or null
     * @param resource    the path or object concerned, or null
     * @param summary     one sentence; never a secret value
     * @param runbook     what to do about it (per detector)
     * @param evidence    the audit entries behind it, by sequence number
     * @param leafHashes  the RFC 9162 leaf hash of each evidence entry, kept so proofs can be checked later
     * @param details     more facts by name
     * @param raisedAt    when
     * @param raisedBy    who raised it (a detector's system caller, or another feature)
     * @param state       where it is now
     * @param history     every state change, oldest first
     * @param actions     the ids of containment actions taken for it
     */
    record Alert(String id, String detector, AlertSeverity severity, String identity, String identityId,
                 String resource, String summary, String runbook, List<Long> evidence, List<String> leafHashes,
                 Map<String, String> details, Instant raisedAt, String raisedBy, AlertState state,
                 List<StateChange> history, List<String> actions) {
        public Alert {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(detector, "detector");
            Objects.requireNonNull(severity, "severity");
            Objects.requireNonNull(state, "state");
            evidence = evidence == null ? List.of() : List.copyOf(evidence);
            leafHashes = leafHashes == null ? List.of() : List.copyOf(leafHashes);
            details = details == null ? Map.of() : Map.copyOf(details);
            history = history == null ? List.of() : List.copyOf(history);
            actions = actions == null ? List.of() : List.copyOf(actions);
        }
    }

    /**
     * One containment action.
     *
     * @param id        its id
     * @param alertId   the alert that called for it
     * @param action    revoke-tokens, lock, read-only, vault-read-only, risk, rotate, seal
     * @param identity  the identity it applies to (name), or null for the whole vault
     * @param identityId its id, or null
     * @param state     applied, undone, cannot-apply
     * @param detail    what happened (e.g. "3 tokens revoked", why it could not apply)
     * @param at        when it was applied (or found impossible)
     * @param undoneBy  who undid it, or null
     * @param undoneWhy why, or null
     */
    record ContainmentAction(String id, String alertId, String action, String identity, String identityId,
                             String state, String detail, Instant at, String undoneBy, String undoneWhy) {
        public ContainmentAction {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(state, "state");
        }
    }

    /** An identity under containment: locked, read-only, or with a raised risk score. */
    record Restriction(String identityId, String identity, boolean locked, boolean readOnly, int risk) {
    }

    /** Containment in force now. */
    record ContainmentStatus(boolean vaultReadOnly, List<Restriction> identities, List<ContainmentAction> recent) {
        public ContainmentStatus {
            identities = List.copyOf(identities);
            recent = List.copyOf(recent);
        }
    }

    /** One detector as configured. */
    record DetectorInfo(String name, boolean enabled, AlertSeverity severity, Map<String, List<String>> containment,
                        String runbook) {
        public DetectorInfo {
            containment = Map.copyOf(containment);
        }
    }

    /** The configuration in force: its YAML (webhook keys masked), version and detectors. */
    record DetectorConfig(String yaml, int version, List<DetectorInfo> detectors, List<String> deliveries) {
        public DetectorConfig {
            detectors = List.copyOf(detectors);
            deliveries = List.copyOf(deliveries);
        }
    }
}
