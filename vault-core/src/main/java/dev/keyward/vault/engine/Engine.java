package dev.keyward.vault.engine;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.AuditService;
import dev.keyward.vault.api.AuthMethod;
import dev.keyward.vault.api.AuthService;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.InitRequest;
import dev.keyward.vault.api.InitResult;
import dev.keyward.vault.api.IntegrityService;
import dev.keyward.vault.api.KeyService;
import dev.keyward.vault.api.LifecycleService;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.PolicyService;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.api.RefusedRequest;
import dev.keyward.vault.api.SealedBlobs;
import dev.keyward.vault.api.SecretsService;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.StorageException;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultNotInitializedException;
import dev.keyward.vault.api.VaultSealedException;
import dev.keyward.vault.api.VaultStatus;
import dev.keyward.vault.audit.AuditEvent;
import dev.keyward.vault.audit.AuditSink;
import dev.keyward.vault.audit.JsonLinesFileSink;
import dev.keyward.vault.audit.WitnessFile;
import dev.keyward.vault.audit.MerkleAuditLog;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.Hmac;
import dev.keyward.vault.crypto.Keyring;
import dev.keyward.vault.policy.PolicyAuthorizer;
import dev.keyward.vault.policy.PolicyStore;
import dev.keyward.vault.storage.H2Storage;
import dev.keyward.vault.storage.Storage;
import dev.keyward.vault.storage.StorageTx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vault engine: wires the services behind the guarded door and holds the state lock every
 * call runs under. The seal lifecycle is {@link SealLifecycle}, logins are {@link OperatorLogin}.
 * One instance owns one vault directory.
 */
public final class Engine implements Vault, LifecycleService, AuthService {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    private static final String BLOB_KIND = "sys.blob";

    private final Path home;
    private final Clock clock;
    private final Storage storage;
    private final AuditSink audit;
    private final RollbackGuard rollback;
    private final Door door;
    private final SealLifecycle lifecycle;
    private final OperatorLogin login;
    private final SecretsFacade secrets;
    private final Rewrapper rewrapper;
    private final KeyLifecycle keys;
    private final IdentityFacade identities;
    private final PolicyFacade policies;
    private final AuditFacade auditService;
    private final GovernanceFacade governance;
    private final NotificationFacade notifications;
    private final AlertFacade alerts;
    private final ApprovalFacade approvals;
    private final StorageChecker storageChecker;
    private final BackupFacade backups;
    private final RotationFacade rotation;
    private final CredentialCheckFacade credentialChecks;
    private volatile dev.keyward.vault.api.ApprovalGate approvalGate = dev.keyward.vault.api.ApprovalGate.NONE;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final ScheduledExecutorService timer;

    private volatile Instant lastActivity;
    /** Asked before gated operations (root-key rotation, seal migration...); the approvals service sets it. */

    private Engine(EngineConfig config, Storage storage) {
        this.home = config.options().home();
        this.clock = config.options().clock();
        this.storage = storage;
        this.audit = config.auditSink();
        this.door = new Door(storage, config.authorizer(), audit, clock, this::requireUnsealed);
        SecretsFacade.Guard guard = new SecretsFacade.Guard() {
            @Override
            public <T> T run(Supplier<T> call) {
                return guarded(call);
            }
        };
        this.secrets = new SecretsFacade(door, guard);
        this.rewrapper = new Rewrapper(this, storage, RecordKinds.defaults());
        this.rollback = new RollbackGuard(config.options().witnessFile() == null ? null
                : new WitnessFile(config.options().witnessFile()),
                audit instanceof JsonLinesFileSink siem ? siem : null, this::headStore);
        audit.log().ifPresent(l -> l.publishTo(rollback));
        this.lifecycle = new SealLifecycle(this, config, storage, door, rewrapper, rollback);
        this.login = new OperatorLogin(this, door, storage, clock);
        this.keys = new KeyLifecycle(this, door, rewrapper, () -> approvalGate);
        PolicySource policySource = new PolicySource();
        if (config.authorizer() instanceof PolicyAuthorizer pa) {
            pa.attach(() -> policySource);
        }
        Privileges privileges = new Privileges(policySource);
        this.identities = new IdentityFacade(door, guard, privileges);
        this.policies = new PolicyFacade(door, guard, privileges, policySource);
        this.auditService = new AuditFacade(door, guard, storage, clock, audit.log().orElse(null),
                this::recordRefused, (u, tx) -> audit.log().map(l -> rollback.check(l, u, tx, lifecycle.headStore()))
                .orElse(null));
        this.storageChecker = new StorageChecker(door, guard, RecordKinds.defaults());
        this.governance = new GovernanceFacade(this, door, guard, () -> null);
        this.backups = new BackupFacade(this, door, guard, storage, clock, audit.log().orElse(null), home);
        lifecycle.onSeal(governance::sealed);
        lifecycle.onUnseal(governance::unsealed);
        this.notifications = new NotificationFacade(this, door, guard, audit.log().orElse(null));
        audit.log().ifPresent(l -> l.tapTo(notifications::committed));
        lifecycle.onUnseal(notifications::unsealed);
        this.rotation = new RotationFacade(this, door, guard, () -> approvalGate, this::alerts,
                dev.keyward.vault.rotation.RotatorRegistry.defaults());
        lifecycle.onSeal(rotation::sealed);
        lifecycle.onUnseal(rotation::unsealed);
        this.credentialChecks = new CredentialCheckFacade(this, door, guard, rotation.rotations().registry());
        this.alerts = new AlertFacade(this, door, guard, storage, clock);
        governance.useAlerts(() -> alerts);
        lifecycle.onSeal(alerts::sealed);
        lifecycle.onUnseal(alerts::unsealed);
        audit.log().ifPresent(l -> l.tapTo(alerts.job()));
        this.approvals = new ApprovalFacade(this, door, guard, (tx, p, c, op, res, now) ->
                policyApprovals(policySource, tx, p, c, op, res, now), this::alerts);
        setApprovalGate(approvals);
        policySource.approvals = approvals;
        door.useGrants(approvals::consumeForCall);
        secrets.useGate(approvals);
        identities.useApprovals(approvals);
        policies.useGate(approvals);
        lifecycle.onSeal(approvals::sealed);
        lifecycle.onUnseal(approvals::unsealed);
        this.lastActivity = clock.instant();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keyward-autoseal");
            t.setDaemon(true);
            return t;
        });
        this.timer.scheduleWithFixedDelay(lifecycle::checkIdle, 1, 1, TimeUnit.SECONDS);
        audit.log().ifPresent(log -> {
            long every = Math.max(1, log.settings().every().toMillis());
            this.timer.scheduleWithFixedDelay(() -> signHeadIfDue(log), every, every, TimeUnit.MILLISECONDS);
        });
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

    /**
     * Adds a reader of every durable audit entry (anomaly detection, change notifications); see
     * {@link dev.keyward.vault.audit.AuditTap}. Refused when the vault writes no verifiable log.
     */
    public void tapAudit(dev.keyward.vault.audit.AuditTap tap) {
        audit.log().orElseThrow(() -> new IllegalStateException("this vault writes no audit log to read"))
                .tapTo(tap);
    }

    /**
     * Makes this engine a scratch copy (call before unsealing it): nothing leaves it and nothing runs
     * by itself. Webhook notifications are held, alerts are delivered nowhere, and rotations run only
     * when the copy's owner asks ({@link RotationFacade#runOne}), never by schedule, so no rotator
     * reaches a target the real vault still uses.
     */
    void scratch() {
        notifications.hold(true);
        alerts.quiet();
        rotation.byHand();
    }

    /** The rotation facade (drills drive the scratch copy's rotations through it). */
    RotationFacade rotationFacade() {
        return rotation;
    }

    /** The approval gate that gated operations ask (ApprovalGate.NONE until the approvals service sets one). */
    public void setApprovalGate(dev.keyward.vault.api.ApprovalGate gate) {
        this.approvalGate = java.util.Objects.requireNonNull(gate, "gate");
    }

    // ---------------------------------------------------------------- services

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
    public AuditService audit() {
        return auditService;
    }

    @Override
    public IntegrityService integrity() {
        return storageChecker;
    }

    @Override
    public dev.keyward.vault.api.BackupService backups() {
        return backups;
    }

    /**
     * Starts scheduled backups with retention in this process (keyward serve, from keyward.properties);
     * they run while the vault is unsealed, as the built-in backup job.
     */
    public void scheduleBackups(dev.keyward.vault.backup.BackupSchedule schedule) {
        backups.schedule(schedule);
    }

    /** One scheduled run now (for tests and tools): a backup, then retention; null while sealed. */
    public dev.keyward.vault.api.BackupInfo runScheduledBackup(dev.keyward.vault.backup.BackupSchedule schedule) {
        return backups.runScheduled(schedule);
    }

    /**
     * A backup taken by the process that owns and unsealed this vault directory, as the built-in
     * backup job (keyward backup when no service runs). Audited like any backup.
     */
    public dev.keyward.vault.api.BackupInfo backupAsOwner(Path file, char[] passphrase) {
        return backups.backupAsOwner(file, passphrase);
    }

    @Override
    public dev.keyward.vault.api.AlertService alerts() {
        return alerts;
    }

    /** The alert desk itself (for tests and tools in this module: settle, the job). */
    AlertFacade alertDesk() {
        return alerts;
    }

    /** The verifiable audit log, or null when the vault writes none. */
    MerkleAuditLog auditLog() {
        return audit.log().orElse(null);
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
    public dev.keyward.vault.api.ApprovalService approvals() {
        return approvals;
    }

    /** The approval facade (the sweep, for tests in this module). */
    ApprovalFacade approvalFacade() {
        return approvals;
    }

    /**
     * How many approvals the principal's policies ask for {@code op} on {@code resource}: the
     * smallest count with which the evaluation allows it (0 when it allows without, or never).
     */
    private static int policyApprovals(PolicyAuthorizer.Source src, StorageTx tx, Principal p, Caller c, Operation op,
                                       String resource, Instant now) {
        if (p.kind() == Principal.Kind.SYSTEM) {
            return 0;
        }
        List<String> pols = PolicyAuthorizer.policiesOf(src, p, tx);
        for (int n = 0; n <= 16; n++) {
            if (PolicyAuthorizer.evaluate(src, tx, pols, op, resource, c.sourceAddress(), now, c.justification(), n,
                    () -> src.tokenMaxTtl(tx, c.token())).allowed()) {
                return n;
            }
        }
        return 0;
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

    private static String blobKey(Unsealed u, String name) {
        return "sys/blob/" + Hmac.id(u.keyring().named(Keyring.INDEX_KEY), "blob", name);
    }

    // ---------------------------------------------------------------- LifecycleService (SealLifecycle)

    @Override
    public VaultStatus status() {
        return lifecycle.status();
    }

    @Override
    public InitResult init(InitRequest request) {
        return lifecycle.init(request);
    }

    @Override
    public VaultStatus unseal(UnsealCredential credential, String sourceAddress) {
        return lifecycle.unseal(credential, sourceAddress);
    }

    @Override
    public VaultStatus resetUnseal(String sourceAddress) {
        return lifecycle.resetUnseal(sourceAddress);
    }

    @Override
    public void seal(Caller caller) {
        lifecycle.seal(caller);
    }

    @Override
    public int rotateDataKey(Caller caller) {
        return lifecycle.rotateDataKey(caller);
    }

    // ---------------------------------------------------------------- AuthService (OperatorLogin)

    @Override
    public Session login(String operatorName, char[] passphrase, String sourceAddress) {
        return login.login(operatorName, passphrase, sourceAddress);
    }

    @Override
    public Principal whoami(Caller caller) {
        return login.whoami(caller);
    }

    @Override
    public void logout(Caller caller) {
        login.logout(caller);
    }

    @Override
    public dev.keyward.vault.api.GovernanceService governance() {
        return governance;
    }

    @Override
    public dev.keyward.vault.api.NotificationService notifications() {
        return notifications;
    }

    /** For tests in this module: the webhook outbox and change feed. */
    NotificationFacade notificationFacade() {
        return notifications;
    }

    @Override
    public dev.keyward.vault.api.RotationService rotation() {
        return rotation;
    }

    @Override
    public dev.keyward.vault.api.CredentialCheckService credentialChecks() {
        return credentialChecks;
    }

    /** The approval gate other features ask before a gated operation (rotation, keys, policy apply). */
    public dev.keyward.vault.api.ApprovalGate approvalGate() {
        return approvalGate;
    }

    @Override
    public Session loginAppRole(String roleId, String secretId, String sourceAddress) {
        return login.loginAppRole(roleId, secretId, sourceAddress);
    }

    @Override
    public Session loginCert(List<X509Certificate> chain, String name, String sourceAddress) {
        return login.loginCert(chain, name, sourceAddress);
    }

    /** What the policy authorizer, explain and the privilege check read from the unsealed vault. */
    private final class PolicySource implements PolicyAuthorizer.Source {
        volatile ApprovalFacade approvals;

        @Override
        public int approvals(Caller caller, Principal principal, Operation op, String resource, Instant now,
                             StorageTx tx) {
            ApprovalFacade a = approvals;
            return a == null ? 0 : a.approvalsFor(requireUnsealed(), tx, principal, caller, op, resource, now);
        }

        @Override
        public List<String> elevated(StorageTx tx, Principal principal, Instant now) {
            ApprovalFacade a = approvals;
            if (a == null || principal.kind() == Principal.Kind.SYSTEM) {
                return List.of();
            }
            List<String> grants = a.elevated(requireUnsealed(), tx, principal, now);
            if (grants.isEmpty()) {
                return grants;
            }
            List<String> out = new java.util.ArrayList<>();
            for (String g : grants) {
                if (g.startsWith("policy:")) {
                    out.add(g.substring("policy:".length()));
                } else if (g.startsWith("role:")) {
                    out.addAll(store().policiesOfRoles(tx, List.of(g.substring("role:".length()))));
                }
            }
            return out;
        }

        @Override
        public PolicyStore store() {
            return requireUnsealed().policies();
        }

        @Override
        public Duration tokenMaxTtl(StorageTx tx, String token) {
            return requireUnsealed().identities().maxTtl(tx, token);
        }

        @Override
        public dev.keyward.vault.policy.GrantExceptions.Refusal grantRefusal(StorageTx tx,
                dev.keyward.vault.policy.Evaluator.Outcome allowed, Instant now, int approvals) {
            Unsealed u = requireUnsealed();
            return u.exceptions().refusal(tx, u.policies(), allowed, now, approvals);
        }

        @Override
        public void grantsUsed(List<dev.keyward.vault.policy.Authorizer.Use> uses, StorageTx tx) {
            requireUnsealed().exceptions().recordUses(tx, uses);
        }

        @Override
        public int risk(Principal principal) {
            return alerts.risk(principal.id());
        }
    }

    // ---------------------------------------------------------------- the state lock

    private Unsealed requireUnsealed() {
        return lifecycle.requireUnsealed();
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
    <T> T underKeys(Function<Unsealed, T> work) {
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

    /** Runs a change of the seal state (unseal, seal) with no call in flight; not counted as activity. */
    <T> T withStateLock(Supplier<T> call) {
        lock.writeLock().lock();
        try {
            return call.get();
        } finally {
            lock.writeLock().unlock();
        }
    }

    Instant lastActivity() {
        return lastActivity;
    }

    /** Counts as activity at {@code now} (an unseal starts the idle clock). */
    void touch(Instant now) {
        lastActivity = now;
    }

    private Optional<dev.keyward.vault.seal.HeadStore> headStore() {
        return lifecycle.headStore();
    }

    SealLifecycle sealLifecycle() {
        return lifecycle;
    }

    /**
     * The caller a background job of the vault presents (see {@link SystemCallers}); valid until
     * the vault seals, so a job asks for it at each run. Throws when the vault is sealed.
     */
    Caller systemCaller(String job) {
        return requireUnsealed().system().caller(job);
    }

    /** The keys of the unsealed vault (for logins, tests and tools in this module). */
    Unsealed unsealedKeys() {
        return requireUnsealed();
    }

    /** The vault directory. */
    Path home() {
        return home;
    }

    /** The vault's clock (injected). */
    Clock clock() {
        return clock;
    }

    /** For tests and tools in this module: the engine's storage. */
    Storage storage() {
        return storage;
    }

    // ---------------------------------------------------------------- audit housekeeping

    /** Signs a tree head when entries have waited {@code every} without one (the timer half of "every N or T"). */
    private void signHeadIfDue(MerkleAuditLog log) {
        // Under the state lock (sealing waits) but not guarded(): a timer must not count as activity.
        lock.readLock().lock();
        try {
            Unsealed u = lifecycle.unsealedOrNull();
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

    /**
     * Writes a transport's refusal to the audit log (AuditService#recordRefused). It holds the state
     * lock like any call but does not count as activity, so a stream of refused requests does not
     * keep an idle vault from sealing itself.
     */
    private boolean recordRefused(RefusedRequest r) {
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

    @Override
    public void close() {
        timer.shutdownNow();
        backups.stop();
        notifications.close();
        governance.sealed();
        rotation.close();
        credentialChecks.close();
        alerts.close();
        approvals.close();
        rewrapper.stop();
        rollback.close();
        lifecycle.close();
        storage.close();
        if (audit instanceof AutoCloseable sink) {
            try {
                sink.close();
            } catch (Exception e) {
                LOG.warn("the audit sink did not close: {}", e.getClass().getSimpleName());
            }
        }
    }
}
