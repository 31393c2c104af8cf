package dev.keyward.vault.engine;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.AlertService;
import dev.keyward.vault.api.AlertService.Alert;
import dev.keyward.vault.api.AlertService.AlertFilter;
import dev.keyward.vault.api.AlertService.ContainmentAction;
import dev.keyward.vault.api.AlertService.StateChange;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.GovernanceService.AlertLine;
import dev.keyward.vault.api.GovernanceService.AnomalySection;
import dev.keyward.vault.api.GovernanceService.RotationLine;
import dev.keyward.vault.api.GovernanceService.RotationRunLine;
import dev.keyward.vault.api.GovernanceService.RotationSection;
import dev.keyward.vault.api.GovernanceService.Unavailable;
import dev.keyward.vault.api.RotationService;
import dev.keyward.vault.api.RotationService.RotationRecord;
import dev.keyward.vault.api.RotationService.RotationStatus;
import dev.keyward.vault.api.ServiceUnavailableException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The report's sections that other features own: rotation status, read through the
 * {@link RotationService}, and the period's anomalies, read through the {@link AlertService}, each
 * as the report's caller (so its permissions apply and every read is audited there). A section the
 * caller may not read is left out with a sentence saying why.
 */
final class ComplianceSections {
    /** The most runs read per secret (the history keeps fewer). */
    private static final int RUNS = 500;
    /** The most alerts a report lists. */
    private static final int ALERTS = 10_000;

    private ComplianceSections() {
    }

    /** The rotation section, or null (and a line in {@code unavailable}) when the caller may not read it. */
    static RotationSection rotation(RotationService rot, Caller caller, Instant from, Instant end,
                                    List<Unavailable> unavailable) {
        if (rot == null) {
            unavailable.add(new Unavailable("Rotation status", "this vault has no rotation service"));
            return null;
        }
        try {
            List<RotationLine> secrets = new ArrayList<>();
            List<RotationRunLine> runs = new ArrayList<>();
            for (RotationStatus s : rot.schedules(caller, "")) {
                List<RotationRecord> history = rot.history(caller, s.path(), RUNS);
                String lastFailure = null;
                for (RotationRecord h : history) { // newest first
                    if (h.error() != null || h.failedStep() != null) {
                        lastFailure = (h.failedStep() == null ? "" : "step " + h.failedStep() + ": ")
                                + (h.error() != null ? h.error() : h.errorClass());
                        break;
                    }
                    if ("finished".equals(h.state())) {
                        break; // an older failure was cured by this run
                    }
                }
                secrets.add(new RotationLine(s.path(), s.rotator(), s.schedule(), status(s), s.lastRunAt(),
                        s.lastOutcome(), s.lastSuccessAt(), s.nextRun(), lastFailure));
                for (RotationRecord h : history) {
                    if (!h.startedAt().isBefore(from) && h.startedAt().isBefore(end)) {
                        runs.add(new RotationRunLine(s.path(), h.id(), h.trigger().id(), h.reason(), h.by(), h.state(),
                                h.startedAt(), h.endedAt(), h.version(), h.failedStep(), h.error()));
                    }
                }
            }
            runs.sort(Comparator.comparing(RotationRunLine::startedAt));
            return new RotationSection(secrets, runs);
        } catch (AccessDeniedException e) {
            unavailable.add(new Unavailable("Rotation status", "the report's caller may not read rotation status "
                    + "(read on sys/rotation/*)"));
            return null;
        }
    }

    /** How a configured rotation stands: failing before overdue before on schedule. */
    static String status(RotationStatus s) {
        if (s.needsAttention() || "rolled-back".equals(s.lastOutcome()) || "needs-attention".equals(s.lastOutcome())) {
            return "failing";
        }
        if (s.overdue()) {
            return "overdue";
        }
        return "by trigger only".equals(s.schedule()) ? "by trigger only" : "on schedule";
    }

    /** The anomaly section, or null (and a line in {@code unavailable}) when the caller may not read alerts. */
    static AnomalySection anomalies(AlertService alerts, Caller caller, Instant from, Instant end,
                                    List<Unavailable> unavailable) {
        if (alerts == null) {
            unavailable.add(new Unavailable("Anomalies", "this vault has no alert service"));
            return null;
        }
        List<Alert> raised;
        try {
            raised = alerts.listAlerts(caller, new AlertFilter(null, null, null, null, from, ALERTS));
        } catch (AccessDeniedException e) {
            unavailable.add(new Unavailable("Anomalies", "the report's caller may not read alerts (read on "
                    + "sys/alerts/*)"));
            return null;
        } catch (ServiceUnavailableException e) {
            unavailable.add(new Unavailable("Anomalies", "this vault has no alert desk"));
            return null;
        }
        Map<String, ContainmentAction> actions = new HashMap<>();
        try {
            alerts.containmentStatus(caller).recent().forEach(a -> actions.put(a.id(), a));
        } catch (AccessDeniedException e) {
            // the actions are then named by id only
        }
        List<AlertLine> out = new ArrayList<>();
        for (Alert a : raised) {
            if (a.raisedAt().isBefore(from) || !a.raisedAt().isBefore(end)) {
                continue;
            }
            StateChange last = a.history().isEmpty() ? null : a.history().get(a.history().size() - 1);
            List<String> contained = new ArrayList<>();
            for (String id : a.actions()) {
                ContainmentAction c = actions.get(id);
                contained.add(c == null ? id : c.action() + ": " + c.state() + (c.detail() == null ? ""
                        : " (" + c.detail() + ")"));
            }
            out.add(new AlertLine(a.id(), a.detector(), a.severity(), a.identity(), a.resource(), a.summary(),
                    a.raisedAt(), a.state().id(), last == null ? a.raisedBy() : last.by(),
                    last == null ? null : last.why(), last == null ? a.raisedAt() : last.at(), contained));
        }
        out.sort(Comparator.comparing(AlertLine::raisedAt));
        return new AnomalySection(out);
    }
}
