package dev.keyward.vault.engine;

import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InitRequest;
import dev.keyward.vault.api.InitResult;
import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.api.LifecycleService;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.VaultAlreadyInitializedException;
import dev.keyward.vault.api.VaultNotInitializedException;
import dev.keyward.vault.api.VaultSealedException;
import dev.keyward.vault.api.VaultStatus;
import dev.keyward.vault.api.AuthMethod;
import dev.keyward.vault.audit.AuditEvent;
import dev.keyward.vault.crypto.Keyring;
import dev.keyward.vault.identity.OperatorRecord;
import dev.keyward.vault.policy.BuiltInPolicies;
import dev.keyward.vault.seal.PassphraseSealProvider;
import dev.keyward.vault.seal.RootKey;
import dev.keyward.vault.seal.Seal;
import dev.keyward.vault.seal.SealConfig;
import dev.keyward.vault.seal.SealConfigStore;
import dev.keyward.vault.seal.SealInit;
import dev.keyward.vault.seal.SealProvider;
import dev.keyward.vault.storage.Storage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seal lifecycle behind {@link LifecycleService}: status, init, unseal (with the backoff on
 * wrong credentials), loading the keyring, sealing (on demand, when idle, on HSM loss) and the
 * swap of the root key at the end of a seal change. It holds the one reference to the unsealed
 * keys; {@link Engine} holds the state lock around it.
 */
final class SealLifecycle implements LifecycleService {
    private static final Logger LOG = LoggerFactory.getLogger(SealLifecycle.class);
    static final String KEYRING_KEY = "sys/keyring";
    /** The keyring under a new root key, while a seal change is in progress (see KeyLifecycle). */
    static final String KEYRING_NEXT = "sys/keyring.next";
    private static final byte[] KEYRING_AAD = "keyward.keyring.v1".getBytes(StandardCharsets.US_ASCII);
    /** Unseal failures allowed before the backoff starts. */
    private static final int FREE_UNSEAL_FAILURES = 3;
    private static final Duration MAX_UNSEAL_BACKOFF = Duration.ofMinutes(5);

    private final Engine engine;
    private final EngineConfig config;
    private final Clock clock;
    private final Storage storage;
    private final SealConfigStore sealStore;
    private final Door door;
    private final Rewrapper rewrapper;

    private volatile Unsealed unsealed;
    private volatile Seal seal;
    private volatile String sealedReason;
    private int unsealFailures;
    private Instant unsealBlockedUntil;

    SealLifecycle(Engine engine, EngineConfig config, Storage storage, Door door, Rewrapper rewrapper) {
        this.engine = engine;
        this.config = config;
        this.clock = config.options().clock();
        this.storage = storage;
        this.sealStore = new SealConfigStore(config.options().home());
        this.door = door;
        this.rewrapper = rewrapper;
    }

    /** The keys of the unsealed vault; throws "not initialised" or "sealed" (with its reason). */
    Unsealed requireUnsealed() {
        Unsealed u = unsealed;
        if (u == null) {
            if (!sealStore.exists()) {
                throw new VaultNotInitializedException();
            }
            throw sealedReason == null ? new VaultSealedException()
                    : new VaultSealedException("The vault is sealed: " + sealedReason + ".");
        }
        return u;
    }

    /** The keys of the unsealed vault, or null when sealed. */
    Unsealed unsealedOrNull() {
        return unsealed;
    }

    SealProvider sealProvider(String type) {
        return config.seals().provider(type);
    }

    String sealType() {
        return sealStore.load().map(SealConfig::type).orElseThrow(VaultNotInitializedException::new);
    }

    /**
     * Steps 2 and 3 of a seal change (the staged keyring is durable): seal.json, then the keyring;
     * then the new root key replaces the old one in memory. Called under {@link Engine#exclusive}.
     */
    void commitSealChange(SealInit created, SealProvider provider) {
        sealStore.save(created.config());
        storage.write(tx -> {
            byte[] next = tx.get(KEYRING_NEXT);
            if (next == null) {
                throw new IntegrityException("The staged keyring vanished during a seal change.");
            }
            tx.put(KEYRING_KEY, next);
            tx.delete(KEYRING_NEXT);
            return null;
        });
        Unsealed old = requireUnsealed();
        Seal oldSeal = seal;
        Seal newSeal = KeyLifecycle.adopt(provider, created);
        unsealed = Unsealed.of(created.rootKey(), old.keyring(), newSeal.signer());
        seal = newSeal;
        old.root().close();
        old.system().close();
        if (oldSeal != null && oldSeal != newSeal) {
            oldSeal.close();
        }
    }

    /** The auto-seal check, every second: idle timeout and HSM loss. */
    void checkIdle() {
        try {
            Duration idle = config.options().autoSealAfter();
            if (unsealed != null && !idle.isZero()
                    && Duration.between(engine.lastActivity(), clock.instant()).compareTo(idle) >= 0) {
                sealInternal("sealed after " + (idle.toMinutes() >= 1 ? idle.toMinutes() + " min" : idle.toSeconds() + " s")
                        + " without activity");
            }
            Seal s = seal;
            if (unsealed != null && s != null && !s.healthy()) {
                // Check again with no call in flight: a seal change may have swapped the seal meanwhile.
                engine.withStateLock(() -> {
                    Seal now = seal;
                    if (unsealed != null && now != null && !now.healthy()) {
                        LOG.warn("the HSM stopped answering: sealing the vault");
                        sealInternal("HSM unavailable");
                    }
                    return null;
                });
            }
        } catch (RuntimeException e) {
            LOG.warn("auto-seal check failed: {}", e.getClass().getSimpleName());
        }
    }

    @Override
    public VaultStatus status() {
        Optional<SealConfig> cfg = sealStore.load();
        Seal s = seal;
        if (cfg.isPresent() && (s == null || !s.type().equals(cfg.get().type()))) {
            synchronized (this) {
                s = seal;
                if (s == null || !s.type().equals(cfg.get().type())) {
                    s = config.seals().provider(cfg.get().type()).load(cfg.get());
                    seal = s;
                }
            }
        }
        Unsealed u = unsealed;
        boolean weak = cfg.map(c -> c.type().equals(PassphraseSealSpec.TYPE) && PassphraseSealProvider.weak(c))
                .orElse(false);
        return new VaultStatus(cfg.isPresent(), u == null, cfg.map(SealConfig::type).orElse(null),
                u == null ? sealedReason : null, s == null ? 1 : s.threshold(), s == null ? 1 : s.shares(),
                s == null ? 0 : s.progress(), u == null ? 0 : u.keyring().activeTerm(), storage.type(),
                Keyward.VERSION, weak);
    }

    @Override
    public synchronized InitResult init(InitRequest request) {
        if (sealStore.exists()) {
            throw new VaultAlreadyInitializedException();
        }
        Instant now = clock.instant();
        SealInit created = config.seals().provider(request.seal().type()).create(request.seal());
        Keyring keyring = Keyring.create(now);
        Unsealed u = Unsealed.of(created.rootKey(), keyring, Optional.empty());
        try {
            // Records first, seal.json last: a vault is initialised once seal.json exists.
            storage.write(tx -> {
                tx.deletePrefix("");
                tx.put(KEYRING_KEY, sealKeyring(u.root(), keyring));
                OperatorRecord admin = u.identities().createOperator(tx, request.adminName(),
                        request.adminPassphrase(), List.of(BuiltInPolicies.ADMIN), request.operatorKdf(), now);
                Principal p = new Principal(admin.id(), admin.name(), Principal.Kind.OPERATOR, admin.roles(),
                        AuthMethod.NONE);
                door.appendDirect(u, Caller.anonymous(Caller.LOCAL), p, null, Operation.VAULT_INIT, null,
                        AuditEvent.Outcome.SUCCESS, null, now, tx);
                return null;
            });
            sealStore.save(created.config());
        } finally {
            u.close();
        }
        Seal loaded = config.seals().provider(created.config().type()).load(created.config());
        Seal previous = this.seal;
        this.seal = loaded;
        if (previous != null) {
            previous.close();
        }
        LOG.info("vault initialised with a {} seal", created.config().type());
        return new InitResult(created.config().type(), created.shares(), created.threshold());
    }

    @Override
    public VaultStatus unseal(UnsealCredential credential, String sourceAddress) {
        try {
            return engine.withStateLock(() -> unsealLocked(credential, sourceAddress));
        } finally {
            credential.close();
        }
    }

    private VaultStatus unsealLocked(UnsealCredential credential, String sourceAddress) {
        if (unsealed != null) {
            return status();
        }
        SealConfig cfg = sealStore.load().orElseThrow(VaultNotInitializedException::new);
        Instant now = clock.instant();
        synchronized (this) {
            if (unsealBlockedUntil != null && now.isBefore(unsealBlockedUntil)) {
                Duration wait = Duration.between(now, unsealBlockedUntil);
                throw new AuthenticationFailedException("Too many failed unseal attempts: try again in "
                        + Math.max(1, wait.toSeconds()) + " s.", wait);
            }
        }
        if (seal == null || !seal.type().equals(cfg.type())) {
            seal = config.seals().provider(cfg.type()).load(cfg);
        }
        Optional<RootKey> root;
        Unsealed u;
        try {
            root = seal.unseal(credential);
            if (root.isEmpty()) {
                return status();
            }
            u = loadKeyring(root.get());
        } catch (AuthenticationFailedException e) {
            throw unsealFailed(now, e);
        }
        unsealed = u;
        sealedReason = null;
        engine.touch(now);
        synchronized (this) {
            unsealFailures = 0;
            unsealBlockedUntil = null;
        }
        storage.write(tx -> {
            door.appendDirect(u, Caller.anonymous(sourceAddress), null, null, Operation.VAULT_UNSEAL, null,
                    AuditEvent.Outcome.SUCCESS, null, now, tx);
            return null;
        });
        LOG.info("vault unsealed");
        rewrapper.resumeIfPending();
        for (Runnable r : onUnseal) {
            r.run();
        }
        return status();
    }

    private synchronized AuthenticationFailedException unsealFailed(Instant now, AuthenticationFailedException e) {
        unsealFailures++;
        LOG.warn("failed unseal attempt ({} in a row)", unsealFailures);
        if (unsealFailures >= FREE_UNSEAL_FAILURES) {
            Duration d = Duration.ofSeconds(1L << Math.min(20, unsealFailures - FREE_UNSEAL_FAILURES));
            if (d.compareTo(MAX_UNSEAL_BACKOFF) > 0) {
                d = MAX_UNSEAL_BACKOFF;
            }
            unsealBlockedUntil = now.plus(d);
            return new AuthenticationFailedException(e.getMessage() + " Too many failed attempts: wait "
                    + d.toSeconds() + " s before the next one.", d);
        }
        return e;
    }

    private Unsealed loadKeyring(RootKey root) {
        byte[][] stored = storage.read(tx -> new byte[][] {tx.get(KEYRING_KEY), tx.get(KEYRING_NEXT)});
        byte[] sealedKeyring = stored[0];
        byte[] staged = stored[1];
        if (sealedKeyring == null) {
            root.close();
            throw new IntegrityException("The vault's keyring is missing from storage.");
        }
        byte[] plain;
        boolean promote = false;
        try {
            try {
                plain = root.decrypt(sealedKeyring, KEYRING_AAD);
            } catch (IntegrityException e) {
                if (staged == null) {
                    throw e;
                }
                // A seal change stopped after seal.json was replaced: the staged keyring is current.
                plain = root.decrypt(staged, KEYRING_AAD);
                promote = true;
            }
        } catch (IntegrityException e) {
            root.close();
            throw new AuthenticationFailedException("The unseal credentials do not open this vault's keyring.");
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
        if (staged != null) {
            boolean finish = promote;
            storage.write(tx -> {
                if (finish) {
                    tx.put(KEYRING_KEY, staged);
                }
                tx.delete(KEYRING_NEXT);
                return null;
            });
            LOG.info(promote ? "finished an interrupted seal change" : "discarded an interrupted seal change");
        }
        try {
            return Unsealed.of(root, Keyring.deserialize(plain), seal.signer());
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    static byte[] sealKeyring(RootKey root, Keyring keyring) {
        byte[] plain = keyring.serialize();
        try {
            return root.encrypt(plain, KEYRING_AAD);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    @Override
    public VaultStatus resetUnseal(String sourceAddress) {
        Seal s = seal;
        if (s != null) {
            s.reset();
        }
        return status();
    }

    @Override
    public void seal(Caller caller) {
        engine.guarded(() -> door.write(caller, Operation.VAULT_SEAL, null, (k, p, tx, now) -> null));
        sealInternal(null);
    }

    private final java.util.List<Runnable> onSeal = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.List<Runnable> onUnseal = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Runs {@code r} each time the vault is unsealed (background jobs start). */
    void onUnseal(Runnable r) {
        onUnseal.add(r);
    }

    /** Runs {@code r} each time the vault seals, before the keys are zeroed (features drop what they hold). */
    void onSeal(Runnable r) {
        onSeal.add(r);
    }

    /** Drops and zeroes the keys, with no call in flight; {@code reason} is told to callers until unsealed. */
    void sealInternal(String reason) {
        engine.withStateLock(() -> {
            Unsealed u = unsealed;
            unsealed = null;
            sealedReason = reason;
            if (u != null) {
                for (Runnable r : onSeal) {
                    try {
                        r.run();
                    } catch (RuntimeException e) {
                        LOG.warn("a feature failed to stop on seal: {}", e.getClass().getSimpleName());
                    }
                }
                u.close();
                LOG.info("vault sealed{}", reason == null ? "" : ": " + reason);
            }
            Seal s = seal;
            if (s != null) {
                s.reset();
            }
            return null;
        });
    }

    @Override
    public int rotateDataKey(Caller caller) {
        return engine.guarded(() -> door.write(caller, Operation.KEY_ROTATE, "keyring", (k, p, tx, now) -> {
            int term = k.keyring().rotate(now);
            tx.put(KEYRING_KEY, sealKeyring(k.root(), k.keyring()));
            return term;
        }));
    }

    /** Seals (reason "closed") and closes the seal. */
    void close() {
        sealInternal("closed");
        Seal s = seal;
        if (s != null) {
            s.close();
        }
    }
}
