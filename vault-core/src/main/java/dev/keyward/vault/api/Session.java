package dev.keyward.vault.api;

import java.time.Instant;
import java.util.Objects;

/**
 * The result of a login: a bearer token and the identity it stands for. The token is shown to
 * its holder once; the vault stores only its hash.
 *
 * @param token     the bearer token (secret)
 * @param accessor  a non-secret handle for listing and revoking the token
 * @param principal the identity
 * @param issuedAt  issue time
 * @param expiresAt expiry time
 * @param info      everything else about the token (policies, TTLs, use limit, metadata)
 */
public record Session(String token, String accessor, Principal principal, Instant issuedAt, Instant expiresAt,
                      TokenInfo info) {
    public Session {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(accessor, "accessor");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(info, "info");
    }

    /** A caller carrying this session's token from the local console or CLI. */
    public Caller caller() {
        return Caller.withToken(token);
    }

    @Override
    public String toString() {
        return "Session[token=***, accessor=" + accessor + ", principal=" + principal + ", issuedAt=" + issuedAt
                + ", expiresAt=" + expiresAt + ", info=" + info + "]";
    }
}
