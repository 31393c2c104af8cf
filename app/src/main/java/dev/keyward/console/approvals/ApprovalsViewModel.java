package dev.keyward.console.approvals;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.common.Background;
import dev.keyward.vault.api.ApprovalService;
import dev.keyward.vault.api.ApprovalService.Elevation;
import dev.keyward.vault.api.ApprovalService.Request;
import dev.keyward.vault.api.ApprovalService.Threshold;
import dev.keyward.vault.api.ApprovalService.Vote;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;

/**
 * The approvals inbox: requests waiting for the operator's review, their own requests and the
 * history; the selected request with its change (the diff) and votes; approve or deny with a
 * reason, signed with the key the operator's passphrase opens; the count behind the sidebar badge.
 */
public final class ApprovalsViewModel {
    private final ConsoleViewModel console;
    private final ObservableList<Request> waiting = FXCollections.observableArrayList();
    private final ObservableList<Request> mine = FXCollections.observableArrayList();
    private final ObservableList<Request> history = FXCollections.observableArrayList();
    private final ObservableList<Elevation> elevations = FXCollections.observableArrayList();
    private final ReadOnlyObjectWrapper<Request> selected = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper details = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper countdown = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper info = new ReadOnlyStringWrapper("");
    private final ReadOnlyIntegerWrapper waitingCount;

    /** {@code badge} is the sidebar's count, shared with the main window (may be a fresh one). */
    public ApprovalsViewModel(ConsoleViewModel console, ReadOnlyIntegerWrapper badge) {
        this.console = console;
        this.waitingCount = badge;
    }

    private ApprovalService service() {
        return console.vault().approvals();
    }

    public ObservableList<Request> waiting() {
        return FXCollections.unmodifiableObservableList(waiting);
    }

    public ObservableList<Request> mine() {
        return FXCollections.unmodifiableObservableList(mine);
    }

    public ObservableList<Request> history() {
        return FXCollections.unmodifiableObservableList(history);
    }

    public ObservableList<Elevation> elevations() {
        return FXCollections.unmodifiableObservableList(elevations);
    }

    public ReadOnlyObjectProperty<Request> selectedProperty() {
        return selected.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty detailsProperty() {
        return details.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty countdownProperty() {
        return countdown.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty infoProperty() {
        return info.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty waitingCountProperty() {
        return waitingCount.getReadOnlyProperty();
    }

    private record Snapshot(List<Request> waiting, List<Request> mine, List<Request> history,
                            List<Elevation> elevations) {
    }

    public Task<?> reload() {
        var c = console.caller(null);
        return console.background().attempt(() -> new Snapshot(service().waitingForMe(c), service().mine(c),
                service().history(c, 200), service().elevations(c)), s -> {
                    error.set("");
                    waiting.setAll(s.waiting());
                    mine.setAll(s.mine());
                    history.setAll(s.history());
                    elevations.setAll(s.elevations());
                    waitingCount.set(s.waiting().size());
                    Request sel = selected.get();
                    if (sel != null) {
                        s.history().stream().filter(r -> r.id().equals(sel.id())).findFirst().ifPresent(this::select);
                    }
                    tick(console.clock().instant());
                }, this::failed);
    }

    /** Refreshes only the badge's count (the sidebar asks now and then). */
    public Task<?> refreshCount() {
        var c = console.caller(null);
        return console.background().attempt(() -> service().waitingForMe(c).size(), waitingCount::set, t -> {
        });
    }

    public void select(Request r) {
        selected.set(r);
        details.set(r == null ? "" : describe(r));
    }

    /** The request as a reviewer reads it: who, what, why, how long, the exact change, the votes. */
    public static String describe(Request r) {
        StringBuilder b = new StringBuilder();
        b.append(r.operation()).append(" on ").append(r.resource()).append('\n');
        b.append("Requested by ").append(r.requester());
        if (!r.author().equals(r.requester())) {
            b.append(" (change written by ").append(r.author()).append(')');
        }
        b.append('\n').append("Why: ").append(r.justification()).append('\n');
        b.append("For: ").append(human(r.duration())).append(", ").append(r.uses()).append(r.uses() == 1 ? " use" : " uses")
                .append('\n');
        b.append("Needs: ");
        for (Threshold t : r.thresholds()) {
            b.append(t.approve()).append(' ').append(t.track().equals(ApprovalService.ANY_TRACK) ? "any track" : t.track())
                    .append("  ");
        }
        b.append("(").append(r.deny()).append(" denial").append(r.deny() == 1 ? "" : "s").append(" reject)\n");
        b.append("Status: ").append(r.status()).append(r.breakGlass() ? " (break-glass)" : "").append('\n');
        for (Vote v : r.votes()) {
            b.append(v.approve() ? "Approved by " : "Denied by ").append(v.approver()).append(" (key ")
                    .append(v.keyId()).append(')').append(v.reason().isEmpty() ? "" : ": " + v.reason()).append('\n');
        }
        if (r.change() != null && !r.change().isBlank()) {
            b.append("\nChange:\n").append(r.change());
        }
        return b.toString();
    }

    static String human(Duration d) {
        if (d == null) {
            return "";
        }
        long s = Math.max(0, d.toSeconds());
        return s >= 3600 ? (s / 3600) + "h " + (s % 3600) / 60 + "m" : s >= 60 ? (s / 60) + "m " + s % 60 + "s" : s + "s";
    }

    /** About once a second: the countdown of the selected grant or of the nearest elevation's end. */
    public void tick(Instant now) {
        Request r = selected.get();
        if (r != null && r.grantExpiresAt() != null && r.status().equals("approved")) {
            countdown.set("Grant ends in " + human(Duration.between(now, r.grantExpiresAt())));
        } else if (r != null && r.status().equals("pending")) {
            countdown.set("Review ends in " + human(Duration.between(now, r.pendingUntil())));
        } else if (!elevations.isEmpty()) {
            Elevation e = elevations.get(0);
            countdown.set("Elevation of " + e.identity() + " ends in " + human(Duration.between(now, e.expiresAt())));
        } else {
            countdown.set("");
        }
    }

    /** Approves the selected request; the passphrase is wiped whatever happens. */
    public Task<?> approve(String reason, char[] passphrase) {
        return vote(true, reason, passphrase);
    }

    public Task<?> deny(String reason, char[] passphrase) {
        if (reason == null || reason.isBlank()) {
            Arrays.fill(passphrase, '\0');
            error.set("A denial needs a reason.");
            return null;
        }
        return vote(false, reason, passphrase);
    }

    private Task<?> vote(boolean approve, String reason, char[] passphrase) {
        Request r = selected.get();
        if (r == null) {
            Arrays.fill(passphrase, '\0');
            error.set("Select a request first.");
            return null;
        }
        if (passphrase.length == 0) {
            error.set("Your passphrase signs the " + (approve ? "approval" : "denial") + ".");
            return null;
        }
        var c = console.caller(null);
        String why = reason == null ? "" : reason.strip();
        return console.background().attempt(() -> {
            try {
                return approve ? service().approve(c, r.id(), why, passphrase) : service().deny(c, r.id(), why, passphrase);
            } finally {
                Arrays.fill(passphrase, '\0');
            }
        }, done -> {
            error.set("");
            info.set((approve ? "Approved " : "Denied ") + done.id() + ": now " + done.status() + ".");
            select(done);
            reload();
        }, this::failed);
    }

    public Task<?> cancel() {
        Request r = selected.get();
        if (r == null) {
            error.set("Select a request first.");
            return null;
        }
        var c = console.caller(null);
        return console.background().attempt(() -> service().cancel(c, r.id(), "cancelled in the console"), done -> {
            info.set("Cancelled " + done.id() + ".");
            select(done);
            reload();
        }, this::failed);
    }

    private void failed(Throwable t) {
        info.set("");
        error.set(Background.describe(t));
    }
}
