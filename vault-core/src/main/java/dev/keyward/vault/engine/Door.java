package dev.keyward.vault.engine;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.AuditFailureException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Decision;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.api.StorageException;
import dev.keyward.vault.audit.AuditDraft;
import dev.keyward.vault.audit.AuditEvent;
import dev.keyward.vault.audit.AuditSink;
import dev.keyward.vault.crypto.Hmac;
import dev.keyward.vault.crypto.Keyring;
import dev.keyward.vault.identity.Identities;
import dev.keyward.vault.policy.Authorizer;
import dev.keyward.vault.storage.Storage;
import dev.keyward.vault.storage.StorageTx;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one guarded door: authenticate, authorize, act, audit (durably), respond. Every data call
 * of every transport runs through {@link #read} or {@link #write}. Denials and failures are
 * audited too; if the audit entry cannot be written the call fails and returns nothing.
 */
final class Door {
    private static final Logger LOG = LoggerFactory.getLogger(Door.class);

    /** The act step: runs with the authenticated principal inside a storage transaction. */
    @FunctionalInterface
    interface Act<T> {
        T run(Unsealed keys, Principal principal, StorageTx tx, Instant now);
    }

    /** Uses a grant presented for a door operation (a policy's approvals condition); see ApprovalFacade. */
    @FunctionalInterface
    interface GrantUse {
        /** Uses the presented grant if it is bound to this operation; false when it is not. */
        boolean use(Unsealed keys, StorageTx tx, Principal principal, Caller caller, Operation op, String resource,
                    Instant now);
    }

    private volatile GrantUse grants;

    void useGrants(GrantUse g) {
        this.grants = g;
    }

    private final Storage storage;
    private final Authorizer authorizer;
    private final AuditSink audit;
    private final Clock clock;
    private final Supplier<Unsealed> keys;

    Door(Storage storage, Authorizer authorizer, AuditSink audit, Clock clock, Supplier<Unsealed> keys) {
        this.storage = storage;
        this.authorizer = authorizer;
        this.audit = audit;
        this.clock = clock;
        this.keys = keys;
    }

    /** A call that changes state: the act and its audit entry commit in one durable transaction. */
    <T> T write(Caller caller, Operation op, String resource, Act<T> act) {
        return write(caller, op, resource, act, null);
    }

    /**
     * {@link #write}, with {@code details} of the result added to the audit entry (ids, counts;
     * never a value).
     */
    <T> T write(Caller caller, Operation op, String resource, Act<T> act, Function<T, Map<String, String>> details) {
        Call call = admit(caller, op, resource, true);
        try {
            return storage.write(tx -> {
                T result = act.run(call.keys, call.principal, tx, call.now);
                call.details = details == null ? Map.of() : details.apply(result);
                authorizer.used(List.of(call.use()), tx);
                appendOrFail(call.event(AuditEvent.Outcome.SUCCESS, null), call.keys, tx);
                return result;
            });
        } catch (AuditFailureException e) {
            throw e;
        } catch (KeywardException e) {
            auditFailure(call, e);
            throw e;
        }
    }

    /**
     * A call that only reads: the act runs on committed data, then its audit entry is made durable,
     * and only then is the result returned.
     */
    <T> T read(Caller caller, Operation op, String resource, Act<T> act) {
        return read(caller, op, resource, act, null);
    }

    /** {@link #read}, with {@code details} of the result added to the audit entry (never a value). */
    <T> T read(Caller caller, Operation op, String resource, Act<T> act, Function<T, Map<String, String>> details) {
        Call call = admit(caller, op, resource, false);
        T result;
        try {
            result = storage.read(tx -> act.run(call.keys, call.principal, tx, call.now));
            call.details = details == null ? Map.of() : details.apply(result);
        } catch (KeywardException e) {
            auditFailure(call, e);
            throw e;
        }
        AuditDraft draft = audit.draft(call.event(AuditEvent.Outcome.SUCCESS, null));
        storage.writeBatched(readsDone, new ReadDone(call, draft));
        return result;
    }

    /**
     * {@link #read}, but the success is audited only when {@code worthAnEntry} holds for the
     * result: a long poll that found nothing adds no entry. Denials and failures are audited as
     * always.
     */
    <T> T readAuditedIf(Caller caller, Operation op, String resource, Act<T> act,
                        Function<T, Map<String, String>> details, java.util.function.Predicate<T> worthAnEntry) {
        Call call = admit(caller, op, resource, false);
        T result;
        try {
            result = storage.read(tx -> act.run(call.keys, call.principal, tx, call.now));
            if (!worthAnEntry.test(result)) {
                return result;
            }
            call.details = details == null ? Map.of() : details.apply(result);
        } catch (KeywardException e) {
            auditFailure(call, e);
            throw e;
        }
        AuditDraft draft = audit.draft(call.event(AuditEvent.Outcome.SUCCESS, null));
        storage.writeBatched(readsDone, new ReadDone(call, draft));
        return result;
    }

    /**
     * Whether {@code principal} may do {@code op} on {@code resource} (no audit entry: for filtering
     * what an audited call returns, such as the change feed's events by read access).
     */
    boolean allows(Principal principal, Caller caller, Operation op, String resource, Instant now, StorageTx tx) {
        return authorizer.authorize(principal, op, resource, caller, now, tx).allowed();
    }

    /** A successful read waiting for its durable audit entry. */
    private record ReadDone(Call call, AuditDraft draft) {
    }

    /**
     * The audit entries of all reads waiting for the same commit, appended in one go (the log's
     * state is read and sealed once per group instead of once per read).
     */
    private final Storage.Batch<ReadDone> readsDone = this::appendReads;

    private void appendReads(StorageTx tx, List<ReadDone> items) {
        List<AuditDraft> drafts = new ArrayList<>(items.size());
        List<Authorizer.Use> uses = new ArrayList<>(items.size());
        Unsealed keysOfGroup = null;
        for (ReadDone r : items) {
            Call c = r.call();
            if (keysOfGroup != null && c.keys != keysOfGroup) {
                appendAllOrFail(drafts, keysOfGroup, tx); // resealed and unsealed in between: other keys
                drafts.clear();
            }
            keysOfGroup = c.keys;
            uses.add(c.use());
            drafts.add(r.draft());
        }
        authorizer.used(uses, tx);
        appendAllOrFail(drafts, keysOfGroup, tx);
    }

    /**
     * A call that carries no token (machine logins, unwrap): the act runs in a write transaction
     * with its audit entry; a failure is audited in a transaction of its own and rethrown.
     * {@code who} names the identity a result stands for (for the audit entry), or returns null.
     */
    <T> T unauthenticated(Caller caller, Operation op, String resource, Act<T> act,
                          java.util.function.Function<T, Principal> who) {
        return unauthenticated(caller, op, resource, act, who, null);
    }

    /**
     * {@link #unauthenticated}, with {@code details} (of the keys; nullable) on the audit entry
     * whatever the outcome (keyed hashes of presented credentials, never a value).
     */
    <T> T unauthenticated(Caller caller, Operation op, String resource, Act<T> act,
                          java.util.function.Function<T, Principal> who,
                          Function<Unsealed, Map<String, String>> details) {
        Unsealed k = keys.get();
        Instant now = clock.instant();
        Call call = new Call(k, caller, op, resource, now);
        call.details = details == null ? Map.of() : details.apply(k);
        try {
            return storage.write(tx -> {
                T result = act.run(k, null, tx, now);
                call.principal = who.apply(result);
                if (call.principal != null) {
                    restrictions.check(call.principal, op, false);
                }
                appendOrFail(call.event(AuditEvent.Outcome.SUCCESS, null), k, tx);
                return result;
            });
        } catch (AuditFailureException e) {
            throw e;
        } catch (KeywardException e) {
            call.principal = null;
            auditFailure(call, e);
            throw e;
        }
    }

    /** Authenticate and authorize; denials are audited and thrown. */
    private Call admit(Caller caller, Operation op, String resource, boolean write) {
        Unsealed k = keys.get();
        Instant now = clock.instant();
        Call call = new Call(k, caller, op, resource, now);
        Decision d;
        try {
            boolean limited = storage.read(tx -> {
                Optional<Principal> job = k.system().principal(caller);
                if (job.isPresent()) {
                    call.principal = job.get();
                    call.decision = authorizer.authorize(call.principal, op, resource, caller, now, tx);
                    return false;
                }
                Identities.Authenticated a = k.identities().authenticate(tx, caller.token(), caller.sourceAddress(), now);
                call.principal = a.principal();
                call.decision = authorizer.authorize(call.principal, op, resource, caller, now, tx);
                return a.useLimited();
            });
            if (limited) {
                // A use-limited token: count this use durably before anything else happens.
                storage.write(tx -> {
                    k.identities().consumeUse(tx, caller.token(), caller.sourceAddress(), now);
                    return null;
                });
            }
            d = call.decision;
        } catch (AccessDeniedException e) {
            call.decision = Decision.deny("authentication", "missing, invalid or expired token");
            auditFailure(call, e);
            throw e;
        }
        if (!d.allowed()) {
            AccessDeniedException denied = d.rule().endsWith(" " + dev.keyward.vault.policy.Evaluator.APPROVALS)
                    ? new dev.keyward.vault.api.ApprovalRequiredException("permission denied: this call needs approvals "
                    + "(keyward request " + op.id() + " " + resource + " --reason ...), then present the grant", null)
                    : new AccessDeniedException("permission denied");
            auditFailure(call, denied);
            throw denied;
        }
        try {
            restrictions.check(call.principal, op, write);
        } catch (AccessDeniedException contained) {
            call.decision = Decision.deny("containment", contained.getMessage());
            auditFailure(call, contained);
            throw contained;
        }
        GrantUse g = grants;
        if (g != null && caller.approvalId() != null && !op.id().startsWith("approval.")) {
            try {
                storage.write(tx -> g.use(k, tx, call.principal, caller, op, resource, now));
            } catch (AccessDeniedException e) {
                auditFailure(call, e);
                throw e;
            }
        }
        return call;
    }

    /**
     * What containment holds against an identity (locked, read-only, the whole vault read-only):
     * checked after authorization; throws {@link AccessDeniedException} with a clear sentence.
     */
    @FunctionalInterface
    interface Restrictions {
        Restrictions NONE = (p, op, write) -> { };

        void check(Principal principal, Operation op, boolean write);
    }

    private volatile Restrictions restrictions = Restrictions.NONE;

    /** Containment's check (see {@link Restrictions}). */
    void restrict(Restrictions r) {
        this.restrictions = r == null ? Restrictions.NONE : r;
    }

    private void auditFailure(Call call, KeywardException e) {
        try {
            storage.write(tx -> {
                appendOrFail(call.event(AuditEvent.Outcome.FAILURE, e.getClass().getSimpleName()), call.keys, tx);
                return null;
            });
        } catch (KeywardException auditError) {
            LOG.error("audit entry for a failed {} could not be written", call.op.id());
            if (e instanceof StorageException && auditError instanceof StorageException) {
                throw e; // the storage itself fails (e.g. a full disk): say that, the call has failed either way
            }
            throw new AuditFailureException();
        }
    }

    private void appendOrFail(AuditEvent event, Unsealed keys, StorageTx tx) {
        appendAllOrFail(List.of(AuditDraft.of(event)), keys, tx);
    }

    private void appendAllOrFail(List<AuditDraft> drafts, Unsealed keys, StorageTx tx) {
        try {
            audit.appendAll(drafts, keys.audit(), tx);
        } catch (AuditFailureException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new AuditFailureException("The audit entry could not be written, so the operation was refused.", e);
        }
    }

    /** Audits a call outside the pipeline (unseal, login, init) in the given transaction; fails closed. */
    void appendDirect(Unsealed u, Caller caller, Principal principal, String claimedName, Operation op,
                      String resource, AuditEvent.Outcome outcome, String errorClass, Instant now, StorageTx tx) {
        appendDirect(u, caller, principal, claimedName, op, resource, outcome, errorClass, now, tx, null);
    }

    /** As above, with the entry's {@code details} (nullable). */
    void appendDirect(Unsealed u, Caller caller, Principal principal, String claimedName, Operation op,
                      String resource, AuditEvent.Outcome outcome, String errorClass, Instant now, StorageTx tx,
                      java.util.Map<String, String> details) {
        try {
            audit.append(event(u, caller, principal, claimedName, op, resource, AuditEvent.Decision.NONE, null,
                    outcome, errorClass, now).withDetails(details), u.audit(), tx);
        } catch (AuditFailureException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new AuditFailureException("The audit entry could not be written, so the operation was refused.", e);
        }
    }

    /** The audit event of a call outside the pipeline (unseal, login, init, refused requests). */
    static AuditEvent event(Unsealed k, Caller caller, Principal principal, String claimedName, Operation op,
                            String resource, AuditEvent.Decision decision, String rule, AuditEvent.Outcome outcome,
                            String errorClass, Instant now) {
        // A background job's in-memory credential is not a token anyone presents: no HMAC of it.
        String hmac = caller.token() == null || caller.authMethod() == dev.keyward.vault.api.AuthMethod.SYSTEM ? null
                : Hmac.id(k.keyring().named(Keyring.AUDIT_HMAC_KEY), "token", caller.token());
        return new AuditEvent(now, UUID.randomUUID().toString(), principal == null ? null : principal.id(),
                principal == null ? claimedName : principal.name(), caller.authMethod().name(), caller.sourceAddress(),
                op.id(), resource, decision, rule, caller.justification(), caller.approvalId(), outcome, errorClass,
                hmac);
    }

    private static final class Call {
        final Unsealed keys;
        final Caller caller;
        final Operation op;
        final String resource;
        final Instant now;
        Principal principal;
        Decision decision;
        Map<String, String> details = Map.of();

        Call(Unsealed keys, Caller caller, Operation op, String resource, Instant now) {
            this.keys = keys;
            this.caller = caller;
            this.op = op;
            this.resource = resource;
            this.now = now;
        }

        Authorizer.Use use() {
            return new Authorizer.Use(principal, op, resource, decision, now);
        }

        AuditEvent event(AuditEvent.Outcome outcome, String errorClass) {
            AuditEvent.Decision d = decision == null ? AuditEvent.Decision.NONE
                    : decision.allowed() ? AuditEvent.Decision.ALLOW : AuditEvent.Decision.DENY;
            return Door.event(keys, caller, principal, null, op, resource, d, decision == null ? null : decision.rule(),
                    outcome, errorClass, now).withDetails(details);
        }
    }
}
