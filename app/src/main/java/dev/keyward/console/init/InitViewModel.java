package dev.keyward.console.init;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.common.PassphraseStrength;
import dev.keyward.vault.api.InitRequest;
import dev.keyward.vault.api.InitResult;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.OperatorNames;
import dev.keyward.vault.api.PassphraseSealSpec;
import java.util.Arrays;
import java.util.Optional;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.concurrent.Task;

/**
 * The first-run wizard: choose the seal, set its passphrase (with a strength meter), create the
 * admin operator. Only the passphrase seal exists in the engine today; HSM and Shamir are shown
 * as choices that are not available yet.
 */
public final class InitViewModel {
    /** Seal choices on the first page. */
    public enum SealChoice { PASSPHRASE, HSM, SHAMIR }

    private final ConsoleViewModel console;
    private final ReadOnlyDoubleWrapper strength = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper strengthLabel = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);

    public InitViewModel(ConsoleViewModel console) {
        this.console = console;
    }

    public ReadOnlyDoubleProperty strengthProperty() {
        return strength.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty strengthLabelProperty() {
        return strengthLabel.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public String home() {
        return console.config().home().toString();
    }

    /** Whether a seal type can be chosen with the engine this console was built with. */
    public boolean available(SealChoice choice) {
        return choice == SealChoice.PASSPHRASE;
    }

    /** Why a choice is not offered (empty when it is). */
    public String unavailableReason(SealChoice choice) {
        return switch (choice) {
            case PASSPHRASE -> "";
            case HSM -> "HSM seal (PKCS#11: library path, token label, PIN): the vault supports it; this wizard does not offer it yet.";
            case SHAMIR -> "Shamir k-of-n unseal shares: the vault supports them; this wizard does not offer them yet.";
        };
    }

    /** Updates the strength meter as the unseal passphrase is typed. */
    public void passphraseChanged(CharSequence passphrase) {
        strength.set(PassphraseStrength.fraction(passphrase));
        strengthLabel.set(switch (PassphraseStrength.level(passphrase)) {
            case EMPTY -> "";
            case WEAK -> "Weak: anyone who copies the vault directory could guess it";
            case FAIR -> "Fair: add words or characters";
            case GOOD -> "Good";
            case STRONG -> "Strong";
        });
    }

    public Optional<String> checkPassphrase(CharSequence p) {
        if (p == null || p.length() < PassphraseSealSpec.MIN_LENGTH) {
            return Optional.of("At least " + PassphraseSealSpec.MIN_LENGTH + " characters.");
        }
        return Optional.empty();
    }

    public Optional<String> checkConfirmation(CharSequence p, CharSequence confirm) {
        return contentEquals(p, confirm) ? Optional.empty() : Optional.of("The two entries differ.");
    }

    public Optional<String> checkAdminName(String name) {
        try {
            OperatorNames.validate(name);
            return Optional.empty();
        } catch (InvalidRequestException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * Creates the vault. Every array passed in is wiped before this returns or, for the
     * background part, when the call finishes. Returns null when validation failed (the error
     * property says why).
     */
    public Task<InitResult> create(char[] unseal, char[] unsealConfirm, String adminName, char[] adminPass,
                                   char[] adminConfirm) {
        try {
            Optional<String> problem = checkPassphrase(new String(unseal)).map(m -> "Unseal passphrase: " + m)
                    .or(() -> checkConfirmation(new String(unseal), new String(unsealConfirm))
                            .map(m -> "Unseal passphrase: " + m))
                    .or(() -> checkAdminName(adminName).map(m -> "Admin name: " + m))
                    .or(() -> checkPassphrase(new String(adminPass)).map(m -> "Admin passphrase: " + m))
                    .or(() -> checkConfirmation(new String(adminPass), new String(adminConfirm))
                            .map(m -> "Admin passphrase: " + m))
                    .or(() -> Arrays.equals(unseal, adminPass)
                            ? Optional.of("Use different passphrases for unsealing and for the admin login.")
                            : Optional.empty());
            if (problem.isPresent()) {
                error.set(problem.get());
                return null;
            }
            error.set("");
            busy.set(true);
            InitRequest request = new InitRequest(new PassphraseSealSpec(unseal, console.config().kdf()), adminName,
                    adminPass, console.config().kdf());
            return console.background().run(() -> {
                try (request) {
                    return console.vault().lifecycle().init(request);
                }
            }, result -> {
                busy.set(false);
                console.initialised();
            }, msg -> {
                busy.set(false);
                error.set(msg);
            });
        } catch (InvalidRequestException e) {
            error.set(e.getMessage());
            return null;
        } finally {
            Arrays.fill(unseal, '\0');
            Arrays.fill(unsealConfirm, '\0');
            Arrays.fill(adminPass, '\0');
            Arrays.fill(adminConfirm, '\0');
        }
    }

    private static boolean contentEquals(CharSequence a, CharSequence b) {
        if (a == null || b == null || a.length() != b.length()) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < a.length(); i++) {
            diff |= a.charAt(i) ^ b.charAt(i);
        }
        return diff == 0;
    }
}
