package dev.keyward.vault.identity;

import java.time.Instant;
import java.util.List;

/** A stored operator (a person using the console or CLI). */
public record OperatorRecord(String id, String name, List<String> roles, PasswordHash passphrase, int failedLogins,
                             Instant lockedUntil, Instant createdAt) {
    public OperatorRecord {
        roles = List.copyOf(roles);
    }

    public OperatorRecord withFailure(int failures, Instant until) {
        return new OperatorRecord(id, name, roles, passphrase, failures, until, createdAt);
    }
}
