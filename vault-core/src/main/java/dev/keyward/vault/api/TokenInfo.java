package dev.keyward.vault.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the vault knows about a token, never the token itself: the body of Vault's
 * {@code lookup-self} and {@code auth} blocks.
 *
 * @param accessor      non-secret handle for listing and revoking
 * @param identityId    the identity's stable id (Vault's entity_id)
 * @param displayName   e.g. {@code approle-ci-deploy}, {@code operator-alice}
 * @param kind          operator or machine
 * @param authMethod    how the token was obtained
 * @param path          the login path, e.g. {@code auth/approle/login}
 * @param policies      the policies in force for this token (sorted)
 * @param metadata      non-secret metadata, e.g. {@code role_name}
 * @param issuedAt      when the token was issued (creation_time / issue_time)
 * @param expiresAt     when it expires unless renewed (expire_time)
 * @param creationTtl   the TTL it was issued with
 * @param ttl           time left at lookup
 * @param explicitMaxTtl the hard limit from issue time (Duration.ZERO = none)
 * @param maxExpiresAt  issue time + max TTL: renewals never go past it
 * @param renewable     whether renew-self can extend it
 * @param numUses       uses left (0 = unlimited)
 * @param boundCidrs    source networks the token is valid from (empty = anywhere)
 */
public record TokenInfo(String accessor, String identityId, String displayName, Principal.Kind kind,
                        AuthMethod authMethod, String path, List<String> policies, Map<String, String> metadata,
                        Instant issuedAt, Instant expiresAt, Duration creationTtl, Duration ttl,
                        Duration explicitMaxTtl, Instant maxExpiresAt, boolean renewable, int numUses,
                        List<String> boundCidrs) {
    public TokenInfo {
        Objects.requireNonNull(accessor, "accessor");
        Objects.requireNonNull(identityId, "identityId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(authMethod, "authMethod");
        policies = List.copyOf(policies);
        metadata = Map.copyOf(metadata);
        boundCidrs = List.copyOf(boundCidrs);
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
