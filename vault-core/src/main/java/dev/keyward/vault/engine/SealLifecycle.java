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
import dev.keyward.vault.api.PublishedHead;
import dev.keyward.vault.api.RollbackDetectedException;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.VaultAlreadyInitializedException;
import dev.keyward.vault.api.VaultNotInitializedException;
import dev.keyward.vault.api.VaultSealedException;
import dev.keyward.vault.api.VaultStatus;
import dev.keyward.vault.api.AuthMethod;
import dev.keyward.vault.audit.AuditEvent;
import dev.keyward.vault.audit.MerkleAuditLog;
import dev.keyward.vault.crypto.Keyring;
import dev.keyward.vault.identity.OperatorRecord;
import dev.keyward.vault.policy.BuiltInPolicies;
import dev.keyward.vault.seal.PassphraseSealProvider;
import dev.keyward.vault.seal.HeadStore;
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
    private final RollbackGuard rollback;

    private volatile Unsealed unsealed;
    private volatile Seal seal;
    private volatile String sealedReason;
    private final UnsealAttempts attempts;

    SealLifecycle(Engine engine, EngineConfig config, Storage storage, Door door, Rewrapper rewrapper,
                  RollbackGuard rollback) {
        this.engine = engine;
        this.rollback = rollback;
        this.config = config;
        this.clock = config.options().clock();
        this.storage = storage;
        this.sealStore = new SealConfigStore(config.options().home());
        this.attempts = new UnsealAttempts(config.options().home());
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
            throw sealedReason == null ? new VaultSealedException() : VaultSealedException.because(sealedReason);
        }
        return u;
    }

    /** The keys of the unsealed vault, or null when sealed. */
    Unsealed unsealedOrNull() {
        return unsealed;
    }

    /** Where the seal keeps the newest tree head (the HSM, while unsealed), if it can keep one. */
    Optional<HeadStore> headStore() {
        Seal s = seal;
        return unsealed != null && s != null ? s.headStore() : Optional.empty();
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
                Keyward.VERSION, weak, storage.failure().orElse(null));
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
            synchronized (this) {
                attempts.reset(); // a new vault starts with no failed attempts
            }
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
            if (attempts.blockedUntil != null && now.isBefore(attempts.blockedUntil)) {
                Duration wait = Duration.between(now, attempts.blockedUntil);
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
        synchronized (this) {
            if (attempts.failures > 0 || attempts.blockedUntil != null) {
                attempts.reset(); // the credentials were right, whatever the log says next
            }
        }
        Optional<PublishedHead> beyond = olderThanPublished(u);
        Optional<SealConfig> updated = seal.updatedConfig(cfg);
        if (updated.isPresent()) {
            try {
                sealStore.save(updated.get()); // e.g. an HSM seal stored by slot now names its token by label
                LOG.info("seal.json updated: the seal names its token by label and serial");
            } catch (RuntimeException e) {
                LOG.warn("seal.json could not be updated (the vault unseals with the old one): {}",
                        e.getClass().getSimpleName());
            }
        }
        unsealed = u;
        sealedReason = null;
        engine.touch(now);
        storage.write(tx -> {
            BackupFacade.recordRestore(door, u, sourceAddress, now, tx); // a restored vault's first entry
            door.appendDirect(u, Caller.anonymous(sourceAddress), null, null, Operation.VAULT_UNSEAL, null,
                    AuditEvent.Outcome.SUCCESS, null, now, tx);
            beyond.ifPresent(p -> acceptRollback(u, p, sourceAddress, now, tx));
            return null;
        });
        LOG.info("vault unsealed");
        rewrapper.resumeIfPending();
        for (Runnable r : onUnseal) {
            r.run();
        }
        return status();
    }

    /**
     * Compares the log with the newest heads published outside the vault directory. Older: refused
     * (the keys are dropped again) unless the rollback is accepted on purpose, in which case the
     * head it is older than is returned, to be audited.
     */
    private Optional<PublishedHead> olderThanPublished(Unsealed u) {
        MerkleAuditLog log = config.auditSink().log().orElse(null);
        if (log == null) {
            return Optional.empty();
        }
        Optional<HeadStore> store = seal.headStore();
        rollback.flush();
        String why;
        Optional<PublishedHead> beyond;
        try {
            why = storage.read(tx -> rollback.check(log, u, tx, store));
            beyond = why == null ? Optional.empty() : storage.read(tx -> rollback.newestBeyond(log, u, tx, store));
        } catch (RuntimeException e) {
            u.close();
            throw e;
        }
        if (why == null) {
            return Optional.empty();
        }
        if (!config.options().acceptRollback()) {
            u.close();
            LOG.warn("unseal refused: the audit log is older than a published tree head");
            throw new RollbackDetectedException(why + " The vault stays sealed. If this directory was restored from"
                    + " a backup on purpose, unseal it with --accept-rollback (the acceptance is audited).");
        }
        LOG.warn("unsealing a vault whose audit log is older than a published tree head (accepted)");
        return beyond;
    }

    /** Audits an accepted rollback and signs a head, which is published: the new baseline. */
    private void acceptRollback(Unsealed u, PublishedHead p, String sourceAddress, Instant now,
                                dev.keyward.vault.storage.StorageTx tx) {
        MerkleAuditLog log = config.auditSink().log().orElseThrow();
        java.util.Map<String, String> details = new java.util.TreeMap<>();
        details.put("publishedSize", Long.toString(p.treeSize()));
        details.put("publishedFingerprint", p.fingerprint());
        details.put("publishedTo", p.source());
        details.put("logSize", Long.toString(log.size(u.audit(), tx)));
        door.appendDirect(u, Caller.anonymous(sourceAddress), null, null, Operation.ROLLBACK_ACCEPT, "audit/log",
                AuditEvent.Outcome.SUCCESS, null, now, tx, details);
        log.issueHead(u.audit(), tx, now);
    }

    private synchronized AuthenticationFailedException unsealFailed(Instant now, AuthenticationFailedException e) {
        attempts.failures++;
        LOG.warn("failed unseal attempt ({} in a row)", attempts.failures);
        AuthenticationFailedException out = e;
        if (attempts.failures >= FREE_UNSEAL_FAILURES) {
            Duration d = Duration.ofSeconds(1L << Math.min(20, attempts.failures - FREE_UNSEAL_FAILURES));
            if (d.compareTo(MAX_UNSEAL_BACKOFF) > 0) {
                d = MAX_UNSEAL_BACKOFF;
            }
            attempts.blockedUntil = now.plus(d);
            out = new AuthenticationFailedException(e.getMessage() + " Too many failed attempts: wait "
                    + d.toSeconds() + " s before the next one.", d);
        }
        attempts.save(); // a restart does not reset the count
        return out;
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
            // The seal accepted the credentials and gave a root key (its own check passed: the
            // wrapped root key opened, or the HSM logged in and has the key): the keyring record
            // is what fails. That is damage (or a seal.json or token of another vault), not a wrong
            // credential, so it is said as such and not counted toward the backoff.
            root.close();
            throw new IntegrityException("The unseal credentials are right (the root key opened), but the vault's"
                    + " keyring does not open with it: the keyring record is damaged, or seal.json (or the HSM key)"
                    + " belongs to another vault. Restore the vault directory from a backup.");
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
