package dev.keyward.console.rotation;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.vault.api.RotationService;
import dev.keyward.vault.api.RotationService.RotationRecord;
import dev.keyward.vault.api.RotationService.RotationStatus;
import dev.keyward.vault.api.RotationTrigger;
import java.util.List;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Rotation screen: every configured rotation (next run, last outcome, overdue / failing /
 * needs-attention), a secret's history with its failures, and "Run now" with a reason. Every call
 * goes to the vault's rotation service in the background.
 */
public final class RotationViewModel {
    private final ConsoleViewModel console;
    private final ObservableList<RotationStatus> schedules = FXCollections.observableArrayList();
    private final ObservableList<RotationRecord> history = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper badges = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper selected = new ReadOnlyStringWrapper("");

    public RotationViewModel(ConsoleViewModel console) {
        this.console = console;
    }

    private RotationService service() {
        return console.vault().rotation();
    }

    public ObservableList<RotationStatus> schedules() {
        return FXCollections.unmodifiableObservableList(schedules);
    }

    public ObservableList<RotationRecord> history() {
        return FXCollections.unmodifiableObservableList(history);
    }

    /** The last failure, as a sentence (never a value). */
    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** Counts like "2 overdue · 1 failing · 1 needs attention", empty when all is well. */
    public ReadOnlyStringProperty badgesProperty() {
        return badges.getReadOnlyProperty();
    }

    /** The secret whose history is shown. */
    public ReadOnlyStringProperty selectedProperty() {
        return selected.getReadOnlyProperty();
    }

    /** One status's flags as people read them. */
    public static String flags(RotationStatus s) {
        StringBuilder b = new StringBuilder();
        if (s.running() != null) {
            b.append("running ");
        }
        if (s.overdue()) {
            b.append("overdue ");
        }
        if (s.needsAttention()) {
            b.append("needs attention ");
        } else if ("rolled-back".equals(s.lastOutcome())) {
            b.append("failing ");
        }
        return b.toString().trim();
    }

    static String badges(List<RotationStatus> all) {
        long overdue = all.stream().filter(RotationStatus::overdue).count();
        long attention = all.stream().filter(RotationStatus::needsAttention).count();
        long failing = all.stream().filter(s -> !s.needsAttention() && "rolled-back".equals(s.lastOutcome())).count();
        StringBuilder b = new StringBuilder();
        if (overdue > 0) {
            b.append(overdue).append(" overdue");
        }
        if (failing > 0) {
            b.append(b.length() > 0 ? " · " : "").append(failing).append(" failing");
        }
        if (attention > 0) {
            b.append(b.length() > 0 ? " · " : "").append(attention).append(" needs attention");
        }
        return b.toString();
    }

    /** Loads every configured rotation. */
    public void reload() {
        console.background().run(() -> service().schedules(console.caller(null), ""), list -> {
            schedules.setAll(list);
            badges.set(badges(list));
            error.set("");
        }, error::set);
    }

    /** Shows a secret's runs, newest first. */
    public void select(String path) {
        if (path == null) {
            return;
        }
        selected.set(path);
        console.background().run(() -> service().history(console.caller(null), path, 100), history::setAll,
                error::set);
    }

    /** Rotates the selected secret now; a reason is required (it goes to the audit log). */
    public void runNow(String reason) {
        String path = selected.get();
        if (path == null || path.isEmpty()) {
            error.set("Select a secret first.");
            return;
        }
        if (reason == null || reason.isBlank()) {
            error.set("A reason is required to rotate by hand.");
            return;
        }
        console.background().run(() -> service().rotateNow(console.caller(reason.strip()), path,
                RotationTrigger.MANUAL, reason.strip()), run -> {
                    error.set("");
                    message.set("Rotation of " + path + " started (" + run.id() + ").");
                    reload();
                    select(path);
                }, error::set);
    }
}
