package dev.keyward.console.unlock;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.common.Background;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.VaultStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.concurrent.Task;

/**
 * Unlocking: unseal the vault (if sealed) with the unseal passphrase, then log in as an
 * operator. Wrong credentials show inline; a lockout shows how long to wait.
 */
public final class UnlockViewModel {
    /** Which credential the screen asks for. */
    public enum Step { UNSEAL, LOGIN }

    private final ConsoleViewModel console;
    private final ReadOnlyObjectWrapper<Step> step = new ReadOnlyObjectWrapper<>(Step.UNSEAL);
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper wait = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper canSubmit = new ReadOnlyBooleanWrapper(true);
    private final ReadOnlyStringWrapper sealDescription = new ReadOnlyStringWrapper("");
    private Instant retryAt;

    public UnlockViewModel(ConsoleViewModel console) {
        this.console = console;
    }

    public ReadOnlyObjectProperty<Step> stepProperty() {
        return step.getReadOnlyProperty();
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

    public ReadOnlyStringProperty sealDescriptionProperty() {
        return sealDescription.getReadOnlyProperty();
    }

    /** Asks the vault whether it is sealed and picks the step. */
    public void refresh() {
        console.background().run(() -> console.vault().lifecycle().status(), this::show, error::set);
    }

    private void show(VaultStatus st) {
        step.set(st.sealed() ? Step.UNSEAL : Step.LOGIN);
        sealDescription.set(st.sealed()
                ? "The vault is sealed. Enter the unseal passphrase to load its keys."
                : "The vault is unsealed. Log in as an operator.");
    }

    public Task<VaultStatus> unseal(char[] passphrase) {
        if (passphrase.length == 0) {
            error.set("Enter the unseal passphrase.");
            return null;
        }
        UnsealCredential credential = UnsealCredential.passphrase(passphrase);
        Arrays.fill(passphrase, '\0');
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
}
