package dev.keyward.vault.identity;

import java.time.Instant;
import java.util.List;

/** A stored token, found by the hash of its value; the value itself is never stored. */
public record TokenRecord(String accessor, String identityId, String identityName, String kind, List<String> roles,
                          String authMethod, Instant issuedAt, Instant expiresAt) {
    public TokenRecord {
        roles = List.copyOf(roles);
    }
}
