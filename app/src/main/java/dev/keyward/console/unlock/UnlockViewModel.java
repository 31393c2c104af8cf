package dev.keyward.console.unlock;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.common.Background;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Pkcs11SealSpec;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.ShamirSealSpec;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.VaultStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.value.ChangeListener;
import javafx.concurrent.Task;

/**
 * Unlocking: unseal the vault (if sealed) with what its seal asks for — the unseal passphrase,
 * the HSM user PIN, or Shamir shares one at a time with "k of n entered" progress — then log in
 * as an operator. While the vault is still being opened the screen is up but cannot submit.
 * Wrong credentials show inline; a lockout shows how long to wait.
 */
public final class UnlockViewModel {
    /** Which credential the screen asks for. */
    public enum Step { UNSEAL, LOGIN }

    /** What the unseal step asks for, from the vault's seal type. */
    public enum Kind { PASSPHRASE, PIN, SHARE }

    private final ConsoleViewModel console;
    private final ReadOnlyObjectWrapper<Step> step = new ReadOnlyObjectWrapper<>(Step.UNSEAL);
    private final ReadOnlyObjectWrapper<Kind> kind = new ReadOnlyObjectWrapper<>(Kind.PASSPHRASE);
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper wait = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper canSubmit = new ReadOnlyBooleanWrapper(true);
    private final ReadOnlyBooleanWrapper opening = new ReadOnlyBooleanWrapper(true);
    private final ReadOnlyStringWrapper sealDescription = new ReadOnlyStringWrapper("Opening the vault\u2026");
    private final ReadOnlyStringWrapper credentialLabel = new ReadOnlyStringWrapper("Unseal passphrase");
    private final ReadOnlyStringWrapper shareProgress = new ReadOnlyStringWrapper("");
    private final ReadOnlyDoubleWrapper shareFraction = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyBooleanWrapper sharesEntered = new ReadOnlyBooleanWrapper(false);
    private Instant retryAt;
    private final ReadOnlyStringWrapper serviceHint = new ReadOnlyStringWrapper("");

    /**
     * In embedded mode: that no service runs for this directory, what that means for pipelines, and
     * how to start one (the console owns the directory while it runs). Empty when attached.
     */
    public ReadOnlyStringProperty serviceHintProperty() {
        return serviceHint.getReadOnlyProperty();
    }

    private void showMode() {
        serviceHint.set(console.mode() == ConsoleViewModel.Mode.EMBEDDED
                ? "No keyward serve answers for this vault, so the console opened it itself: pipelines reach it only"
                + " while the console runs its HTTPS endpoint (Settings). To keep it served after the console closes,"
                + " press Unseal as a service (it starts keyward serve with the credential you typed and attaches),"
                + " or close the console and run: keyward serve --home " + console.config().home() + "."
                : "");
    }

    public UnlockViewModel(ConsoleViewModel console) {
        this.console = console;
        VaultStatus known = console.statusProperty().get();
        if (console.ready() && known != null) {
            show(known); // the last status the console saw (after a seal: sealed), until refresh() answers
        }
    }

    public ReadOnlyObjectProperty<Step> stepProperty() {
        return step.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Kind> kindProperty() {
        return kind.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    /** "Too many attempts: next try in 12 s", counting down; empty when no lockout is in force. */
    public ReadOnlyStringProperty waitProperty() {
        return wait.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canSubmitProperty() {
        return canSubmit.getReadOnlyProperty();
    }

    /** True until the vault is open and its seal known: nothing can be submitted yet. */
    public ReadOnlyBooleanProperty openingProperty() {
        return opening.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty sealDescriptionProperty() {
        return sealDescription.getReadOnlyProperty();
    }

    /** The label of the unseal field: passphrase, PIN, or which share is next. */
    public ReadOnlyStringProperty credentialLabelProperty() {
        return credentialLabel.getReadOnlyProperty();
    }

    /** "1 of 2 shares entered" for a Shamir seal, else empty. */
    public ReadOnlyStringProperty shareProgressProperty() {
        return shareProgress.getReadOnlyProperty();
    }

    /** Entered shares over the threshold, 0..1. */
    public ReadOnlyDoubleProperty shareFractionProperty() {
        return shareFraction.getReadOnlyProperty();
    }

    /** Whether some shares are entered (so "Start over" makes sense). */
    public ReadOnlyBooleanProperty sharesEnteredProperty() {
        return sharesEntered.getReadOnlyProperty();
    }

    /** Asks the vault whether it is sealed and picks the step; waits for the vault to open first. */
    public void refresh() {
        if (!console.ready()) {
            opening.set(true);
            console.readyProperty().addListener(new ChangeListener<>() {
                @Override
                public void changed(javafx.beans.value.ObservableValue<? extends Boolean> o, Boolean a, Boolean r) {
                    if (r) {
                        console.readyProperty().removeListener(this);
                        refresh();
                    }
                }
            });
            return;
        }
        console.background().run(() -> console.vault().lifecycle().status(), this::show, error::set);
    }

    private void show(VaultStatus st) {
        opening.set(false);
        busy.set(false);
        showMode();
        canStartService.set(console.mode() == ConsoleViewModel.Mode.EMBEDDED && st.sealed()
                && kindOf(st.sealType()) != Kind.SHARE);
        step.set(st.sealed() ? Step.UNSEAL : Step.LOGIN);
        Kind k = kindOf(st.sealType());
        kind.set(k);
        if (!st.sealed()) {
            sealDescription.set("The vault is unsealed. Log in as an operator.");
            shareProgress.set("");
            shareFraction.set(0);
            sharesEntered.set(false);
            return;
        }
        String reason = st.sealedReason() == null ? "" : " (" + st.sealedReason() + ")";
        switch (k) {
            case PASSPHRASE -> {
                sealDescription.set("The vault is sealed" + reason + ". Enter the unseal passphrase to load its keys.");
                credentialLabel.set("Unseal passphrase");
            }
            case PIN -> {
                sealDescription.set("The vault is sealed by a hardware security module" + reason
                        + ". Enter the token's user PIN to load its keys.");
                credentialLabel.set("HSM user PIN");
            }
            case SHARE -> {
                sealDescription.set("The vault is sealed with Shamir shares" + reason + ": any " + st.threshold()
                        + " of the " + st.shares() + " unseal shares open it. Enter them one at a time.");
                credentialLabel.set("Unseal share " + (st.progress() + 1) + " of " + st.threshold());
            }
            default -> throw new IllegalStateException();
        }
        shareProgress.set(k == Kind.SHARE ? st.progress() + " of " + st.threshold() + " shares entered" : "");
        shareFraction.set(k == Kind.SHARE ? (double) st.progress() / st.threshold() : 0);
        sharesEntered.set(k == Kind.SHARE && st.progress() > 0);
    }

    static Kind kindOf(String sealType) {
        if (Pkcs11SealSpec.TYPE.equals(sealType)) {
            return Kind.PIN;
        }
        if (ShamirSealSpec.TYPE.equals(sealType)) {
            return Kind.SHARE;
        }
        return Kind.PASSPHRASE;
    }

    /**
     * Presents the passphrase, PIN or share typed into the unseal field. The array is wiped
     * before this returns. Returns null when nothing was submitted (the error property says why).
     */
    public Task<VaultStatus> unseal(char[] secret) {
        char[] trimmed = strip(secret);
        Arrays.fill(secret, '\0');
        if (opening.get()) {
            Arrays.fill(trimmed, '\0');
            error.set("The vault is still being opened; try again in a moment.");
            return null;
        }
        Kind k = kind.get();
        if (trimmed.length == 0) {
            error.set(switch (k) {
                case PASSPHRASE -> "Enter the unseal passphrase.";
                case PIN -> "Enter the HSM user PIN.";
                case SHARE -> "Paste or type one unseal share.";
            });
            return null;
        }
        UnsealCredential credential = switch (k) {
            case PASSPHRASE -> UnsealCredential.passphrase(trimmed);
            case PIN -> UnsealCredential.pin(trimmed);
            case SHARE -> UnsealCredential.share(trimmed);
        };
        Arrays.fill(trimmed, '\0');
        busy.set(true);
        error.set("");
        return console.background().attempt(() -> {
            try (credential) {
                return console.vault().lifecycle().unseal(credential, Caller.LOCAL);
            }
        }, st -> {
            busy.set(false);
            show(st);
        }, this::failed);
    }

    /**
     * Whether the console can hand the vault over to a service of its own: embedded, sealed, and
     * sealed by a passphrase or an HSM (shares are entered into a running service with keyward unseal).
     */
    public ReadOnlyBooleanProperty canStartServiceProperty() {
        return canStartService.getReadOnlyProperty();
    }

    private final ReadOnlyBooleanWrapper canStartService = new ReadOnlyBooleanWrapper(false);

    /**
     * Starts keyward serve with the passphrase or PIN typed into the unseal field (on its standard
     * input) and attaches the console to it. The array is wiped before this returns.
     */
    public Task<VaultStatus> startService(char[] secret) {
        char[] trimmed = strip(secret);
        Arrays.fill(secret, '\0');
        if (!canStartService.get()) {
            Arrays.fill(trimmed, '\0');
            return null;
        }
        if (trimmed.length == 0) {
            error.set(kind.get() == Kind.PIN ? "Enter the HSM user PIN to start the service with."
                    : "Enter the unseal passphrase to start the service with.");
            return null;
        }
        busy.set(true);
        error.set("");
        sealDescription.set("Starting keyward serve for " + console.config().home() + "\u2026");
        return console.startService(kind.get() == Kind.PIN, trimmed, this::show, t -> {
            busy.set(false);
            error.set(Background.describe(t));
        });
    }

    /** Forgets the shares entered so far. */
    public Task<VaultStatus> startOver() {
        busy.set(true);
        error.set("");
        return console.background().attempt(() -> console.vault().lifecycle().resetUnseal(Caller.LOCAL), st -> {
            busy.set(false);
            show(st);
        }, this::failed);
    }

    /** Passphrases are taken as typed; PINs and shares lose surrounding spaces (pasted shares end in a newline). */
    private char[] strip(char[] s) {
        if (kind.get() == Kind.PASSPHRASE) {
            return s.clone();
        }
        int from = 0;
        int to = s.length;
        while (from < to && Character.isWhitespace(s[from])) {
            from++;
        }
        while (to > from && Character.isWhitespace(s[to - 1])) {
            to--;
        }
        return Arrays.copyOfRange(s, from, to);
    }

    public Task<Session> login(String operator, char[] passphrase) {
        if (operator == null || operator.isBlank() || passphrase.length == 0) {
            Arrays.fill(passphrase, '\0');
            error.set("Enter the operator name and passphrase.");
            return null;
        }
        char[] copy = passphrase.clone();
        Arrays.fill(passphrase, '\0');
        busy.set(true);
        error.set("");
        return console.background().attempt(() -> {
            try {
                return console.vault().auth().login(operator.strip(), copy, Caller.LOCAL);
            } finally {
                Arrays.fill(copy, '\0');
            }
        }, s -> {
            busy.set(false);
            console.loggedIn(s);
        }, this::failed);
    }

    private void failed(Throwable t) {
        busy.set(false);
        error.set(Background.describe(t));
        if (t instanceof AuthenticationFailedException a && a.retryAfter().isPresent()) {
            retryAt = console.clock().instant().plus(a.retryAfter().get());
            tick();
        }
        console.handle(t);
        if (step.get() == Step.UNSEAL && kind.get() == Kind.SHARE) {
            refresh();
        }
    }

    /** Called about once a second: counts a lockout down. */
    public void tick() {
        if (retryAt == null) {
            canSubmit.set(true);
            wait.set("");
            return;
        }
        Duration left = Duration.between(console.clock().instant(), retryAt);
        if (left.isNegative() || left.isZero()) {
            retryAt = null;
            canSubmit.set(true);
            wait.set("");
        } else {
            canSubmit.set(false);
            long s = Math.max(1, (left.toMillis() + 999) / 1000);
            wait.set("Too many failed attempts: the next one is accepted in " + formatWait(s) + ".");
        }
    }

    static String formatWait(long seconds) {
        return seconds < 60 ? seconds + " s" : (seconds / 60) + " min " + (seconds % 60) + " s";
    }

    /** Shows the restore screen (a backup restored into this directory, which must be empty). */
    public void restoreFromBackup() {
        console.showRestore(true);
    }
}
