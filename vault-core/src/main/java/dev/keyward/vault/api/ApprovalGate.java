package dev.keyward.vault.api;

import java.util.Optional;

/**
 * The question other features ask before a gated operation: may this caller do this now? The
 * rotation, key and policy services ask it; the approvals service answers it.
 *
 * <p>Fails closed: a gate with a missing or zero threshold, or one whose state cannot be read,
 * denies.
 */
public interface ApprovalGate {

    /**
     * Admits the operation or refuses it.
     *
     * @param caller    who asks; {@link Caller#approvalId()} names the grant presented, if any
     * @param operation what is asked for
     * @param resource  what it acts on (a secret path, a policy name, an identity)
     * @param change    what exactly changes, as people read it (a policy diff), or null; never a
     *                  secret value
     * @return the id of the grant the operation consumed (for its audit entry), or empty when no
     *         gate applies to this operation and resource
     * @throws ApprovalRequiredException when a gate applies and no usable grant was presented; it
     *                                   names the request that waits for approval
     */
    Optional<String> admit(Caller caller, GatedOperation operation, String resource, String change);

    /** A gate that applies to nothing: for vaults and tests without the approvals service. */
    ApprovalGate NONE = (caller, operation, resource, change) -> Optional.empty();
}
