package dev.keyward.vault.engine;

import dev.keyward.vault.api.AuditExport;
import dev.keyward.vault.api.AuditPage;
import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.AuditService;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.ConsistencyProof;
import dev.keyward.vault.api.InclusionProof;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.RefusedRequest;
import dev.keyward.vault.api.TreeHead;
import dev.keyward.vault.audit.MerkleAuditLog;
import dev.keyward.vault.crypto.Hmac;
import dev.keyward.vault.crypto.Keyring;
import dev.keyward.vault.storage.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/** {@link AuditService} through the guarded door; every call is audited like any other. */
final class AuditFacade implements AuditService {
    private final Door door;
    private final SecretsFacade.Guard guard;
    private final Storage storage;
    private final Clock clock;
    private final MerkleAuditLog log;
    private final Predicate<RefusedRequest> refusals;
    private final RollbackCheck rollback;

    /** Why the log is older than a head published outside the vault, or null (see {@link RollbackGuard}). */
    @FunctionalInterface
    interface RollbackCheck {
        String check(Unsealed keys, dev.keyward.vault.storage.StorageTx tx);
    }

    AuditFacade(Door door, SecretsFacade.Guard guard, Storage storage, Clock clock, MerkleAuditLog log,
                Predicate<RefusedRequest> refusals, RollbackCheck rollback) {
        this.rollback = rollback;
        this.door = door;
        this.guard = guard;
        this.storage = storage;
        this.clock = clock;
        this.log = log;
        this.refusals = refusals;
    }

    private MerkleAuditLog log() {
        if (log == null) {
            throw new InvalidRequestException("This vault is configured with an audit sink that keeps no verifiable log.");
        }
        return log;
    }

    @Override
    public AuditPage query(Caller caller, AuditQuery query) {
        Objects.requireNonNull(query, "query");
        return guard.run(() -> door.read(caller, Operation.AUDIT_READ, "audit/query",
                (k, p, tx, now) -> log().query(k.audit(), tx, query)));
    }

    @Override
    public TreeHead latestHead(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.AUDIT_READ, "audit/head",
                (k, p, tx, now) -> log().latestHead(k.audit(), tx)));
    }

    @Override
    public List<TreeHead> heads(Caller caller, long afterSize, int limit) {
        return guard.run(() -> door.read(caller, Operation.AUDIT_READ, "audit/heads",
                (k, p, tx, now) -> log().heads(tx, afterSize, limit)));
    }

    @Override
    public TreeHead issueHead(Caller caller) {
        return guard.run(() -> {
            Unsealed k = door.write(caller, Operation.AUDIT_READ, "audit/head/issue", (keys, p, tx, now) -> keys);
            return storage.write(tx -> log().issueHead(k.audit(), tx, clock.instant()));
        });
    }

    @Override
    public dev.keyward.vault.api.AuditCheckpoint checkpoint(Caller caller) {
        return guard.run(() -> {
            Unsealed k = door.write(caller, Operation.AUDIT_READ, "audit/checkpoint", (keys, p, tx, now) -> keys);
            TreeHead head = storage.write(tx -> log().issueHead(k.audit(), tx, clock.instant()));
            return storage.read(tx -> log().checkpoint(k.audit(), tx, head));
        });
    }

    @Override
    public InclusionProof inclusionProof(Caller caller, long sequence, long treeSize) {
        return guard.run(() -> door.read(caller, Operation.AUDIT_READ, "audit/proof/inclusion",
                (k, p, tx, now) -> log().inclusionProof(k.audit(), tx, sequence, treeSize)));
    }

    @Override
    public ConsistencyProof consistencyProof(Caller caller, long fromSize, long toSize) {
        return guard.run(() -> door.read(caller, Operation.AUDIT_READ, "audit/proof/consistency",
                (k, p, tx, now) -> log().consistencyProof(k.audit(), tx, fromSize, toSize)));
    }

    @Override
    public AuditVerification verify(Caller caller, String recordedFingerprint, AuditProgress progress) {
        AuditProgress pr = progress == null ? AuditProgress.NONE : progress;
        return guard.run(() -> door.read(caller, Operation.AUDIT_READ, "audit/verify", (k, p, tx, now) -> {
            AuditVerification v = log().verify(k.audit(), tx, recordedFingerprint, pr);
            String rolledBack = rollback.check(k, tx);
            return rolledBack == null ? v : MerkleAuditLog.merge(List.of(new dev.keyward.vault.api.AuditProblem(
                    dev.keyward.vault.api.AuditProblem.Kind.ROLLED_BACK, -1, rolledBack)), v);
        }));
    }

    @Override
    public String logId(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.AUDIT_READ, "audit/log-id",
                (k, p, tx, now) -> log().logId(tx)));
    }

    @Override
    public AuditExport exportBundle(Caller caller, Path file, AuditProgress progress) {
        Objects.requireNonNull(file, "file");
        AuditProgress pr = progress == null ? AuditProgress.NONE : progress;
        return guard.run(() -> {
            // Audited (durably) before any entry leaves the vault; the head then covers this call too.
            Unsealed k = door.write(caller, Operation.AUDIT_EXPORT, "audit/export", (keys, p, tx, now) -> keys);
            TreeHead head = storage.write(tx -> log().issueHead(k.audit(), tx, clock.instant()));
            return storage.read(tx -> log().export(k.audit(), tx, head, file, pr));
        });
    }

    @Override
    public String hmac(Caller caller, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidRequestException("Give the value whose audit HMAC you want.");
        }
        return guard.run(() -> door.read(caller, Operation.AUDIT_READ, "audit/hmac",
                (k, p, tx, now) -> Hmac.id(k.keyring().named(Keyring.AUDIT_HMAC_KEY), "token", value)));
    }

    @Override
    public boolean recordRefused(RefusedRequest request) {
        Objects.requireNonNull(request, "request");
        return refusals.test(request);
    }
}
