package dev.keyward.console.settings;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.vault.api.InitResult;
import dev.keyward.vault.api.RewrapStatus;
import java.util.Arrays;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.concurrent.Task;

/**
 * The key lifecycle on the settings screen: rotate the data key, rewrap old records with progress,
 * rotate the root key. Each call goes through the vault's service API (door, audit, approval gate)
 * in the background; refusals are shown as the vault words them.
 */
public final class KeyLifecycleViewModel {
    private static final long POLL_MILLIS = 200;

    private final ConsoleViewModel console;
    private final ReadOnlyStringWrapper term = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper rewrap = new ReadOnlyStringWrapper("");
    private final DoubleProperty rewrapProgress = new SimpleDoubleProperty(0);
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final BooleanProperty working = new SimpleBooleanProperty(false);

    public KeyLifecycleViewModel(ConsoleViewModel console) {
        this.console = console;
    }

    /** "Data key term 3", once loaded. */
    public ReadOnlyStringProperty termProperty() {
        return term.getReadOnlyProperty();
    }

    /** The last rewrap: state and counts. */
    public ReadOnlyStringProperty rewrapProperty() {
        return rewrap.getReadOnlyProperty();
    }

    /** 0..1 while a rewrap runs, 1 when done. */
    public ReadOnlyDoubleProperty rewrapProgressProperty() {
        return rewrapProgress;
    }

    /** The outcome of the last action, or why it was refused. */
    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** True while an action runs (the buttons are disabled). */
    public ReadOnlyBooleanProperty workingProperty() {
        return working;
    }

    /** Reads the active term and the last rewrap. */
    public void load() {
        var vault = console.vault();
        var caller = console.caller(null);
        console.background().run(() -> new Object[] {vault.lifecycle().status().keyTerm(),
                vault.keys().rewrapStatus(caller)}, r -> {
                    term.set("Data key term " + r[0]);
                    show((RewrapStatus) r[1]);
                }, message::set);
    }

    public void rotateDataKey() {
        var vault = console.vault();
        var caller = console.caller("data key rotation from the console");
        start();
        console.background().run(() -> vault.keys().rotateDataKey(caller), t -> {
            working.set(false);
            term.set("Data key term " + t);
            message.set("New writes use key term " + t + ". Rewrap moves older records to it.");
        }, this::failed);
    }

    /** Starts a rewrap and follows its progress until it is done or paused. */
    public void rewrap() {
        var vault = console.vault();
        var caller = console.caller("rewrap from the console");
        start();
        Task<RewrapStatus> task = new Task<>() {
            @Override
            protected RewrapStatus call() throws Exception {
                RewrapStatus s = vault.keys().startRewrap(caller);
                while (s.state() == RewrapStatus.State.RUNNING) {
                    RewrapStatus now = s;
                    javafx.application.Platform.runLater(() -> show(now));
                    Thread.sleep(POLL_MILLIS);
                    s = vault.keys().rewrapStatus(caller);
                }
                return s;
            }
        };
        console.background().submit(task, s -> {
            working.set(false);
            show(s);
            message.set(s.state() == RewrapStatus.State.DONE ? "Every record is under key term " + s.targetTerm() + "."
                    : "The rewrap paused (the vault sealed); it resumes at the next unseal.");
        }, this::failed);
    }

    /**
     * A new root key under the current seal: {@code credential} is the passphrase (current or new)
     * for a passphrase seal, the PIN for an HSM seal, nothing for Shamir (new shares are shown once).
     * The array is wiped.
     */
    public void rotateRoot(char[] credential) {
        var vault = console.vault();
        var caller = console.caller("root key rotation from the console");
        char[] cred = credential == null ? null : credential.clone();
        if (credential != null) {
            Arrays.fill(credential, '\0');
        }
        start();
        console.background().run(() -> {
            try {
                return vault.keys().rotateRootKeyInPlace(caller, cred, null);
            } finally {
                if (cred != null) {
                    Arrays.fill(cred, '\0');
                }
            }
        }, (InitResult r) -> {
            working.set(false);
            message.set(r.unsealShares().isEmpty() ? "Rotated the root key (" + r.sealType() + " seal)."
                    : "Rotated the root key. New unseal shares, shown only now (any " + r.threshold() + " of "
                    + r.unsealShares().size() + " unseal):\n" + String.join("\n", r.unsealShares()));
        }, this::failed);
    }

    private void start() {
        working.set(true);
        message.set("");
    }

    private void failed(String why) {
        working.set(false);
        message.set(why);
    }

    private void show(RewrapStatus s) {
        rewrapProgress.set(s.state() == RewrapStatus.State.IDLE ? 0 : s.fraction());
        rewrap.set(switch (s.state()) {
            case IDLE -> "No rewrap has run.";
            case RUNNING -> "Rewrapping to term " + s.targetTerm() + ": " + s.examined() + " of " + s.total()
                    + " records examined, " + s.rewrapped() + " re-encrypted.";
            case PAUSED -> "Rewrap to term " + s.targetTerm() + " paused at " + s.examined() + " of " + s.total() + ".";
            case DONE -> "Rewrap to term " + s.targetTerm() + " done: " + s.examined() + " of " + s.total()
                    + " records examined, " + s.rewrapped() + " re-encrypted.";
        });
    }
}
