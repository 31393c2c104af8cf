package dev.keyward.vault.policy;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Decision;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.storage.StorageTx;
import java.time.Instant;
import java.util.List;

/** The guarded door's authorize step. Default deny: whatever no rule allows is refused. */
public interface Authorizer {

    /**
     * @param principal the authenticated identity
     * @param operation what it wants to do
     * @param resource  the path or object (may be null)
     * @param caller    the call's context (source address, justification, approval)
     * @param now       the vault's clock
     * @param tx        a read transaction, for policies kept in storage
     */
    Decision authorize(Principal principal, Operation operation, String resource, Caller caller, Instant now,
                       StorageTx tx);

    /** One successful call, for {@link #used}. */
    record Use(Principal principal, Operation operation, String resource, Decision decision, Instant now) {
    }

    /**
     * Called in the transaction that records successful calls (one, or every read waiting for the
     * same commit), so that an authorizer can keep track of which grant was used when (entitlement
     * analytics). Does nothing by default.
     */
    default void used(List<Use> uses, StorageTx tx) {
    }
}
