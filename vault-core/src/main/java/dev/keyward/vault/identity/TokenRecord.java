package dev.keyward.vault.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A stored token, found by the hash of its value; the value itself is never stored.
 *
 * @param roles        operators: role names; machines: policy names
 * @param creationTtl  the TTL it was issued with (renewals extend by this by default)
 * @param maxExpiresAt renewals never go past this
 * @param usesLeft     0 = unlimited
 * @param boundCidrs   valid only from these networks (empty = anywhere)
 */
public record TokenRecord(String accessor, String identityId, String identityName, String kind, List<String> roles,
                          String authMethod, Instant issuedAt, Instant expiresAt, Duration creationTtl,
                          Instant maxExpiresAt, boolean renewable, int usesLeft, List<String> boundCidrs, String path,
                          Map<String, String> metadata) {
    public TokenRecord {
        roles = List.copyOf(roles);
        creationTtl = creationTtl == null ? Duration.between(issuedAt, expiresAt) : creationTtl;
        maxExpiresAt = maxExpiresAt == null ? expiresAt : maxExpiresAt;
        boundCidrs = boundCidrs == null ? List.of() : List.copyOf(boundCidrs);
        path = path == null ? "auth/operator/login" : path;
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    TokenRecord withExpiry(Instant e) {
        return new TokenRecord(accessor, identityId, identityName, kind, roles, authMethod, issuedAt, e, creationTtl,
                maxExpiresAt, renewable, usesLeft, boundCidrs, path, metadata);
    }

    TokenRecord withUsesLeft(int n) {
        return new TokenRecord(accessor, identityId, identityName, kind, roles, authMethod, issuedAt, expiresAt,
                creationTtl, maxExpiresAt, renewable, n, boundCidrs, path, metadata);
    }
}
