package dev.keyward.console.settings;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.common.Background;
import dev.keyward.console.common.ConsoleSettings;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.Pkcs11SealInfo;
import dev.keyward.vault.api.VaultStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * Console settings: auto-lock, theme, and the HTTPS endpoint the console runs (on or off, port,
 * mutual TLS), saved in {@code $KEYWARD_HOME/keyward.properties}; and a read-only view of the
 * HSM seal's configuration and state.
 */
public final class SettingsViewModel {
    public static final int MIN_LOCK_MINUTES = 1;
    public static final int MAX_LOCK_MINUTES = 240;

    private final ConsoleViewModel console;
    private final IntegerProperty autoLockMinutes = new SimpleIntegerProperty();
    private final ObjectProperty<ConsoleSettings.Theme> theme = new SimpleObjectProperty<>();
    private final BooleanProperty endpoint = new SimpleBooleanProperty();
    private final StringProperty port = new SimpleStringProperty("");
    private final BooleanProperty mutualTls = new SimpleBooleanProperty();
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper hsm = new ReadOnlyStringWrapper("");
    private final KeyLifecycleViewModel keys;

    public SettingsViewModel(ConsoleViewModel console) {
        this.console = console;
        this.keys = new KeyLifecycleViewModel(console);
        ConsoleSettings s = console.settings();
        autoLockMinutes.set((int) Math.max(MIN_LOCK_MINUTES, s.autoLock().toMinutes()));
        theme.set(s.theme());
        endpoint.set(s.endpoint());
        port.set(Integer.toString(s.port()));
        mutualTls.set(s.mutualTls());
        // "Saved" describes the values as they were: it goes when one changes again.
        javafx.beans.InvalidationListener changed = o -> message.set("");
        autoLockMinutes.addListener(changed);
        theme.addListener(changed);
        endpoint.addListener(changed);
        port.addListener(changed);
        mutualTls.addListener(changed);
    }

    /** Data-key rotation, rewrap and root-key rotation. */
    public KeyLifecycleViewModel keys() {
        return keys;
    }

    public IntegerProperty autoLockMinutesProperty() {
        return autoLockMinutes;
    }

    public ObjectProperty<ConsoleSettings.Theme> themeProperty() {
        return theme;
    }

    /** Run the HTTPS endpoint inside the console. */
    public BooleanProperty endpointProperty() {
        return endpoint;
    }

    /** The endpoint's port, as typed. */
    public StringProperty portProperty() {
        return port;
    }

    public BooleanProperty mutualTlsProperty() {
        return mutualTls;
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** Whether the endpoint is running, where, or why not. */
    public ReadOnlyStringProperty endpointStatusProperty() {
        return console.endpointStatusProperty();
    }

    /** The HSM seal's configuration and state, or a sentence that the vault uses another seal. */
    public ReadOnlyStringProperty hsmProperty() {
        return hsm.getReadOnlyProperty();
    }

    public String configFile() {
        return console.config().home().resolve(ConsoleSettings.FILE).toString();
    }

    public Optional<String> checkPort(String value) {
        try {
            int p = Integer.parseInt(value == null ? "" : value.strip());
            if (p >= ConsoleSettings.MIN_PORT && p <= ConsoleSettings.MAX_PORT) {
                return Optional.empty();
            }
        } catch (NumberFormatException e) {
            // falls through to the message
        }
        return Optional.of("A port from " + ConsoleSettings.MIN_PORT + " to " + ConsoleSettings.MAX_PORT
                + " (lower ports need root).");
    }

    public Optional<String> checkAutoLock(int minutes) {
        return minutes >= MIN_LOCK_MINUTES && minutes <= MAX_LOCK_MINUTES ? Optional.empty()
                : Optional.of("Auto-lock is between " + MIN_LOCK_MINUTES + " and " + MAX_LOCK_MINUTES + " minutes.");
    }

    /** Reads the HSM seal's configuration (a small file) and the vault's status in the background. */
    public void loadHsm() {
        var home = console.config().home();
        var vault = console.vault();
        console.background().attempt(() -> new Object[] {Keyward.hsmSeal(home), vault.lifecycle().status()}, r -> {
            @SuppressWarnings("unchecked")
            Optional<Pkcs11SealInfo> info = (Optional<Pkcs11SealInfo>) r[0];
            hsm.set(describeHsm(info, (VaultStatus) r[1]));
        }, t -> hsm.set("The seal configuration could not be read: " + Background.describe(t)));
    }

    public static String describeHsm(Optional<Pkcs11SealInfo> info, VaultStatus st) {
        if (info.isEmpty()) {
            return "This vault is sealed with " + (st.sealType() == null ? "no seal yet" : "a " + st.sealType()
                    + " seal") + ", not an HSM. Moving it to an HSM is a seal migration, which the console does "
                    + "not offer yet.";
        }
        Pkcs11SealInfo i = info.get();
        return "PKCS#11 library: " + i.library()
                + "\nToken: " + (i.tokenLabel() != null ? "'" + i.tokenLabel() + "' (serial " + i.tokenSerial() + ")"
                        : i.slot() != null ? "slot id " + i.slot() : "slot list index " + i.slotListIndex())
                + "\nRoot key label: " + i.keyLabel()
                + "\nAudit signing key label: " + i.signingKeyLabel()
                + "\nState: " + (st.sealed() ? "sealed" + (st.sealedReason() == null ? "" : " (" + st.sealedReason()
                        + ")") : "unsealed, token logged in")
                + "\nThe PIN is not stored; it is asked at every unseal.";
    }

    /** Validates, saves to keyward.properties and applies; returns false (with a message) when a value is refused. */
    public boolean apply() {
        Optional<String> problem = checkAutoLock(autoLockMinutes.get())
                .or(() -> checkPort(port.get()).map(m -> "Port: " + m));
        if (problem.isPresent()) {
            message.set(problem.get());
            return false;
        }
        ConsoleSettings s = console.settings().withAutoLock(Duration.ofMinutes(autoLockMinutes.get()))
                .withTheme(theme.get()).withEndpoint(endpoint.get(), Integer.parseInt(port.get().strip()),
                        mutualTls.get());
        try {
            console.updateSettings(s);
            message.set("Saved to " + configFile() + ".");
            return true;
        } catch (IOException e) {
            message.set("The settings could not be saved: " + e.getClass().getSimpleName() + " on " + configFile()
                    + ".");
            return false;
        }
    }
}
