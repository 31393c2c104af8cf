package dev.keyward.console.init;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.common.Background;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.HsmProbe;
import dev.keyward.vault.api.HsmUnavailableException;
import dev.keyward.vault.api.InitRequest;
import dev.keyward.vault.api.InitResult;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.OperatorNames;
import dev.keyward.vault.api.PassphraseRating;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.Pkcs11SealSpec;
import dev.keyward.vault.api.SealSpec;
import dev.keyward.vault.api.ShamirSealSpec;
import java.nio.CharBuffer;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;

/**
 * The first-run wizard: choose the seal — passphrase (with a strength meter), HSM (PKCS#11
 * library, slot, key label, PIN, with a test connection) or Shamir (n shares, any k unseal) —
 * and create the admin operator. A Shamir vault's shares are shown once, each with a copy
 * action, and the wizard finishes only after one of them is typed back and the operator
 * acknowledges that every share is stored.
 */
public final class InitViewModel {
    /** Seal choices on the first page. */
    public enum SealChoice { PASSPHRASE, HSM, SHAMIR }

    /** The wizard's pages. */
    public enum Page { FORM, SHARES, CONFIRM }

    /** PKCS#11 modules looked for to prefill the library field. */
    static final List<Path> KNOWN_LIBRARIES = List.of(Path.of("/usr/lib/softhsm/libsofthsm2.so"),
            Path.of("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
            Path.of("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"), Path.of("/usr/local/lib/softhsm/libsofthsm2.so"),
            Path.of("/opt/homebrew/lib/softhsm/libsofthsm2.so"));

    private final ConsoleViewModel console;
    private final ObjectProperty<SealChoice> seal = new SimpleObjectProperty<>(SealChoice.PASSPHRASE);
    private final ReadOnlyObjectWrapper<Page> page = new ReadOnlyObjectWrapper<>(Page.FORM);
    private final ReadOnlyDoubleWrapper strength = new ReadOnlyDoubleWrapper(0);
    private final ReadOnlyStringWrapper strengthLabel = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper hsmResult = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper hsmOk = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper testing = new ReadOnlyBooleanWrapper(false);
    private final ObservableList<String> shares = FXCollections.observableArrayList();
    /** One read-only view for every caller: its listeners live as long as this ViewModel. */
    private final ObservableList<String> sharesView = FXCollections.unmodifiableObservableList(shares);
    private final ReadOnlyStringWrapper shareInfo = new ReadOnlyStringWrapper("");
    private int confirmIndex;

    public InitViewModel(ConsoleViewModel console) {
        this.console = console;
        seal.addListener((o, a, b) -> error.set(""));
    }

    /** The seal chosen on the first page. */
    public ObjectProperty<SealChoice> sealProperty() {
        return seal;
    }

    public ReadOnlyObjectProperty<Page> pageProperty() {
        return page.getReadOnlyProperty();
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

    /** The last test connection's result as a sentence (empty before the first). */
    public ReadOnlyStringProperty hsmResultProperty() {
        return hsmResult.getReadOnlyProperty();
    }

    /** Whether the last test connection succeeded. */
    public ReadOnlyBooleanProperty hsmOkProperty() {
        return hsmOk.getReadOnlyProperty();
    }

    /** True while a test connection runs. */
    public ReadOnlyBooleanProperty testingProperty() {
        return testing.getReadOnlyProperty();
    }

    /** A new Shamir vault's shares, on the SHARES page only; emptied when the wizard finishes. */
    public ObservableList<String> shares() {
        return sharesView;
    }

    /** A sentence about the shares page or the confirmation (which share to type back). */
    public ReadOnlyStringProperty shareInfoProperty() {
        return shareInfo.getReadOnlyProperty();
    }

    /** The share (1-based) the confirmation page asks for. */
    public int confirmIndex() {
        return confirmIndex;
    }

    public String home() {
        return console.config().home().toString();
    }

    /** A PKCS#11 library found on this machine, to prefill the field, or empty. */
    public String suggestedLibrary() {
        return KNOWN_LIBRARIES.stream().filter(Files::isRegularFile).findFirst().map(Path::toString).orElse("");
    }

    /**
     * Updates the strength meter as the unseal passphrase is typed: rated by zxcvbn off the FX
     * thread (the newest keystroke wins), with the estimator's whole warning and suggestions.
     */
    public void passphraseChanged(CharSequence passphrase) {
        long gen = ++ratingGeneration;
        if (passphrase == null || passphrase.length() == 0) {
            strength.set(0);
            strengthLabel.set("");
            weak.set(false);
            return;
        }
        String snapshot = passphrase.toString();
        console.background().run(() -> Keyward.ratePassphrase(snapshot), r -> {
            if (gen != ratingGeneration) {
                return;
            }
            strength.set(Math.max(0.05, r.score() / 4.0));
            strengthLabel.set(r.sentence());
            weak.set(r.verdict() == PassphraseRating.Verdict.CONFIRM);
        }, msg -> strengthLabel.set(msg));
    }

    private long ratingGeneration;
    private final ReadOnlyBooleanWrapper weak = new ReadOnlyBooleanWrapper(false);
    private final javafx.beans.property.BooleanProperty acceptWeak = new javafx.beans.property.SimpleBooleanProperty(false);

    /** True when the unseal passphrase is weak but may be used after an explicit confirmation. */
    public ReadOnlyBooleanProperty weakProperty() {
        return weak.getReadOnlyProperty();
    }

    /** The operator read the warning and uses a weak (score 2) unseal passphrase anyway. */
    public javafx.beans.property.BooleanProperty acceptWeakProperty() {
        return acceptWeak;
    }

    /**
     * Refuses a passphrase below zxcvbn's floor, and a weak one unless {@code accepted}: the
     * exception's message is the estimator's whole warning. Runs off the FX thread.
     */
    static void requireStrong(String what, char[] passphrase, boolean accepted) {
        PassphraseRating r = Keyward.ratePassphrase(CharBuffer.wrap(passphrase));
        if (r.verdict() == PassphraseRating.Verdict.REFUSED) {
            throw new InvalidRequestException(what + ": " + r.sentence());
        }
        if (r.verdict() == PassphraseRating.Verdict.CONFIRM && !accepted) {
            throw new InvalidRequestException(what + ": " + r.sentence() + " Tick \"Use this passphrase anyway\" to"
                    + " use it all the same.");
        }
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

    public Optional<String> checkLibrary(String library) {
        try {
            Path p = Path.of(library == null ? "" : library.strip());
            if (!p.isAbsolute() || !Files.isRegularFile(p)) {
                return Optional.of("The PKCS#11 library is an existing file given by its absolute path, e.g. "
                        + "/usr/lib/softhsm/libsofthsm2.so.");
            }
            return Optional.empty();
        } catch (InvalidPathException e) {
            return Optional.of("This is not a file path.");
        }
    }

    public Optional<String> checkSlot(String slot) {
        return slot == null || slot.isBlank() || slot.strip().matches("[0-9]{1,18}") ? Optional.empty()
                : Optional.of("The slot id is a number (softhsm2-util --show-slots lists them); leave it empty for "
                        + "the first token.");
    }

    public Optional<String> checkKeyLabel(String label) {
        return label != null && label.matches("[A-Za-z0-9._-]{1,64}") ? Optional.empty()
                : Optional.of("A key label has 1 to 64 letters, digits, '.', '_' or '-'.");
    }

    public Optional<String> checkPin(CharSequence pin) {
        return pin != null && pin.length() >= 4 ? Optional.empty()
                : Optional.of("The user PIN has at least 4 characters.");
    }

    /**
     * Creates a passphrase-sealed vault. Every array passed in is wiped before this returns or,
     * for the background part, when the call finishes. Returns null when validation failed (the
     * error property says why).
     */
    public Task<InitResult> create(char[] unseal, char[] unsealConfirm, String adminName, char[] adminPass,
                                   char[] adminConfirm) {
        try {
            Optional<String> problem = checkPassphrase(new String(unseal)).map(m -> "Unseal passphrase: " + m)
                    .or(() -> checkConfirmation(new String(unseal), new String(unsealConfirm))
                            .map(m -> "Unseal passphrase: " + m))
                    .or(() -> checkAdmin(adminName, adminPass, adminConfirm))
                    .or(() -> Arrays.equals(unseal, adminPass)
                            ? Optional.of("Use different passphrases for unsealing and for the admin login.")
                            : Optional.empty());
            if (problem.isPresent()) {
                error.set(problem.get());
                return null;
            }
            return start(new PassphraseSealSpec(unseal, console.config().kdf()), adminName, adminPass);
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

    /**
     * Creates a vault sealed by a PKCS#11 token: an existing key with the label is used, else one
     * is generated on the token. The PIN is not stored. Arrays are wiped as in {@link #create}.
     */
    public Task<InitResult> createHsm(String library, String slot, String keyLabel, char[] pin, String adminName,
                                      char[] adminPass, char[] adminConfirm) {
        try {
            Optional<String> problem = checkHsm(library, slot, keyLabel, pin)
                    .or(() -> checkAdmin(adminName, adminPass, adminConfirm));
            if (problem.isPresent()) {
                error.set(problem.get());
                return null;
            }
            return start(hsmSpec(library, slot, keyLabel, pin), adminName, adminPass);
        } catch (InvalidRequestException e) {
            error.set(e.getMessage());
            return null;
        } finally {
            Arrays.fill(pin, '\0');
            Arrays.fill(adminPass, '\0');
            Arrays.fill(adminConfirm, '\0');
        }
    }

    /** Creates a vault whose unseal key is split into {@code n} shares, any {@code k} of which unseal. */
    public Task<InitResult> createShamir(int n, int k, String adminName, char[] adminPass, char[] adminConfirm) {
        try {
            Optional<String> problem = checkShares(n, k).or(() -> checkAdmin(adminName, adminPass, adminConfirm));
            if (problem.isPresent()) {
                error.set(problem.get());
                return null;
            }
            return start(new ShamirSealSpec(n, k), adminName, adminPass);
        } catch (InvalidRequestException e) {
            error.set(e.getMessage());
            return null;
        } finally {
            Arrays.fill(adminPass, '\0');
            Arrays.fill(adminConfirm, '\0');
        }
    }

    public Optional<String> checkShares(int n, int k) {
        if (n < 2 || n > ShamirSealSpec.MAX_SHARES) {
            return Optional.of("Shares: 2 to " + ShamirSealSpec.MAX_SHARES + ".");
        }
        if (k < 2 || k > n) {
            return Optional.of("Shares needed to unseal: at least 2 and at most the number of shares (" + n + ").");
        }
        return Optional.empty();
    }

    private Optional<String> checkAdmin(String adminName, char[] adminPass, char[] adminConfirm) {
        return checkAdminName(adminName).map(m -> "Admin name: " + m)
                .or(() -> checkPassphrase(new String(adminPass)).map(m -> "Admin passphrase: " + m))
                .or(() -> checkConfirmation(new String(adminPass), new String(adminConfirm))
                        .map(m -> "Admin passphrase: " + m));
    }

    private Optional<String> checkHsm(String library, String slot, String keyLabel, char[] pin) {
        return checkLibrary(library).map(m -> "PKCS#11 library: " + m)
                .or(() -> checkSlot(slot).map(m -> "Slot: " + m))
                .or(() -> checkKeyLabel(keyLabel).map(m -> "Key label: " + m))
                .or(() -> checkPin(new String(pin)).map(m -> "PIN: " + m));
    }

    private static Pkcs11SealSpec hsmSpec(String library, String slot, String keyLabel, char[] pin) {
        Long slotId = slot == null || slot.isBlank() ? null : Long.valueOf(slot.strip());
        return new Pkcs11SealSpec(Path.of(library.strip()), slotId, 0, keyLabel, pin);
    }

    private Task<InitResult> start(SealSpec spec, String adminName, char[] adminPass) {
        InitRequest request;
        try {
            request = new InitRequest(spec, adminName, adminPass, console.config().kdf());
        } catch (InvalidRequestException e) {
            if (spec instanceof AutoCloseable c) {
                closeQuietly(c);
            }
            throw e;
        }
        error.set("");
        busy.set(true);
        boolean accepted = acceptWeak.get();
        return console.background().attempt(() -> {
            try (request) {
                if (spec instanceof PassphraseSealSpec p) {
                    requireStrong("Unseal passphrase", p.passphrase(), accepted);
                }
                requireStrong("Admin passphrase", request.adminPassphrase(), false);
                return console.vault().lifecycle().init(request);
            }
        }, result -> {
            busy.set(false);
            if (result.unsealShares().isEmpty()) {
                console.initialised();
            } else {
                shares.setAll(result.unsealShares());
                confirmIndex = shares.size();
                shareInfo.set("Any " + result.threshold() + " of these " + shares.size() + " shares unseal the vault. "
                        + "Give each to its holder now: Keyward does not store them and will not show them again.");
                page.set(Page.SHARES);
            }
        }, t -> {
            busy.set(false);
            error.set(Background.describe(t));
        });
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not wipe the seal spec", e);
        }
    }

    /**
     * Test connection: loads the library, logs in to the token with the PIN and looks the key
     * label up, off the FX thread. Creates nothing on the token. The PIN array is wiped.
     */
    public Task<HsmProbe> testConnection(String library, String slot, String keyLabel, char[] pin) {
        try {
            Optional<String> problem = checkHsm(library, slot, keyLabel, pin);
            if (problem.isPresent()) {
                hsmOk.set(false);
                hsmResult.set(problem.get());
                return null;
            }
            Pkcs11SealSpec spec = hsmSpec(library, slot, keyLabel, pin);
            testing.set(true);
            hsmOk.set(false);
            hsmResult.set("Testing the connection\u2026");
            return console.background().attempt(() -> {
                try (spec) {
                    return Keyward.testHsm(spec);
                }
            }, probe -> {
                testing.set(false);
                hsmOk.set(true);
                hsmResult.set("Connected: " + probe.token() + " accepted the PIN. " + (probe.keyExists()
                        ? "A key labelled '" + keyLabel + "' is on the token; init will use it."
                        : "No key labelled '" + keyLabel + "' yet; init will generate it on the token."));
            }, t -> {
                testing.set(false);
                hsmOk.set(false);
                hsmResult.set("Connection failed: " + describeHsmFailure(t));
            });
        } catch (InvalidRequestException e) {
            hsmOk.set(false);
            hsmResult.set(e.getMessage());
            return null;
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    static String describeHsmFailure(Throwable t) {
        if (t instanceof HsmUnavailableException) {
            return "the PKCS#11 library or token did not answer. Check the library path and the slot id.";
        }
        return Background.describe(t);
    }

    /** Puts share {@code index} (0-based) on the clipboard; it is cleared on finish or after the clipboard timeout. */
    public void copyShare(int index) {
        if (index < 0 || index >= shares.size()) {
            return;
        }
        Duration d = console.clipboardGuard().copy(shares.get(index));
        shareInfo.set("Share " + (index + 1) + " copied. The clipboard is cleared in " + d.toSeconds()
                + " s if it still holds it.");
    }

    /** From the shares to the confirmation page. */
    public void sharesStored() {
        if (page.get() == Page.SHARES) {
            error.set("");
            shareInfo.set("Type share " + confirmIndex + " back, as its holder stored it, to show the shares were "
                    + "taken down correctly.");
            page.set(Page.CONFIRM);
        }
    }

    /** Back from the confirmation to the shares (they stay in memory until the wizard finishes). */
    public void backToShares() {
        if (page.get() == Page.CONFIRM) {
            error.set("");
            page.set(Page.SHARES);
        }
    }

    /**
     * Finishes a Shamir init: the re-entered share must equal share {@link #confirmIndex()} and
     * the operator must acknowledge that every share is stored. Then the shares are dropped and
     * the unlock screen follows. The array is wiped. Returns whether the wizard finished.
     */
    public boolean finish(char[] reentered, boolean acknowledged) {
        try {
            if (page.get() != Page.CONFIRM) {
                return false;
            }
            if (!contentEquals(strip(reentered), shares.get(confirmIndex - 1))) {
                error.set("This is not share " + confirmIndex + ". Go back to the shares and check how it was "
                        + "stored.");
                return false;
            }
            if (!acknowledged) {
                error.set("Confirm that every share is stored by its holder: they cannot be shown again.");
                return false;
            }
            error.set("");
            clearCopiedShare();
            shares.clear();
            shareInfo.set("");
            console.initialised();
            return true;
        } finally {
            Arrays.fill(reentered, '\0');
        }
    }

    private static CharSequence strip(char[] s) {
        int from = 0;
        int to = s.length;
        while (from < to && Character.isWhitespace(s[from])) {
            from++;
        }
        while (to > from && Character.isWhitespace(s[to - 1])) {
            to--;
        }
        return CharBuffer.wrap(s, from, to - from);
    }

    /** Called about once a second (the console's clipboard guard clears a copied share after the timeout). */
    public void tick() {
        // nothing of its own
    }

    /** The wizard is left: a copied share leaves the clipboard (if it still holds it). */
    public void dispose() {
        clearCopiedShare();
    }

    private void clearCopiedShare() {
        console.clipboardGuard().clearNow();
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

    /** Shows the restore screen (a backup restored into this directory, which must be empty). */
    public void restoreFromBackup() {
        console.showRestore(true);
    }
}
