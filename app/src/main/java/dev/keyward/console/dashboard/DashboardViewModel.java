package dev.keyward.console.dashboard;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.common.Background;
import dev.keyward.vault.api.AuditPage;
import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.concurrent.Task;

/**
 * Health tiles from the vault's status, and activity charts counted from the audit log of the
 * last 24 hours (requests per hour by decision, denials by identity, top paths). The counting runs
 * in the background; reading the log is itself an audited call.
 */
public final class DashboardViewModel {
    public static final int HOURS = 24;
    public static final int TOP = 8;
    /** At most this many entries are read for the charts; the note says when the window held more. */
    public static final int MAX_ENTRIES = 50_000;

    private final ConsoleViewModel console;
    private final ReadOnlyStringWrapper seal = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper keys = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper storage = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper warning = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<Activity> activity = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper activityNote = new ReadOnlyStringWrapper("");

    public DashboardViewModel(ConsoleViewModel console) {
        this.console = console;
        console.statusProperty().addListener((o, a, s) -> show(s));
        show(console.statusProperty().get());
    }

    /** Re-reads the status for the tiles and recounts the charts. */
    public void refresh() {
        console.refreshStatus();
        loadActivity();
    }

    /** Counts the last 24 hours of the audit log in the background. */
    public Task<Activity> loadActivity() {
        Caller caller = console.caller(null);
        Vault vault = console.vault();
        Instant now = console.clock().instant();
        activityNote.set("Counting the audit log\u2026");
        return console.background().attempt(() -> count(vault, caller, now), a -> {
            activity.set(a);
            activityNote.set(a.entries() + " audit entries in the last " + HOURS + " hours"
                    + (a.truncated() ? " (the charts count the first " + MAX_ENTRIES + " only)" : "") + ".");
        }, t -> {
            activityNote.set("The charts could not be drawn: " + Background.describe(t));
            console.handle(t);
        });
    }

    /** Reads the window's entries page by page and counts them (off the FX thread). */
    static Activity count(Vault vault, Caller caller, Instant now) {
        Instant from = Activity.windowStart(now, HOURS);
        AuditQuery q = new AuditQuery(from, null, null, null, null, null, -1, AuditQuery.MAX_LIMIT);
        List<AuditRecord> records = new ArrayList<>();
        boolean truncated = false;
        while (true) {
            AuditPage page = vault.audit().query(caller, q);
            records.addAll(page.entries());
            if (page.nextAfter() == null) {
                break;
            }
            if (records.size() >= MAX_ENTRIES) {
                truncated = true;
                break;
            }
            q = q.after(page.nextAfter());
        }
        return Activity.of(records, now, HOURS, TOP, truncated);
    }

    private void show(VaultStatus s) {
        if (s == null) {
            return;
        }
        seal.set(s.sealed() ? "Sealed" : "Unsealed (" + s.sealType() + ")");
        keys.set(s.keyTerm() > 0 ? "Data-key term " + s.keyTerm() : "No keys loaded");
        storage.set(s.storageType() + " \u00b7 Keyward " + s.version());
        warning.set(s.weakKdf() ? "This vault was created with key-derivation parameters below Keyward's minimum "
                + "(test parameters). Do not keep real secrets in it." : "");
    }

    public ReadOnlyStringProperty sealProperty() {
        return seal.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty keysProperty() {
        return keys.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty storageProperty() {
        return storage.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty warningProperty() {
        return warning.getReadOnlyProperty();
    }

    /** The last counted activity, or null before the first count. */
    public ReadOnlyObjectProperty<Activity> activityProperty() {
        return activity.getReadOnlyProperty();
    }

    /** How many entries the charts count, or why there are no charts. */
    public ReadOnlyStringProperty activityNoteProperty() {
        return activityNote.getReadOnlyProperty();
    }

    /** The console, for the tiles other features contribute ({@link DashboardTile}). */
    public ConsoleViewModel console() {
        return console;
    }

    public String home() {
        return console.config().home().toString();
    }
}
