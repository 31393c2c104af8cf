package dev.keyward.vault.engine;

import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.AuditFailureException;
import dev.keyward.vault.api.AuditService;
import dev.keyward.vault.api.AuthMethod;
import dev.keyward.vault.api.AuthService;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InitRequest;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.InitResult;
import dev.keyward.vault.api.PolicyService;
import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.api.KeyService;
import dev.keyward.vault.api.LifecycleService;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.OperatorNames;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.api.SealedBlobs;
import dev.keyward.vault.api.SecretsService;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.StorageException;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultAlreadyInitializedException;
import dev.keyward.vault.api.VaultNotInitializedException;
import dev.keyward.vault.api.VaultSealedException;
import dev.keyward.vault.api.VaultStatus;
import dev.keyward.vault.audit.AuditEvent;
import dev.keyward.vault.audit.AuditSink;
import dev.keyward.vault.crypto.Argon2;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.Hmac;
import dev.keyward.vault.crypto.Keyring;
import dev.keyward.vault.crypto.Random;
import dev.keyward.vault.identity.Identities;
import dev.keyward.vault.identity.OperatorRecord;
import dev.keyward.vault.identity.PasswordHash;
import dev.keyward.vault.policy.BuiltInPolicies;
import dev.keyward.vault.policy.PolicyAuthorizer;
import dev.keyward.vault.policy.PolicyStore;
import dev.keyward.vault.seal.PassphraseSealProvider;
import dev.keyward.vault.seal.RootKey;
import dev.keyward.vault.seal.Seal;
import dev.keyward.vault.seal.SealConfig;
import dev.keyward.vault.seal.SealConfigStore;
import dev.keyward.vault.seal.SealInit;
import dev.keyward.vault.seal.SealProvider;
import dev.keyward.vault.storage.H2Storage;
import dev.keyward.vault.storage.Storage;
import dev.keyward.vault.storage.StorageTx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vault engine: lifecycle (init, unseal, seal, key rotation), operator login, and the
 * services behind the guarded door. One instance owns one vault directory.
 */
public final class Engine implements Vault, LifecycleService, AuthService {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    static final String KEYRING_KEY = "sys/keyring";
    /** The keyring under a new root key, while a seal change is in progress (see KeyLifecycle). */
    static final String KEYRING_NEXT = "sys/keyring.next";
    private static final byte[] KEYRING_AAD = "keyward.keyring.v1".getBytes(StandardCharsets.US_ASCII);
    /** Unseal failures allowed before the backoff starts. */
    private static final int FREE_UNSEAL_FAILURES = 3;
    private static final Duration MAX_UNSEAL_BACKOFF = Duration.ofMinutes(5);

    private final EngineConfig config;
    private final Path home;
    private final Clock clock;
    private final Storage storage;
    private final SealConfigStore sealStore;
    private final AuditSink audit;
    private final Door door;
    private final SecretsFacade secrets;
    private final Rewrapper rewrapper;
    private final KeyLifecycle keys;
    private final IdentityFacade identities;
    private final PolicyFacade policies;
    private final AuditFacade auditService;
    private final GovernanceFacade governance;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final ScheduledExecutorService timer;

    private volatile Unsealed unsealed;
    private volatile Seal seal;
    private volatile String sealedReason;
    private volatile Instant lastActivity;
    private int unsealFailures;
    private Instant unsealBlockedUntil;
    private final PasswordHash decoy;

    private Engine(EngineConfig config, Storage storage) {
        this.config = config;
        this.home = config.options().home();
        this.clock = config.options().clock();
        this.storage = storage;
        this.sealStore = new SealConfigStore(home);
        Supplier<Unsealed> keys = this::requireUnsealed;
        this.audit = config.auditSink();
        this.door = new Door(storage, config.authorizer(), audit, clock, keys);
        this.secrets = new SecretsFacade(door, new SecretsFacade.Guard() {
            @Override
            public <T> T run(Supplier<T> call) {
                return guarded(call);
            }
        });
        this.rewrapper = new Rewrapper(this, storage, RecordKinds.defaults());
        this.keys = new KeyLifecycle(this, door, rewrapper);
        PolicySource policySource = new PolicySource();
        if (config.authorizer() instanceof PolicyAuthorizer pa) {
            pa.attach(() -> policySource);
        }
        Privileges privileges = new Privileges(policySource);
        SecretsFacade.Guard guard = new SecretsFacade.Guard() {
            @Override
            public <T> T run(Supplier<T> call) {
                return guarded(call);
            }
        };
        this.identities = new IdentityFacade(door, guard, privileges);
        this.policies = new PolicyFacade(door, guard, privileges, policySource);
        this.auditService = new AuditFacade(door, guard, storage, clock, audit.log().orElse(null),
                this::recordRefused);
        this.governance = new GovernanceFacade(door, guard);
        this.lastActivity = clock.instant();
        // Checked against when a login names no operator, so that such a login costs what a real
        // check costs (Argon2id at the default parameters) and does not reveal which names exist.
        // It matches nothing: its hash is 32 zero bytes under a random salt.
        this.decoy = new PasswordHash(Argon2Parameters.DEFAULT.memoryKiB(), Argon2Parameters.DEFAULT.iterations(),
                Argon2Parameters.DEFAULT.parallelism(), Base64.getEncoder().encodeToString(Random.bytes(Argon2.SALT_BYTES)),
                Base64.getEncoder().encodeToString(new byte[32]));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keyward-autoseal");
            t.setDaemon(true);
            return t;
        });
        this.timer.scheduleWithFixedDelay(this::checkIdle, 1, 1, TimeUnit.SECONDS);
        audit.log().ifPresent(log -> {
            long every = Math.max(1, log.settings().every().toMillis());
            this.timer.scheduleWithFixedDelay(() -> signHeadIfDue(log), every, every, TimeUnit.MILLISECONDS);
        });
    }

    /** Signs a tree head when entries have waited {@code every} without one (the timer half of "every N or T"). */
    private void signHeadIfDue(dev.keyward.vault.audit.MerkleAuditLog log) {
        // Under the state lock (sealing waits) but not guarded(): a timer must not count as activity.
        lock.readLock().lock();
        try {
            Unsealed u = unsealed;
            Instant now = clock.instant();
            if (u != null && storage.read(tx -> log.headDue(u.audit(), tx, now))) {
                storage.write(tx -> log.issueHead(u.audit(), tx, now));
            }
        } catch (RuntimeException e) {
            LOG.warn("signing an audit tree head failed: {}", e.getClass().getSimpleName());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Opens the vault directory (creating it, 0700, if needed); the vault comes up sealed. */
    public static Engine open(EngineConfig config) {
        Path home = config.options().home();
        try {
            Files.createDirectories(home);
            try {
                Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
        } catch (IOException e) {
            throw new StorageException("The vault directory " + home + " could not be created: " + e.getMessage(), e);
        }
        Storage storage = H2Storage.open(home);
        return new Engine(config, storage);
    }

    @Override
    public LifecycleService lifecycle() {
        return this;
    }

    @Override
    public AuthService auth() {
        return this;
    }

    @Override
    public SecretsService secrets() {
        return secrets;
    }

    @Override
    public SealedBlobs sealedBlobs() {
        return new SealedBlobs() {
            @Override
            public Optional<byte[]> get(String name) {
                return guarded(() -> {
                    Unsealed u = requireUnsealed();
                    String key = blobKey(u, name);
                    return Optional.ofNullable(storage.read(tx -> tx.get(key)))
                            .map(v -> u.barrier().open(Barrier.Binding.of(BLOB_KIND, key), v));
                });
            }

            @Override
            public void put(String name, byte[] value) {
                guarded(() -> {
                    Unsealed u = requireUnsealed();
                    String key = blobKey(u, name);
                    byte[] sealedValue = u.barrier().seal(Barrier.Binding.of(BLOB_KIND, key), value);
                    return storage.write(tx -> {
                        tx.put(key, sealedValue);
                        return null;
                    });
                });
            }
        };
    }

    private static final String BLOB_KIND = "sys.blob";

    private static String blobKey(Unsealed u, String name) {
        return "sys/blob/" + Hmac.id(u.keyring().named(Keyring.INDEX_KEY), "blob", name);
    }

    @Override
    public AuditService audit() {
        return auditService;
    }

    @Override
    public KeyService keys() {
        return keys;
    }

    @Override
    public IdentityService identities() {
        return identities;
    }

    @Override
    public PolicyService policies() {
        return policies;
    }

    @Override
    public dev.keyward.vault.api.GovernanceService governance() {
        return governance;
    }

    @Override
    public Session loginAppRole(String roleId, String secretId, String sourceAddress) {
        Caller c = new Caller(null, AuthMethod.APPROLE, sourceAddress, null, null);
        return guarded(() -> door.unauthenticated(c, Operation.APPROLE_LOGIN, "auth/approle/login",
                (k, p, tx, now) -> k.machines().loginAppRole(tx, roleId, secretId, c.sourceAddress(), now),
                Session::principal));
    }

    @Override
    public Session loginCert(List<X509Certificate> chain, String name, String sourceAddress) {
        Caller c = new Caller(null, AuthMethod.TLS_CERT, sourceAddress, null, null);
        return guarded(() -> door.unauthenticated(c, Operation.CERT_LOGIN, "auth/cert/login",
                (k, p, tx, now) -> k.machines().loginCert(tx, chain, name, c.sourceAddress(), now),
                Session::principal));
    }

    /** What the policy authorizer, explain and the privilege check read from the unsealed vault. */
    private final class PolicySource implements PolicyAuthorizer.Source {
        @Override
        public PolicyStore store() {
            return requireUnsealed().policies();
        }

        @Override
        public Duration tokenMaxTtl(StorageTx tx, String token) {
            return requireUnsealed().identities().maxTtl(tx, token);
        }

        @Override
        public String grantRefusal(StorageTx tx, dev.keyward.vault.policy.Evaluator.Outcome allowed, Instant now,
                                   int approvals) {
            Unsealed u = requireUnsealed();
            return u.exceptions().refusal(tx, u.policies(), allowed, now, approvals);
        }

        @Override
        public void grantsUsed(List<dev.keyward.vault.policy.Authorizer.Use> uses, StorageTx tx) {
            requireUnsealed().exceptions().recordUses(tx, uses);
        }
    }

    // ---------------------------------------------------------------- state

    private Unsealed requireUnsealed() {
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

    /** Runs a call under the state lock so that sealing waits for calls in flight. */
    <T> T guarded(Supplier<T> call) {
        lock.readLock().lock();
        try {
            lastActivity = clock.instant();
            return call.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Runs background work with the keys, like {@link #guarded} but without counting as activity. */
    <T> T underKeys(java.util.function.Function<Unsealed, T> work) {
        lock.readLock().lock();
        try {
            return work.apply(requireUnsealed());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Runs a seal change with no other call in flight. */
    <T> T exclusive(Supplier<T> call) {
        lock.writeLock().lock();
        try {
            lastActivity = clock.instant();
            return call.get();
        } finally {
            lock.writeLock().unlock();
        }
    }

    SealProvider sealProvider(String type) {
        return config.seals().provider(type);
    }

    String sealType() {
        return sealStore.load().map(SealConfig::type).orElseThrow(VaultNotInitializedException::new);
    }

    /**
     * Steps 2 and 3 of a seal change (the staged keyring is durable): seal.json, then the keyring;
     * then the new root key replaces the old one in memory. Called under {@link #exclusive}.
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

    private void checkIdle() {
        try {
            Duration idle = config.options().autoSealAfter();
            if (unsealed != null && !idle.isZero() && Duration.between(lastActivity, clock.instant()).compareTo(idle) >= 0) {
                sealInternal("sealed after " + (idle.toMinutes() >= 1 ? idle.toMinutes() + " min" : idle.toSeconds() + " s")
                        + " without activity");
            }
            Seal s = seal;
            if (unsealed != null && s != null && !s.healthy()) {
                // Check again with no call in flight: a seal change may have swapped the seal meanwhile.
                lock.writeLock().lock();
                try {
                    Seal now = seal;
                    if (unsealed != null && now != null && !now.healthy()) {
                        LOG.warn("the HSM stopped answering: sealing the vault");
                        sealInternal("HSM unavailable");
                    }
                } finally {
                    lock.writeLock().unlock();
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("auto-seal check failed: {}", e.getClass().getSimpleName());
        }
    }

    // ---------------------------------------------------------------- lifecycle

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
                appendDirect(u, Caller.anonymous(Caller.LOCAL), p, null, Operation.VAULT_INIT, null,
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
        lock.writeLock().lock();
        try {
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
            lastActivity = now;
            synchronized (this) {
                unsealFailures = 0;
                unsealBlockedUntil = null;
            }
            storage.write(tx -> {
                appendDirect(u, Caller.anonymous(sourceAddress), null, null, Operation.VAULT_UNSEAL, null,
                        AuditEvent.Outcome.SUCCESS, null, now, tx);
                return null;
            });
            LOG.info("vault unsealed");
            rewrapper.resumeIfPending();
            return status();
        } finally {
            credential.close();
            lock.writeLock().unlock();
        }
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
        guarded(() -> door.write(caller, Operation.VAULT_SEAL, null, (k, p, tx, now) -> null));
        sealInternal(null);
    }

    private void sealInternal(String reason) {
        lock.writeLock().lock();
        try {
            Unsealed u = unsealed;
            unsealed = null;
            sealedReason = reason;
            if (u != null) {
                governance.sealed();
                u.close();
                LOG.info("vault sealed{}", reason == null ? "" : ": " + reason);
            }
            Seal s = seal;
            if (s != null) {
                s.reset();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public int rotateDataKey(Caller caller) {
        return guarded(() -> door.write(caller, Operation.KEY_ROTATE, "keyring", (k, p, tx, now) -> {
            int term = k.keyring().rotate(now);
            tx.put(KEYRING_KEY, sealKeyring(k.root(), k.keyring()));
            return term;
        }));
    }

    // ---------------------------------------------------------------- operators

    @Override
    public Session login(String operatorName, char[] passphrase, String sourceAddress) {
        return guarded(() -> {
            Unsealed u = requireUnsealed();
            Instant now = clock.instant();
            Caller caller = new Caller(null, AuthMethod.OPERATOR_PASSPHRASE, sourceAddress, null, null);
            String name;
            try {
                name = OperatorNames.validate(operatorName);
            } catch (RuntimeException e) {
                name = null;
            }
            final String validName = name;
            OperatorRecord op = validName == null ? null : storage.read(tx -> u.identities().operator(tx, validName));
            if (op == null) {
                decoy.matches(passphrase); // same work whether or not the name exists
                storage.write(tx -> {
                    appendDirect(u, caller, null, null, Operation.OPERATOR_LOGIN, null, AuditEvent.Outcome.FAILURE,
                            "AuthenticationFailedException", now, tx);
                    return null;
                });
                throw Identities.loginFailed(null);
            }
            Identities.LoginCheck check = u.identities().check(op, passphrase, now);
            Principal principal = new Principal(op.id(), op.name(), Principal.Kind.OPERATOR, op.roles(),
                    AuthMethod.OPERATOR_PASSPHRASE);
            Session session = storage.write(tx -> {
                // Re-read: a concurrent failure may have counted already; keep the higher count.
                OperatorRecord latest = u.identities().operator(tx, op.name());
                OperatorRecord updated = check.updated();
                if (!check.ok() && latest != null && latest.failedLogins() >= updated.failedLogins()) {
                    updated = latest.withFailure(latest.failedLogins() + 1, updated.lockedUntil());
                }
                u.identities().saveOperator(tx, updated);
                if (!check.ok()) {
                    appendDirect(u, caller, principal, null, Operation.OPERATOR_LOGIN, null,
                            AuditEvent.Outcome.FAILURE, "AuthenticationFailedException", now, tx);
                    return null;
                }
                Session s = u.identities().issueToken(tx, principal, now, Identities.SESSION_TTL);
                appendDirect(u, caller, principal, null, Operation.OPERATOR_LOGIN, null, AuditEvent.Outcome.SUCCESS,
                        null, now, tx);
                return s;
            });
            if (session == null) {
                throw Identities.loginFailed(check.retryAfter());
            }
            return session;
        });
    }

    @Override
    public Principal whoami(Caller caller) {
        return guarded(() -> door.read(caller, Operation.TOKEN_LOOKUP, null, (k, p, tx, now) -> p));
    }

    @Override
    public void logout(Caller caller) {
        guarded(() -> door.write(caller, Operation.OPERATOR_LOGOUT, null, (k, p, tx, now) -> {
            k.identities().revokeToken(tx, caller.token());
            return null;
        }));
    }

    private void appendDirect(Unsealed u, Caller caller, Principal principal, String claimedName, Operation op,
                              String resource, AuditEvent.Outcome outcome, String errorClass, Instant now,
                              StorageTx tx) {
        try {
            audit.append(Door.event(u, caller, principal, claimedName, op, resource, AuditEvent.Decision.NONE, null,
                    outcome, errorClass, now), u.audit(), tx);
        } catch (AuditFailureException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new AuditFailureException("The audit entry could not be written, so the operation was refused.", e);
        }
    }

    /**
     * Writes a transport's refusal to the audit log (AuditService#recordRefused). It holds the state
     * lock like any call but does not count as activity, so a stream of refused requests does not
     * keep an idle vault from sealing itself.
     */
    private boolean recordRefused(dev.keyward.vault.api.RefusedRequest r) {
        try {
            return underKeys(u -> storage.write(tx -> {
                Instant now = clock.instant();
                Principal principal = null;
                if (r.token() != null) {
                    try {
                        principal = u.identities().authenticate(tx, r.token(), r.sourceAddress(), now).principal();
                    } catch (AccessDeniedException notALiveToken) {
                        principal = null;
                    }
                }
                Caller caller = new Caller(r.token(), r.token() == null ? AuthMethod.NONE : AuthMethod.TOKEN,
                        r.sourceAddress(), null, null);
                String rule = r.count() > 1 ? r.reason() + " (" + r.count() + " requests)" : r.reason();
                audit.append(Door.event(u, caller, principal, null, Operation.REQUEST_REFUSED,
                        r.method() + " " + r.path(), AuditEvent.Decision.DENY, rule, AuditEvent.Outcome.FAILURE,
                        "HTTP " + r.status(), now), u.audit(), tx);
                return true;
            }));
        } catch (VaultSealedException | VaultNotInitializedException sealed) {
            return false;
        } catch (RuntimeException e) {
            LOG.warn("the audit entry for a refused request could not be written: {}", e.getClass().getSimpleName());
            return false;
        }
    }

    /**
     * The caller a background job of the vault presents (see {@link SystemCallers}); valid until
     * the vault seals, so a job asks for it at each run. Throws when the vault is sealed.
     */
    Caller systemCaller(String job) {
        return requireUnsealed().system().caller(job);
    }

    /** For tests and tools in this module: the keys of the unsealed vault. */
    Unsealed unsealedKeys() {
        return requireUnsealed();
    }

    /** For tests and tools in this module: the engine's storage. */
    Storage storage() {
        return storage;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        rewrapper.stop();
        sealInternal("closed");
        Seal s = seal;
        if (s != null) {
            s.close();
        }
        storage.close();
    }
}
