package dev.keyward.console.dashboard;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.vault.api.VaultStatus;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * Health tiles from the vault's status. The charts (requests per hour by decision, denials by
 * identity, top paths) need the audit query service, which this build of the vault does not have.
 */
public final class DashboardViewModel {
    public static final String CHARTS_PENDING = "Charts of requests per hour by decision, denials by identity and "
            + "the most used paths are drawn from the audit log. The audit service is now part of the vault; "
            + "these charts are not built yet, and nothing is shown rather than invented numbers.";

    private final ConsoleViewModel console;
    private final ReadOnlyStringWrapper seal = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper keys = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper storage = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper warning = new ReadOnlyStringWrapper("");

    public DashboardViewModel(ConsoleViewModel console) {
        this.console = console;
        console.statusProperty().addListener((o, a, s) -> show(s));
        show(console.statusProperty().get());
    }

    public void refresh() {
        console.refreshStatus();
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

    public String home() {
        return console.config().home().toString();
    }
}
