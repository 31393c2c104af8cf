package dev.keyward.console.alerts;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.vault.api.AlertService;
import dev.keyward.vault.api.AlertService.Alert;
import dev.keyward.vault.api.AlertService.AlertFilter;
import dev.keyward.vault.api.AlertService.AlertState;
import dev.keyward.vault.api.AlertService.ContainmentAction;
import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.AuditRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Alerts: the list (by state), one alert's detail (summary, runbook, history, the audit entries
 * behind it), acknowledge / resolve / mark a false positive with a reason, and containment actions
 * with undo. Every call runs in the background; refusals show as an inline sentence.
 */
public final class AlertsViewModel {
    private final ConsoleViewModel console;
    private final ObservableList<Alert> alerts = FXCollections.observableArrayList();
    private final ObservableList<ContainmentAction> actions = FXCollections.observableArrayList();
    private final ObjectProperty<AlertState> stateFilter = new SimpleObjectProperty<>(null);
    private final ReadOnlyStringWrapper detail = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper info = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper containment = new ReadOnlyStringWrapper("");
    private Alert selected;

    public AlertsViewModel(ConsoleViewModel console) {
        this.console = console;
    }

    private AlertService service() {
        return console.vault().alerts();
    }

    public ObservableList<Alert> alerts() {
        return FXCollections.unmodifiableObservableList(alerts);
    }

    public ObservableList<ContainmentAction> actions() {
        return FXCollections.unmodifiableObservableList(actions);
    }

    /** Which state to list (null = every state). */
    public ObjectProperty<AlertState> stateFilterProperty() {
        return stateFilter;
    }

    public ReadOnlyStringProperty detailProperty() {
        return detail.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty infoProperty() {
        return info.getReadOnlyProperty();
    }

    /** Containment in force, as a sentence (read-only mode, restricted identities). */
    public ReadOnlyStringProperty containmentProperty() {
        return containment.getReadOnlyProperty();
    }

    public void reload() {
        AlertState s = stateFilter.get();
        console.background().run(() -> service().listAlerts(console.caller(null),
                new AlertFilter(s, null, null, null, null, 500)), list -> {
                    alerts.setAll(list);
                    error.set("");
                }, error::set);
        console.background().run(() -> service().containmentStatus(console.caller(null)), st -> {
            actions.setAll(st.recent());
            List<String> parts = new ArrayList<>();
            parts.add(st.vaultReadOnly() ? "The vault is in read-only mode." : "The vault is writable.");
            st.identities().forEach(r -> parts.add(r.identity() + ": " + (r.locked() ? "locked, " : "")
                    + (r.readOnly() ? "read-only, " : "") + "risk " + r.risk()));
            containment.set(String.join("  ", parts));
        }, error::set);
    }

    /** Shows an alert's detail and the audit entries behind it (its evidence). */
    public void select(Alert a) {
        selected = a;
        if (a == null) {
            detail.set("");
            return;
        }
        detail.set(describe(a, List.of()));
        console.background().run(() -> evidence(a), entries -> {
            if (selected == a) {
                detail.set(describe(a, entries));
            }
        }, e -> detail.set(describe(a, List.of()) + "\nThe audit entries could not be read: " + e));
    }

    private List<AuditRecord> evidence(Alert a) {
        List<AuditRecord> out = new ArrayList<>();
        for (long seq : a.evidence()) {
            out.addAll(console.vault().audit().query(console.caller(null), new AuditQuery(null, null, null, null, null,
                    null, seq - 1, 1)).entries());
        }
        return out;
    }

    static String describe(Alert a, List<AuditRecord> entries) {
        StringBuilder b = new StringBuilder();
        b.append(a.severity().id().toUpperCase(Locale.ROOT)).append("  ").append(a.detector()).append("  ")
                .append(a.state().id()).append('\n');
        b.append(a.summary()).append('\n');
        if (a.identity() != null) {
            b.append("Identity: ").append(a.identity()).append('\n');
        }
        if (a.resource() != null) {
            b.append("Resource: ").append(a.resource()).append('\n');
        }
        b.append("Raised ").append(a.raisedAt()).append(" by ").append(a.raisedBy()).append('\n');
        b.append("\nRunbook: ").append(a.runbook()).append('\n');
        b.append("\nEvidence (audit entries): ").append(a.evidence()).append('\n');
        for (AuditRecord r : entries) {
            b.append("  #").append(r.sequence()).append(' ').append(r.time()).append(' ')
                    .append(r.identityName() == null ? "-" : r.identityName()).append(' ').append(r.sourceAddress())
                    .append(' ').append(r.operation()).append(' ').append(r.resource() == null ? "" : r.resource())
                    .append(' ').append(r.outcome()).append('\n');
        }
        b.append("\nHistory:\n");
        a.history().forEach(h -> b.append("  ").append(h.at()).append(' ').append(h.state().id()).append(" by ")
                .append(h.by()).append(": ").append(h.why()).append('\n'));
        if (!a.actions().isEmpty()) {
            b.append("\nContainment actions: ").append(String.join(", ", a.actions())).append('\n');
        }
        return b.toString();
    }

    public void acknowledge(String reason) {
        change(reason, "acknowledged", (c, id, why) -> service().acknowledge(c, id, why));
    }

    public void resolve(String reason) {
        change(reason, "resolved", (c, id, why) -> service().resolve(c, id, why));
    }

    public void markFalsePositive(String reason) {
        change(reason, "marked a false positive", (c, id, why) -> service().markFalsePositive(c, id, why));
    }

    private interface Change {
        Alert apply(dev.keyward.vault.api.Caller c, String id, String why);
    }

    private void change(String reason, String done, Change call) {
        Alert a = selected;
        if (a == null) {
            error.set("Select an alert first.");
            return;
        }
        if (reason == null || reason.isBlank()) {
            error.set("Say why (the reason is recorded with your name).");
            return;
        }
        console.background().run(() -> call.apply(console.caller(null), a.id(), reason.trim()), changed -> {
            error.set("");
            info.set("Alert " + changed.id() + " " + done + ".");
            reload();
            select(changed);
        }, error::set);
    }

    /** Undoes a containment action. */
    public void undo(ContainmentAction action, String reason) {
        if (action == null) {
            error.set("Select a containment action first.");
            return;
        }
        if (reason == null || reason.isBlank()) {
            error.set("Say why (the reason is recorded with your name).");
            return;
        }
        console.background().run(() -> service().undoContainment(console.caller(null), action.id(), reason.trim()),
                undone -> {
                    error.set("");
                    info.set("Undone: " + undone.action() + " (" + undone.detail() + ").");
                    reload();
                }, error::set);
    }
}
