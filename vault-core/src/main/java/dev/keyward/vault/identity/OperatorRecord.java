package dev.keyward.vault.identity;

import java.time.Instant;
import java.util.List;

/** A stored operator (a person using the console or CLI). */
public record OperatorRecord(String id, String name, List<String> roles, PasswordHash passphrase, int failedLogins,
                             Instant lockedUntil, Instant createdAt, boolean disabled) {
    public OperatorRecord {
        roles = List.copyOf(roles);
    }

    public OperatorRecord withFailure(int failures, Instant until) {
        return new OperatorRecord(id, name, roles, passphrase, failures, until, createdAt, disabled);
    }

    public OperatorRecord withRoles(List<String> r) {
        return new OperatorRecord(id, name, r, passphrase, failedLogins, lockedUntil, createdAt, disabled);
    }

    /** A new passphrase; the failed-login count and any lockout are cleared. */
    public OperatorRecord withPassphrase(PasswordHash p) {
        return new OperatorRecord(id, name, roles, p, 0, null, createdAt, disabled);
    }

    public OperatorRecord withDisabled(boolean d) {
        return new OperatorRecord(id, name, roles, passphrase, d ? failedLogins : 0, d ? lockedUntil : null, createdAt,
                d);
    }
}
