package dev.keyward.vault.policy;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Decision;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.storage.StorageTx;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * Built-in operator roles: {@code admin} may do everything; {@code security-engineer} everything
 * but audit administration; {@code auditor} reads audit and metadata, never a secret value.
 * Anything else is denied.
 */
public final class RoleAuthorizer implements Authorizer {
    public static final String ADMIN = "admin";
    public static final String SECURITY_ENGINEER = "security-engineer";
    public static final String AUDITOR = "auditor";

    private static final Set<Operation> AUDITOR_OPS = EnumSet.of(Operation.AUDIT_READ, Operation.METADATA_READ,
            Operation.SECRET_LIST, Operation.KV_CONFIG_READ, Operation.TOKEN_LOOKUP, Operation.OPERATOR_LOGOUT,
            Operation.VAULT_STATUS);

    /** Changing the seal or the root key is for admins only. */
    private static final Set<Operation> ADMIN_ONLY = EnumSet.of(Operation.ROOT_KEY_ROTATE,
            Operation.SEAL_PASSPHRASE_CHANGE, Operation.SEAL_REKEY, Operation.SEAL_MIGRATE);

    @Override
    public Decision authorize(Principal principal, Operation operation, String resource, Caller caller, Instant now,
                              StorageTx tx) {
        if (principal.roles().contains(ADMIN)) {
            return Decision.allow("role:admin");
        }
        if (principal.roles().contains(SECURITY_ENGINEER) && operation != Operation.AUDIT_READ
                && operation != Operation.OPERATOR_CREATE && !ADMIN_ONLY.contains(operation)) {
            return Decision.allow("role:security-engineer");
        }
        if (principal.roles().contains(AUDITOR) && AUDITOR_OPS.contains(operation)) {
            return Decision.allow("role:auditor");
        }
        return Decision.deny("default-deny", "No role of " + principal.name() + " allows " + operation.id() + ".");
    }
}
