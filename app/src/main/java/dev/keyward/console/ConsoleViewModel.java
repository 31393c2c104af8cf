package dev.keyward.console;

import dev.keyward.console.common.Background;
import dev.keyward.console.common.ClipboardAccess;
import dev.keyward.console.common.ClipboardGuard;
import dev.keyward.console.common.ConsoleConfig;
import dev.keyward.console.common.ConsoleSettings;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Endpoint;
import dev.keyward.vault.api.ServiceLocation;
import dev.keyward.vault.api.ServiceUnavailableException;
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
import java.util.Optional;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console as a whole: holds the vault (the running service it attached to, or the directory it
 * opened itself), the operator's session and the lock state. Every screen's ViewModel reaches the
 * vault through it, through the same {@code api} interfaces in either mode.
 */
public final class ConsoleViewModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleViewModel.class);

    /**
     * Where the console is. A directory that holds an initialised vault starts in LOCKED while
     * the vault is still being opened (see {@link #readyProperty()}); any other starts in OPENING.
     */
    public enum Phase { OPENING, IN_USE, FAILED, NEEDS_INIT, LOCKED, UNLOCKED, DISCONNECTED }

    /**
     * How the console reaches the vault: ATTACHED to the running {@code keyward serve} over loopback
     * HTTPS (pipelines keep working whatever the console does), or EMBEDDED (the console owns the
     * vault directory while it runs; no service was running).
     */
    public enum Mode { ATTACHED, EMBEDDED }

    private final ConsoleConfig config;
    private final Background background = new Background();
    private final ClipboardAccess clipboard;
    private final ClipboardGuard clipboardGuard;
    private final ReadOnlyObjectWrapper<Phase> phase = new ReadOnlyObjectWrapper<>(Phase.OPENING);
    private final ReadOnlyBooleanWrapper ready = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyBooleanWrapper restoring = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<Session> session = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<ConsoleSettings> settings = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<VaultStatus> status = new ReadOnlyObjectWrapper<>();
    private volatile Vault vault;
    private final ReadOnlyObjectWrapper<Mode> mode = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper modeDescription = new ReadOnlyStringWrapper("");
    private volatile ServiceLocation location;
    private final ReadOnlyStringWrapper endpointStatus = new ReadOnlyStringWrapper(ENDPOINT_OFF);
    private Endpoint endpoint;
    private boolean endpointChanging;
    private boolean endpointPending;
    public static final String ENDPOINT_OFF = "HTTPS endpoint: off";
    private Instant lastActivity;

    public ConsoleViewModel(ConsoleConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.clipboard = config.clipboard().get();
        this.clipboardGuard = new ClipboardGuard(clipboard, config.clock(), () -> settings.get().clipboardFor());
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

    /** ATTACHED or EMBEDDED once the vault is reached (null before). */
    public ReadOnlyObjectProperty<Mode> modeProperty() {
        return mode.getReadOnlyProperty();
    }

    public Mode mode() {
        return mode.get();
    }

    /** "Attached to keyward serve at https://127.0.0.1:8210", or what embedded mode means. */
    public ReadOnlyStringProperty modeDescriptionProperty() {
        return modeDescription.getReadOnlyProperty();
    }

    /** Where the service the console attached to listens (null when embedded). */
    public ServiceLocation location() {
        return location;
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

    /** Where screens copy sensitive values: cleared after the timeout and on lock, seal and close. */
    public ClipboardGuard clipboardGuard() {
        return clipboardGuard;
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
     * Reaches the vault in the background and decides where to go: attaches to the running service
     * of the directory if one answers (pinned to the directory's CA), else opens the directory
     * itself. The unlock screen of an initialised directory stays up meanwhile (its buttons wait for
     * {@link #readyProperty()}).
     */
    public void open() {
        ready.set(false);
        if (phase.get() != Phase.LOCKED) {
            phase.set(Phase.OPENING);
        }
        String[] attachProblem = {null};
        background.attempt(() -> {
            if (vault == null) {
                Optional<ServiceLocation> where = config.locator().apply(config.home());
                if (where.isPresent()) {
                    try {
                        vault = config.attacher().apply(where.get());
                        location = where.get();
                    } catch (ServiceUnavailableException e) {
                        attachProblem[0] = e.getMessage();
                    }
                }
                if (vault == null) {
                    vault = config.opener().apply(VaultOptions.at(config.home()).withClock(config.clock()));
                    location = null;
                }
            }
            return vault.lifecycle().status();
        }, st -> {
            status.set(st);
            showMode();
            ready.set(true);
            phase.set(st.initialized() ? Phase.LOCKED : Phase.NEEDS_INIT);
        }, t -> {
            problem.set(describeOpenFailure(t, config.home().toString(), attachProblem[0]));
            phase.set(t instanceof VaultInUseException ? Phase.IN_USE : Phase.FAILED);
        });
    }

    /**
     * Hands the vault over to a {@code keyward serve} of its own, so that it stays served for
     * pipelines after the console closes: closes the embedded vault (releasing the directory),
     * starts the service with the unseal credential on its standard input, and attaches to it.
     * When the service does not come up, the console opens the directory itself again. The
     * array is wiped.
     */
    public javafx.concurrent.Task<VaultStatus> startService(boolean pin, char[] secret,
                                                           java.util.function.Consumer<VaultStatus> started,
                                                           java.util.function.Consumer<Throwable> failed) {
        char[] copy = secret.clone();
        java.util.Arrays.fill(secret, '\0');
        ready.set(false);
        return background.attempt(() -> {
            try {
                Vault v = vault;
                vault = null;
                location = null;
                if (v != null) {
                    v.close();
                }
                dev.keyward.vault.Keyward.startService(config.home(), pin, copy, Duration.ofMinutes(2));
            } finally {
                java.util.Arrays.fill(copy, '\0');
            }
            ServiceLocation where = config.locator().apply(config.home()).orElseThrow(() ->
                    new ServiceUnavailableException("keyward serve started, but its address and CA were not found in "
                            + config.home() + "."));
            vault = config.attacher().apply(where);
            location = where;
            return vault.lifecycle().status();
        }, st -> {
            status.set(st);
            showMode();
            ready.set(true);
            phase.set(Phase.LOCKED);
            started.accept(st);
        }, t -> {
            failed.accept(t);
            open();
        });
    }

    private void showMode() {
        ServiceLocation l = location;
        mode.set(l != null ? Mode.ATTACHED : Mode.EMBEDDED);
        modeDescription.set(l != null ? "Attached to keyward serve at " + l.address()
                : "Embedded: this console owns the vault directory");
        if (l != null) {
            endpointStatus.set("HTTPS endpoint: served by keyward serve at " + l.address());
        }
    }

    /** The sentence shown when the vault cannot be opened. */
    /** True while the restore screen shows (it covers the set-up and unlock screens). */
    public ReadOnlyBooleanProperty restoringProperty() {
        return restoring.getReadOnlyProperty();
    }

    public void showRestore(boolean show) {
        restoring.set(show);
    }

    /**
     * For offline work on the vault directory (a restore), in a background thread: closes the
     * embedded vault so that nothing in this process holds the directory. Refused while attached to
     * a service (it owns the directory). Follow it with {@link #reopenVault()} whatever happens.
     */
    public void releaseVault() {
        if (location != null) {
            throw new dev.keyward.vault.api.InvalidRequestException("The console is attached to keyward serve,"
                    + " which owns " + config.home() + ". A restore is offline: restore into an empty directory"
                    + " with 'keyward restore FILE --home DIR'. Nothing was changed.");
        }
        Vault v = vault;
        vault = null;
        if (v != null) {
            v.close();
        }
    }

    /** In a background thread after {@link #releaseVault()}: opens the directory again; hand the status to {@link #reopened}. */
    public VaultStatus reopenVault() {
        if (vault == null) {
            vault = config.opener().apply(VaultOptions.at(config.home()).withClock(config.clock()));
        }
        return vault.lifecycle().status();
    }

    /** On the FX thread: the directory is open again; goes to the unlock screen if it now holds a vault. */
    public void reopened(VaultStatus st) {
        if (st != null) {
            status.set(st);
            showMode();
            phase.set(st.initialized() ? Phase.LOCKED : Phase.NEEDS_INIT);
        }
        ready.set(vault != null);
    }

    public static String describeOpenFailure(Throwable t, String home) {
        return describeOpenFailure(t, home, null);
    }

    static String describeOpenFailure(Throwable t, String home, String attachProblem) {
        if (t instanceof VaultInUseException) {
            return "Another Keyward process (for example `keyward serve`) is using the vault in " + home
                    + (attachProblem == null ? "" : ", but the console cannot attach to it: " + attachProblem)
                    + ". Only one process can own a vault at a time: stop the other one"
                    + (attachProblem == null ? "" : " or check its address and CA") + ", then press Retry.";
        }
        return Background.describe(t);
    }

    public void initialised() {
        refreshStatus();
        phase.set(Phase.LOCKED);
    }

    /** Owner, tags, expiry and field names of every secret (metadata only), for search and expiry warnings. */
    public dev.keyward.console.secrets.SecretCatalog catalog() {
        return catalog;
    }

    private final dev.keyward.console.secrets.SecretCatalog catalog = new dev.keyward.console.secrets.SecretCatalog(this);

    public void loggedIn(Session s) {
        session.set(Objects.requireNonNull(s));
        lastActivity = clock().instant();
        refreshStatus();
        nextHeadCheck = clock().instant().plus(HEAD_CHECK);
        refreshTreeHead();
        phase.set(Phase.UNLOCKED);
        catalog.refresh();
        reconcileEndpoint();
    }

    private final ReadOnlyStringWrapper treeHead = new ReadOnlyStringWrapper("");
    /** The vault signs heads on its own (every 1000 entries, a minute after new ones): look again this often. */
    private static final Duration HEAD_CHECK = Duration.ofSeconds(60);
    private Instant nextHeadCheck = Instant.MIN;

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
                h -> treeHead.set("Tree head " + h.treeSize() + " \u00b7 " + h.fingerprint().substring(0,
                        Math.min(16, h.fingerprint().length())) + "\u2026"),
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
        clipboardGuard.clearNow();
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

    /**
     * Seals the vault now (the View asks for confirmation first): every key in memory is dropped.
     * The unlock screen follows once the vault reports itself sealed, at the unseal step; a seal
     * the vault refuses leaves the console as it was, with the reason in {@link #problemProperty()}.
     */
    public void sealNow() {
        clipboardGuard.clearNow();
        Session s = session.get();
        if (s == null || vault == null) {
            return;
        }
        Vault v = vault;
        sealing.set(true);
        background.attempt(() -> {
            v.lifecycle().seal(s.caller());
            return v.lifecycle().status();
        }, st -> {
            sealing.set(false);
            session.set(null);
            status.set(st);
            phase.set(Phase.LOCKED);
        }, t -> {
            sealing.set(false);
            LOG.warn("Seal failed: {}", t.getClass().getSimpleName());
            problem.set("The vault was not sealed: " + Background.describe(t));
            if (t instanceof VaultSealedException) {
                handle(t);
            }
        });
    }

    private final ReadOnlyBooleanWrapper sealing = new ReadOnlyBooleanWrapper(false);

    /** True while a seal runs. */
    public ReadOnlyBooleanProperty sealingProperty() {
        return sealing.getReadOnlyProperty();
    }

    /**
     * A screen's call failed. The vault sealed underneath it (auto-seal, or sealed by someone else):
     * back to the unlock screen. The service the console is attached to stopped answering: say so and
     * offer to reconnect.
     */
    public void handle(Throwable failure) {
        if (failure instanceof VaultSealedException) {
            session.set(null);
            refreshStatus();
            phase.set(Phase.LOCKED);
        } else if (failure instanceof ServiceUnavailableException && mode.get() == Mode.ATTACHED) {
            session.set(null);
            problem.set(failure.getMessage() + " Start it again (keyward serve), then press Retry.");
            phase.set(Phase.DISCONNECTED);
        }
    }

    /** After the service was lost: forget the connection and reach the vault again. */
    public void reconnect() {
        Vault v = vault;
        vault = null;
        location = null;
        if (v != null) {
            v.close();
        }
        phase.set(Keyward.initialized(config.home()) ? Phase.LOCKED : Phase.OPENING);
        open();
    }

    /** User input happened. */
    public void touch() {
        lastActivity = clock().instant();
    }

    /** Called about once a second: locks the console after the idle timeout. */
    public void tick() {
        clipboardGuard.tick();
        if (phase.get() == Phase.UNLOCKED && !clock().instant().isBefore(nextHeadCheck)) {
            nextHeadCheck = clock().instant().plus(HEAD_CHECK);
            refreshTreeHead();
        }
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
        if (mode.get() == Mode.ATTACHED) {
            return; // keyward serve is the endpoint
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

    /**
     * Closes the console: ends the operator's session (the token stops working), stops the
     * console's own endpoint and lets go of the vault: an embedded vault is sealed and its directory
     * released; the service the console was attached to keeps running.
     */
    @Override
    public void close() {
        if (javafx.application.Platform.isFxApplicationThread()) {
            clipboardGuard.clearNow();
        }
        Session s = session.get();
        Vault v = vault;
        if (s != null && v != null) {
            Thread logout = new Thread(() -> {
                try {
                    v.auth().logout(s.caller());
                } catch (RuntimeException e) {
                    LOG.info("Logout on close failed: {}", e.getClass().getSimpleName());
                }
            }, "keyward-logout");
            logout.setDaemon(true);
            logout.start();
            try {
                logout.join(CLOSE_LOGOUT_WAIT.toMillis());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        Endpoint e = endpoint;
        endpoint = null;
        if (e != null) {
            e.close();
        }
        vault = null;
        if (v != null) {
            v.close();
        }
        background.close();
    }

    private static final Duration CLOSE_LOGOUT_WAIT = Duration.ofSeconds(3);
}
