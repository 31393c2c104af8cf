package dev.keyward.console.main;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.common.Screen;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.VaultStatus;
import java.util.List;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;

/** The main window: sidebar navigation, lock and seal, and the status bar. */
public final class MainViewModel {
    /** The sidebar, in order. */
    public static final List<Screen> SIDEBAR = Nav.screens();

    private final ConsoleViewModel console;
    private final ObjectProperty<Screen> current = new SimpleObjectProperty<>(Screen.DASHBOARD);
    private final ReadOnlyStringWrapper sealState = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper hsmState = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper endpoint = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper treeHead = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper operator = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper mode = new ReadOnlyStringWrapper("");

    public MainViewModel(ConsoleViewModel console) {
        this.console = console;
        console.statusProperty().addListener((o, a, s) -> showStatus(s));
        console.sessionProperty().addListener((o, a, s) -> showSession(s));
        showStatus(console.statusProperty().get());
        showSession(console.sessionProperty().get());
        endpoint.bind(console.endpointStatusProperty());
        treeHead.bind(console.treeHeadProperty());
        mode.bind(console.modeDescriptionProperty());
    }

    /** Attached to the service (where) or embedded. */
    public ReadOnlyStringProperty modeProperty() {
        return mode.getReadOnlyProperty();
    }

    private void showSession(Session s) {
        operator.set(s == null ? "" : s.principal().name());
    }

    private void showStatus(VaultStatus s) {
        if (s == null) {
            sealState.set("");
            hsmState.set("");
            return;
        }
        sealState.set((s.sealed() ? "Sealed" : "Unsealed") + " \u00b7 " + s.sealType() + " seal"
                + (s.keyTerm() > 0 ? " \u00b7 key term " + s.keyTerm() : "")
                + (s.weakKdf() ? " \u00b7 weak KDF (test parameters)" : ""));
        hsmState.set("pkcs11".equals(s.sealType()) ? "HSM: " + (s.sealedReason() == null ? "connected"
                : s.sealedReason()) : "HSM: not used");
    }

    public ObjectProperty<Screen> currentProperty() {
        return current;
    }

    public ReadOnlyStringProperty sealStateProperty() {
        return sealState.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty hsmStateProperty() {
        return hsmState.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty endpointProperty() {
        return endpoint.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty treeHeadProperty() {
        return treeHead.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty operatorProperty() {
        return operator.getReadOnlyProperty();
    }

    public void navigate(Screen s) {
        if (!SIDEBAR.contains(s)) {
            throw new IllegalArgumentException("not a sidebar screen: " + s);
        }
        current.set(s);
    }

    public void lock() {
        console.lock();
    }

    public void sealNow() {
        console.sealNow();
    }

    /** What sealing now does, for the confirmation. */
    public String sealConsequence() {
        return console.mode() == ConsoleViewModel.Mode.ATTACHED
                ? "Every key in keyward serve's memory is dropped: pipelines and the CLI get \"sealed\" until someone "
                + "unseals it again with the passphrase, the HSM PIN or the shares."
                : "Every key in memory is dropped. Unlocking needs the unseal passphrase, the HSM PIN or the shares.";
    }
}
