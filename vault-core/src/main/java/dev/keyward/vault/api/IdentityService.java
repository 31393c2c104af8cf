package dev.keyward.vault.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Operators, machine identities (AppRole, TLS client certificates) and tokens. Every call goes
 * through the guarded door and is audited. Secrets (passphrases, secret_ids, tokens) are returned
 * once, at creation, and stored only as hashes.
 */
public interface IdentityService {

    // ------------------------------------------------------------ operators

    /** Creates an operator with roles (built-in: admin, security-engineer, auditor; or custom roles). */
    OperatorInfo createOperator(Caller caller, String name, char[] passphrase, List<String> roles);

    List<OperatorInfo> listOperators(Caller caller);

    /** Replaces an operator's roles. */
    OperatorInfo setOperatorRoles(Caller caller, String name, List<String> roles);

    /** Disables an operator: logins fail and every token it holds is revoked. */
    void disableOperator(Caller caller, String name);

    /** Enables a disabled operator again and clears its lockout. */
    void enableOperator(Caller caller, String name);

    // ------------------------------------------------------------ AppRole

    /** Creates or replaces an AppRole. Its role_id stays the same across replacements. */
    AppRoleInfo putAppRole(Caller caller, AppRoleSpec spec);

    AppRoleInfo readAppRole(Caller caller, String name);

    List<AppRoleInfo> listAppRoles(Caller caller);

    /** Deletes the role, its secret_ids, and revokes every token issued through it. */
    void deleteAppRole(Caller caller, String name);

    /** The role's role_id (not a secret on its own). */
    String roleId(Caller caller, String roleName);

    /**
     * Issues a secret_id for a role. With {@code spec.wrapTtl()} set, the secret_id is not
     * returned: a single-use wrapping token is, to be unwrapped with {@link #unwrap}.
     */
    SecretIdResult issueSecretId(Caller caller, String roleName, SecretIdSpec spec);

    /** Revokes one secret_id by its accessor. */
    void revokeSecretId(Caller caller, String roleName, String secretIdAccessor);

    /**
     * Opens a wrapping token once and returns what it wraps; a second call fails. Needs no other
     * credential than the wrapping token itself.
     */
    SecretIdResult unwrap(String wrappingToken, String sourceAddress);

    /**
     * Keeps a response under a new single-use wrapping token (Vault's response wrapping): sealed by
     * the barrier in storage, so it survives a restart, until its one unwrap or its TTL (1 s to
     * 24 h). For the vault's transports, after the call whose answer this is was served (and
     * audited); the wrap itself is audited as {@code wrapping.wrap}. Returns the token, shown once.
     */
    WrapInfo wrapResponse(Caller caller, byte[] response, Duration ttl, String creationPath);

    /**
     * Opens a wrapping token once, whatever it wraps (a response or a secret_id); a second call,
     * or a call after its TTL, fails. Needs no other credential than the wrapping token itself.
     */
    Unwrapped unwrapAny(String wrappingToken, String sourceAddress);

    /**
     * A wrapping token's creation path, time and TTL without opening it (Vault's
     * sys/wrapping/lookup); the returned token and accessor are empty. Needs no other credential.
     */
    WrapInfo lookupWrap(String wrappingToken, String sourceAddress);

    /**
     * Opens a wrapping token and keeps what it wraps under a new one with the same TTL (Vault's
     * sys/wrapping/rewrap): the old token stops working. Needs no other credential.
     */
    WrapInfo rewrap(String wrappingToken, String sourceAddress);

    /** What a wrapping token stood for: exactly one of a wrapped response's bytes or a secret_id. */
    record Unwrapped(byte[] response, SecretIdResult secretId) {
        public Unwrapped {
            if ((response == null) == (secretId == null)) {
                throw new IllegalArgumentException("exactly one of response and secretId");
            }
        }

        @Override
        public String toString() {
            return "Unwrapped[" + (response != null ? "response, " + response.length + " bytes hidden" : "secret_id hidden")
                    + "]";
        }
    }

    // ------------------------------------------------------------ TLS client certificates

    /** Registers a certificate identity: a pinned leaf fingerprint or a trusted issuing CA. */
    CertIdentityInfo putCertIdentity(Caller caller, CertIdentitySpec spec);

    List<CertIdentityInfo> listCertIdentities(Caller caller);

    void deleteCertIdentity(Caller caller, String name);

    // ------------------------------------------------------------ tokens

    /** The caller's own token (Vault's lookup-self); needs no policy. */
    TokenInfo lookupSelf(Caller caller);

    /**
     * Extends the caller's token by {@code increment} from now (null = its original TTL), never past
     * its max TTL. Needs no policy.
     */
    TokenInfo renewSelf(Caller caller, Duration increment);

    /** Revokes the caller's own token. Needs no policy. */
    void revokeSelf(Caller caller);

    /**
     * Another token, named by itself (Vault's auth/token/lookup with the token in the body): needs
     * read on {@code sys/token/lookup}; the caller's own token needs no policy, as lookup-self.
     */
    TokenInfo lookupToken(Caller caller, String token);

    /** Renews a token named by itself (auth/token/renew): update on {@code sys/token/renew}; one's own needs none. */
    TokenInfo renewToken(Caller caller, String token, Duration increment);

    /** Revokes a token named by itself (auth/token/revoke): delete on {@code sys/token/revoke}; one's own needs none. */
    void revokeToken(Caller caller, String token);

    TokenInfo lookupAccessor(Caller caller, String accessor);

    void revokeAccessor(Caller caller, String accessor);

    /** Tokens of one identity (by id), or all tokens when {@code identityId} is null. */
    List<TokenInfo> listTokens(Caller caller, String identityId);

    /** Revokes every token of an identity; returns how many. */
    int revokeAll(Caller caller, String identityId);

    // ------------------------------------------------------------ records

    /** An operator as listed; never its passphrase hash. */
    record OperatorInfo(String id, String name, List<String> roles, boolean disabled, int failedLogins,
                        Instant lockedUntil, Instant createdAt) {
        public OperatorInfo {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
            roles = List.copyOf(roles);
        }
    }

    /**
     * An AppRole's settings.
     *
     * @param name            1 to 64 of letters, digits, '.', '_', '-'
     * @param policies        policies attached to tokens issued through it
     * @param tokenTtl        default token TTL (Vault token_ttl)
     * @param tokenMaxTtl     max TTL: renewals stop there (token_max_ttl)
     * @param tokenNumUses    uses per token (0 = unlimited)
     * @param tokenBoundCidrs token valid only from these networks (empty = anywhere)
     * @param secretIdTtl     default secret_id lifetime (ZERO = no expiry)
     * @param secretIdNumUses default secret_id uses (0 = unlimited)
     * @param secretIdBoundCidrs logins with its secret_ids only from these networks
     * @param owner           who answers for this identity
     * @param description     what it is for
     */
    record AppRoleSpec(String name, List<String> policies, Duration tokenTtl, Duration tokenMaxTtl, int tokenNumUses,
                       List<String> tokenBoundCidrs, Duration secretIdTtl, int secretIdNumUses,
                       List<String> secretIdBoundCidrs, String owner, String description) {
        public AppRoleSpec {
            Names.validate("AppRole", name);
            policies = List.copyOf(policies);
            tokenTtl = tokenTtl == null ? Duration.ofHours(1) : tokenTtl;
            tokenMaxTtl = tokenMaxTtl == null ? Duration.ofHours(24) : tokenMaxTtl;
            if (tokenTtl.isNegative() || tokenTtl.isZero() || tokenMaxTtl.compareTo(tokenTtl) < 0) {
                throw new InvalidRequestException("An AppRole's token TTL must be positive and at most its max TTL.");
            }
            if (tokenNumUses < 0 || secretIdNumUses < 0) {
                throw new InvalidRequestException("A use limit must not be negative (0 means unlimited).");
            }
            tokenBoundCidrs = Cidrs.validate(tokenBoundCidrs);
            secretIdTtl = secretIdTtl == null ? Duration.ZERO : secretIdTtl;
            if (secretIdTtl.isNegative()) {
                throw new InvalidRequestException("A secret_id TTL must not be negative (0 means no expiry).");
            }
            secretIdBoundCidrs = Cidrs.validate(secretIdBoundCidrs);
            owner = owner == null ? "" : owner;
            description = description == null ? "" : description;
        }

        /** A role with defaults: 1 h tokens (24 h max), unlimited uses, no CIDR binding. */
        public static AppRoleSpec of(String name, List<String> policies) {
            return new AppRoleSpec(name, policies, null, null, 0, List.of(), null, 0, List.of(), null, null);
        }
    }

    /** An AppRole as stored (no secret_ids). */
    record AppRoleInfo(String name, String roleId, AppRoleSpec spec, Instant createdAt) {
        public AppRoleInfo {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(roleId, "roleId");
            Objects.requireNonNull(spec, "spec");
        }
    }

    /**
     * How to issue one secret_id; null/0 fields take the role's defaults.
     *
     * @param ttl        lifetime (null = the role's secret_id TTL)
     * @param numUses    logins allowed (null = the role's default; 0 = unlimited)
     * @param boundCidrs login only from these networks (null = the role's)
     * @param metadata   non-secret metadata copied onto tokens
     * @param wrapTtl    if set, return a single-use wrapping token valid this long instead
     */
    record SecretIdSpec(Duration ttl, Integer numUses, List<String> boundCidrs, Map<String, String> metadata,
                        Duration wrapTtl) {
        public SecretIdSpec {
            if (ttl != null && ttl.isNegative() || numUses != null && numUses < 0) {
                throw new InvalidRequestException("A secret_id TTL and use count must not be negative.");
            }
            boundCidrs = boundCidrs == null ? null : Cidrs.validate(boundCidrs);
            metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
            if (wrapTtl != null && (wrapTtl.isNegative() || wrapTtl.isZero())) {
                throw new InvalidRequestException("A wrap TTL must be positive.");
            }
        }

        public static SecretIdSpec defaults() {
            return new SecretIdSpec(null, null, null, null, null);
        }

        public SecretIdSpec wrapped(Duration ttl) {
            return new SecretIdSpec(this.ttl, numUses, boundCidrs, metadata, ttl);
        }
    }

    /**
     * A freshly issued secret_id (shown once), or, when wrapped, only {@code wrap}.
     *
     * @param secretId  the secret, or null when wrapped
     * @param accessor  a non-secret handle for revoking it
     * @param ttl       its lifetime (ZERO = no expiry)
     * @param expiresAt expiry, or null
     * @param numUses   logins allowed (0 = unlimited)
     * @param wrap      the wrapping token, or null
     */
    record SecretIdResult(String secretId, String accessor, Duration ttl, Instant expiresAt, int numUses,
                          WrapInfo wrap) {
        public SecretIdResult {
            Objects.requireNonNull(accessor, "accessor");
        }

        @Override
        public String toString() {
            return "SecretIdResult[secretId=" + (secretId == null ? "none" : "***") + ", accessor=" + accessor
                    + ", ttl=" + ttl + ", expiresAt=" + expiresAt + ", numUses=" + numUses + ", wrap=" + wrap + "]";
        }
    }

    /** Vault's wrap_info: a single-use token standing for a response. */
    record WrapInfo(String token, String accessor, Duration ttl, Instant creationTime, String creationPath) {
        public WrapInfo {
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String toString() {
            return "WrapInfo[token=***, accessor=" + accessor + ", ttl=" + ttl + ", creationTime=" + creationTime
                    + ", creationPath=" + creationPath + "]";
        }
    }

    /**
     * A TLS client certificate identity. Exactly one of {@code pinnedSha256} (hex SHA-256 of the
     * leaf certificate's DER, colons allowed) or {@code caCertificatePem} (the issuing CA, e.g. the
     * vault's own) must be given.
     */
    record CertIdentitySpec(String name, String pinnedSha256, String caCertificatePem, List<String> policies,
                            Duration tokenTtl, Duration tokenMaxTtl, List<String> boundCidrs, String owner,
                            String description) {
        public CertIdentitySpec {
            Names.validate("certificate identity", name);
            pinnedSha256 = pinnedSha256 == null || pinnedSha256.isBlank() ? null
                    : pinnedSha256.replace(":", "").toLowerCase(java.util.Locale.ROOT);
            caCertificatePem = caCertificatePem == null || caCertificatePem.isBlank() ? null : caCertificatePem;
            if ((pinnedSha256 == null) == (caCertificatePem == null)) {
                throw new InvalidRequestException("A certificate identity needs exactly one of a pinned SHA-256"
                        + " fingerprint or an issuing CA certificate.");
            }
            if (pinnedSha256 != null && !pinnedSha256.matches("[0-9a-f]{64}")) {
                throw new InvalidRequestException("A pinned fingerprint is 64 hex digits (SHA-256 of the DER).");
            }
            policies = List.copyOf(policies);
            tokenTtl = tokenTtl == null ? Duration.ofHours(1) : tokenTtl;
            tokenMaxTtl = tokenMaxTtl == null ? Duration.ofHours(24) : tokenMaxTtl;
            if (tokenTtl.isNegative() || tokenTtl.isZero() || tokenMaxTtl.compareTo(tokenTtl) < 0) {
                throw new InvalidRequestException("A token TTL must be positive and at most its max TTL.");
            }
            boundCidrs = Cidrs.validate(boundCidrs);
            owner = owner == null ? "" : owner;
            description = description == null ? "" : description;
        }
    }

    record CertIdentityInfo(String id, CertIdentitySpec spec, Instant createdAt) {
    }
}
