package dev.keyward.console;

import dev.keyward.console.common.Background;
import dev.keyward.console.common.ClipboardAccess;
import dev.keyward.console.common.ConsoleConfig;
import dev.keyward.console.common.ConsoleSettings;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Endpoint;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultInUseException;
import dev.keyward.vault.api.VaultOptions;
import dev.keyward.vault.api.VaultSealedException;
import dev.keyward.vault.api.VaultStatus;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console as a whole: owns the embedded vault, the operator's session and the lock state.
 * Every screen's ViewModel reaches the vault through it.
 */
public final class ConsoleViewModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleViewModel.class);

    /**
     * Where the console is. A directory that holds an initialised vault starts in LOCKED while
     * the vault is still being opened (see {@link #readyProperty()}); any other starts in OPENING.
     */
    public enum Phase { OPENING, IN_USE, FAILED, NEEDS_INIT, LOCKED, UNLOCKED }

    private final ConsoleConfig config;
    private final Background background = new Background();
    private final ClipboardAccess clipboard;
    private final ReadOnlyObjectWrapper<Phase> phase = new ReadOnlyObjectWrapper<>(Phase.OPENING);
    private final ReadOnlyBooleanWrapper ready = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<Session> session = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<ConsoleSettings> settings = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<VaultStatus> status = new ReadOnlyObjectWrapper<>();
    private volatile Vault vault;
    private final ReadOnlyStringWrapper endpointStatus = new ReadOnlyStringWrapper(ENDPOINT_OFF);
    private Endpoint endpoint;
    private boolean endpointChanging;
    private boolean endpointPending;
    public static final String ENDPOINT_OFF = "HTTPS endpoint: off";
    private Instant lastActivity;

    public ConsoleViewModel(ConsoleConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.clipboard = config.clipboard().get();
        this.settings.set(ConsoleSettings.load(config.home()));
        this.lastActivity = config.clock().instant();
        if (Keyward.initialized(config.home())) {
            phase.set(Phase.LOCKED);
        }
    }

    /** True once the vault is open and its status known; the unlock screen waits for it. */
    public ReadOnlyBooleanProperty readyProperty() {
        return ready.getReadOnlyProperty();
    }

    public boolean ready() {
        return ready.get();
    }

    public ReadOnlyObjectProperty<Phase> phaseProperty() {
        return phase.getReadOnlyProperty();
    }

    public Phase phase() {
        return phase.get();
    }

    /** A plain sentence when the vault cannot be opened (in use, unreadable). */
    public ReadOnlyStringProperty problemProperty() {
        return problem.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Session> sessionProperty() {
        return session.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<ConsoleSettings> settingsProperty() {
        return settings.getReadOnlyProperty();
    }

    public ConsoleSettings settings() {
        return settings.get();
    }

    /** The last vault status the console saw. */
    public ReadOnlyObjectProperty<VaultStatus> statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ConsoleConfig config() {
        return config;
    }

    public Clock clock() {
        return config.clock();
    }

    public Background background() {
        return background;
    }

    public ClipboardAccess clipboard() {
        return clipboard;
    }

    /** The open vault; only valid after {@link #open()} succeeded. */
    public Vault vault() {
        Vault v = vault;
        if (v == null) {
            throw new IllegalStateException("the vault is not open");
        }
        return v;
    }

    /** The logged-in operator's caller context, with a justification for the audit log. */
    public Caller caller(String justification) {
        Session s = session.get();
        if (s == null) {
            throw new IllegalStateException("no operator is logged in");
        }
        return justification == null ? s.caller() : s.caller().withJustification(justification);
    }

    /**
     * Opens the vault directory in the background and decides where to go. The unlock screen of
     * an initialised directory stays up meanwhile (its buttons wait for {@link #readyProperty()}).
     */
    public void open() {
        ready.set(false);
        if (phase.get() != Phase.LOCKED) {
            phase.set(Phase.OPENING);
        }
        background.attempt(() -> {
            if (vault == null) {
                vault = config.opener().apply(VaultOptions.at(config.home()).withClock(config.clock()));
            }
            return vault.lifecycle().status();
        }, st -> {
            status.set(st);
            ready.set(true);
            phase.set(st.initialized() ? Phase.LOCKED : Phase.NEEDS_INIT);
        }, t -> {
            problem.set(describeOpenFailure(t, config.home().toString()));
            phase.set(t instanceof VaultInUseException ? Phase.IN_USE : Phase.FAILED);
        });
    }

    /** The sentence shown when the vault cannot be opened. */
    public static String describeOpenFailure(Throwable t, String home) {
        if (t instanceof VaultInUseException) {
            return "Another Keyward process (for example `keyward serve`) is using the vault in " + home
                    + ". Only one process can own a vault at a time: stop the other one, then press Retry.";
        }
        return Background.describe(t);
    }

    public void initialised() {
        refreshStatus();
        phase.set(Phase.LOCKED);
    }

    public void loggedIn(Session s) {
        session.set(Objects.requireNonNull(s));
        lastActivity = clock().instant();
        refreshStatus();
        refreshTreeHead();
        phase.set(Phase.UNLOCKED);
        reconcileEndpoint();
    }

    private final ReadOnlyStringWrapper treeHead = new ReadOnlyStringWrapper("");

    /** The latest signed tree head's fingerprint, or a sentence why there is none. */
    public ReadOnlyStringProperty treeHeadProperty() {
        return treeHead.getReadOnlyProperty();
    }

    /** Reads the latest signed tree head for the status bar. */
    public void refreshTreeHead() {
        Session s = session.get();
        if (vault == null || s == null) {
            return;
        }
        background.attempt(() -> vault.audit().latestHead(s.caller()),
                h -> treeHead.set("Tree head " + h.treeSize() + ": " + h.fingerprint()),
                t -> treeHead.set("Tree head: " + Background.describe(t)));
    }

    /** Re-reads the vault's status (no credential needed). */
    public void refreshStatus() {
        if (vault == null) {
            return;
        }
        background.run(() -> vault.lifecycle().status(), status::set, msg -> { });
    }

    /** Ends the operator's session and shows the unlock screen; the vault stays unsealed. */
    public void lock() {
        Session s = session.get();
        session.set(null);
        if (phase.get() == Phase.UNLOCKED) {
            phase.set(Phase.LOCKED);
        }
        if (s != null) {
            background.run(() -> {
                vault.auth().logout(s.caller());
                return null;
            }, ok -> refreshStatus(), msg -> LOG.info("Logout on lock failed: {}", msg));
        }
    }

    /** Seals the vault now: every key in memory is dropped; unlocking needs the unseal passphrase. */
    public void sealNow() {
        Session s = session.get();
        session.set(null);
        phase.set(Phase.LOCKED);
        if (s != null) {
            background.run(() -> {
                vault.lifecycle().seal(s.caller());
                return vault.lifecycle().status();
            }, status::set, msg -> LOG.warn("Seal failed: {}", msg));
        }
    }

    /** A screen found the vault sealed underneath it (auto-seal): go back to the unlock screen. */
    public void handle(Throwable failure) {
        if (failure instanceof VaultSealedException) {
            session.set(null);
            refreshStatus();
            phase.set(Phase.LOCKED);
        }
    }

    /** User input happened. */
    public void touch() {
        lastActivity = clock().instant();
    }

    /** Called about once a second: locks the console after the idle timeout. */
    public void tick() {
        if (phase.get() == Phase.UNLOCKED) {
            Duration idle = Duration.between(lastActivity, clock().instant());
            if (idle.compareTo(settings.get().autoLock()) >= 0) {
                LOG.info("Locking the console after {} s without input", idle.toSeconds());
                lock();
            }
        }
    }

    /** Saves the settings to keyward.properties and applies them (the endpoint starts, moves or stops). */
    public void updateSettings(ConsoleSettings s) throws IOException {
        s.save(config.home());
        settings.set(s);
        reconcileEndpoint();
    }

    /** "HTTPS endpoint: on at https://127.0.0.1:8210 (mutual TLS)", "off", or why it is not running. */
    public ReadOnlyStringProperty endpointStatusProperty() {
        return endpointStatus.getReadOnlyProperty();
    }

    /**
     * Brings the embedded HTTPS endpoint in line with the settings, in the background: stops it,
     * or (re)starts it on the configured port. Starting needs the vault unsealed (the endpoint's
     * CA key is sealed), so it happens after a login. Once running it keeps serving while the
     * console is locked, as {@code keyward serve} does; it stops when the console closes.
     */
    public void reconcileEndpoint() {
        if (endpointChanging) {
            endpointPending = true;
            return;
        }
        ConsoleSettings s = settings.get();
        Endpoint running = endpoint;
        boolean matches = running != null && running.port() == s.port() && running.mutualTls() == s.mutualTls();
        if (s.endpoint() == (running != null) && (!s.endpoint() || matches)) {
            return;
        }
        if (s.endpoint() && (vault == null || session.get() == null)) {
            return;
        }
        Vault v = vault;
        endpointChanging = true;
        endpointStatus.set(s.endpoint() ? "HTTPS endpoint: starting on port " + s.port() + "\u2026"
                : "HTTPS endpoint: stopping\u2026");
        background.attempt(() -> {
            if (running != null) {
                running.close();
            }
            return s.endpoint() ? Keyward.serve(v, config.home(), s.port(), s.mutualTls()) : null;
        }, started -> {
            endpoint = started;
            endpointStatus.set(started == null ? ENDPOINT_OFF : "HTTPS endpoint: on at "
                    + String.join(", ", started.urls()) + (started.mutualTls() ? " (mutual TLS)" : ""));
            endpointSettled();
        }, t -> {
            endpoint = null;
            endpointStatus.set("HTTPS endpoint: not running \u2014 " + Background.describe(t));
            LOG.warn("The HTTPS endpoint did not start: {}", t.getClass().getSimpleName());
            endpointSettled();
        });
    }

    private void endpointSettled() {
        endpointChanging = false;
        if (endpointPending) {
            endpointPending = false;
            reconcileEndpoint();
        }
    }

    @Override
    public void close() {
        Endpoint e = endpoint;
        endpoint = null;
        if (e != null) {
            e.close();
        }
        Vault v = vault;
        vault = null;
        if (v != null) {
            v.close();
        }
        background.close();
    }
}
