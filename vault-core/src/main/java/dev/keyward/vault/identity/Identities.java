package dev.keyward.vault.identity;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.AuthMethod;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.Cidrs;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.TokenInfo;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.DestroyableKey;
import dev.keyward.vault.crypto.Hmac;
import dev.keyward.vault.crypto.Random;
import dev.keyward.vault.storage.StorageTx;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Operators and tokens in storage. Operator records are keyed by a keyed hash of the name; tokens
 * by the SHA-256 of the token (256 random bits), so neither names nor tokens are readable at rest.
 * Each token has an accessor (a non-secret handle) indexed by keyed hash, and an index entry under
 * its identity so that all of an identity's tokens can be revoked at once.
 */
public final class Identities {
    public static final String TOKEN_PREFIX = "kws.";
    public static final Duration SESSION_TTL = Duration.ofHours(8);
    /** Failures before lockout starts; then 2^(n - FREE_FAILURES) seconds, capped. */
    static final int FREE_FAILURES = 3;
    static final Duration MAX_LOCKOUT = Duration.ofMinutes(15);

    private static final String OPERATOR_KIND = "identity.operator";
    private static final String TOKEN_KIND = "identity.token";
    private static final String OPERATORS = "id/op/";
    private static final String TOKENS = "id/tok/";
    private static final String ACCESSORS = "id/acc/";
    private static final String BY_IDENTITY = "id/idx/";

    private final Barrier barrier;
    private final DestroyableKey indexKey;

    /** Token records as last opened: every authenticated call looks its token up. */
    private final Records.Cache<TokenRecord> tokenRecords;

    public Identities(Barrier barrier, DestroyableKey indexKey) {
        this.barrier = barrier;
        this.indexKey = indexKey;
        this.tokenRecords = new Records.Cache<>(barrier, TOKEN_KIND, TokenRecord.class, 4096);
    }

    Barrier barrier() {
        return barrier;
    }

    String hmac(String domain, String name) {
        return Hmac.id(indexKey, domain, name);
    }

    private String operatorKey(String name) {
        return OPERATORS + hmac("operator", name);
    }

    private static String tokenKey(String token) {
        return TOKENS + sha256(token);
    }

    /** A fresh 256-bit random secret with a prefix, base64url. */
    static String newSecret(String prefix) {
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(Random.bytes(32));
    }

    // ------------------------------------------------------------ operators

    public OperatorRecord operator(StorageTx tx, String name) {
        return Records.get(tx, barrier, OPERATOR_KIND, operatorKey(name), OperatorRecord.class);
    }

    public List<OperatorRecord> operators(StorageTx tx) {
        List<OperatorRecord> out = new ArrayList<>();
        for (StorageTx.Entry e : tx.scan(OPERATORS, null, Integer.MAX_VALUE)) {
            out.add(Records.decode(barrier.open(Barrier.Binding.of(OPERATOR_KIND, e.key()), e.value()),
                    OperatorRecord.class));
        }
        out.sort(Comparator.comparing(OperatorRecord::name));
        return out;
    }

    public OperatorRecord createOperator(StorageTx tx, String name, char[] passphrase, List<String> roles,
                                         Argon2Parameters kdf, Instant now) {
        if (operator(tx, name) != null) {
            throw new InvalidRequestException("An operator named " + name + " already exists.");
        }
        OperatorRecord r = new OperatorRecord(UUID.randomUUID().toString(), name, roles,
                PasswordHash.create(passphrase, kdf), 0, null, now, false);
        Records.put(tx, barrier, OPERATOR_KIND, operatorKey(name), r);
        return r;
    }

    /**
     * The outcome of a passphrase check, to be stored by the caller in a write transaction.
     */
    public record LoginCheck(OperatorRecord updated, boolean ok, Duration retryAfter) {
    }

    /** Checks a passphrase against a record, honouring and updating the lockout. */
    public LoginCheck check(OperatorRecord op, char[] passphrase, Instant now) {
        if (op.lockedUntil() != null && now.isBefore(op.lockedUntil())) {
            return new LoginCheck(op, false, Duration.between(now, op.lockedUntil()));
        }
        if (op.passphrase().matches(passphrase) && !op.disabled()) {
            return new LoginCheck(op.withFailure(0, null), true, null);
        }
        int failures = op.failedLogins() + 1;
        Instant until = null;
        if (failures >= FREE_FAILURES) {
            long seconds = 1L << Math.min(20, failures - FREE_FAILURES);
            Duration d = Duration.ofSeconds(seconds);
            until = now.plus(d.compareTo(MAX_LOCKOUT) > 0 ? MAX_LOCKOUT : d);
        }
        return new LoginCheck(op.withFailure(failures, until), false,
                until == null ? null : Duration.between(now, until));
    }

    public void saveOperator(StorageTx tx, OperatorRecord op) {
        Records.put(tx, barrier, OPERATOR_KIND, operatorKey(op.name()), op);
    }

    // ------------------------------------------------------------ tokens

    /**
     * How to issue a token.
     *
     * @param ttl      initial lifetime
     * @param maxTtl   hard limit from issue (renewals stop there)
     * @param numUses  0 = unlimited
     */
    public record TokenSpec(Principal principal, Duration ttl, Duration maxTtl, boolean renewable, int numUses,
                            List<String> boundCidrs, String path, Map<String, String> metadata, String displayName) {
    }

    /** An operator session: 8 h, not renewable, no use limit. */
    public Session issueToken(StorageTx tx, Principal p, Instant now, Duration ttl) {
        return issue(tx, new TokenSpec(p, ttl, ttl, false, 0, List.of(), "auth/operator/login", Map.of(),
                "operator-" + p.name()), now);
    }

    public Session issue(StorageTx tx, TokenSpec s, Instant now) {
        String token = newSecret(TOKEN_PREFIX);
        String accessor = Base64.getUrlEncoder().withoutPadding().encodeToString(Random.bytes(18));
        Principal p = s.principal();
        Duration ttl = s.ttl().compareTo(s.maxTtl()) > 0 ? s.maxTtl() : s.ttl();
        TokenRecord r = new TokenRecord(accessor, p.id(), p.name(), p.kind().name(), p.roles(), p.method().name(),
                now, now.plus(ttl), ttl, now.plus(s.maxTtl()), s.renewable(), s.numUses(), s.boundCidrs(), s.path(),
                s.metadata());
        String hash = sha256(token);
        Records.put(tx, barrier, TOKEN_KIND, TOKENS + hash, r);
        Records.put(tx, barrier, "identity.accessor", ACCESSORS + hmac("accessor", accessor), new Ref(hash));
        Records.put(tx, barrier, "identity.index", indexKey(p.id(), accessor), new Ref(hash));
        return new Session(token, accessor, p, now, r.expiresAt(), info(r, now, s.displayName()));
    }

    /** A pointer to a token record by the token's hash. */
    public record Ref(String tokenHash) {
    }

    private String indexKey(String identityId, String accessor) {
        return BY_IDENTITY + hmac("identity", identityId) + "/" + hmac("accessor", accessor);
    }

    public static TokenInfo info(TokenRecord r, Instant now) {
        String prefix = switch (AuthMethod.valueOf(r.authMethod())) {
            case APPROLE -> "approle-";
            case TLS_CERT -> "cert-";
            default -> "operator-";
        };
        return info(r, now, prefix + r.identityName());
    }

    private static TokenInfo info(TokenRecord r, Instant now, String displayName) {
        Duration left = now.isBefore(r.expiresAt()) ? Duration.between(now, r.expiresAt()) : Duration.ZERO;
        return new TokenInfo(r.accessor(), r.identityId(), displayName, Principal.Kind.valueOf(r.kind()),
                AuthMethod.valueOf(r.authMethod()), r.path(), r.roles().stream().sorted().toList(), r.metadata(),
                r.issuedAt(), r.expiresAt(), r.creationTtl(), left, Duration.between(r.issuedAt(), r.maxExpiresAt()),
                r.maxExpiresAt(), r.renewable(), r.usesLeft(), r.boundCidrs());
    }

    /** The result of authenticating a token: the principal, and whether the token has a use limit. */
    public record Authenticated(Principal principal, boolean useLimited) {
    }

    /** The principal a token stands for; denied if unknown, expired, used up or from outside its CIDRs. */
    public Authenticated authenticate(StorageTx tx, String token, String source, Instant now) {
        TokenRecord r = valid(tx, token, source, now);
        return new Authenticated(principal(r), r.usesLeft() > 0);
    }

    /** Back-compatible form for callers without a source address. */
    public Principal authenticate(StorageTx tx, String token, Instant now) {
        return authenticate(tx, token, null, now).principal();
    }

    private static Principal principal(TokenRecord r) {
        return new Principal(r.identityId(), r.identityName(), Principal.Kind.valueOf(r.kind()), r.roles(),
                AuthMethod.valueOf(r.authMethod()));
    }

    private TokenRecord valid(StorageTx tx, String token, String source, Instant now) {
        if (token == null || token.isEmpty()) {
            throw new AccessDeniedException("permission denied: no token");
        }
        TokenRecord r = tokenRecords.get(tx, tokenKey(token));
        if (r == null || !now.isBefore(r.expiresAt()) || (source != null && !Cidrs.allows(r.boundCidrs(), source))) {
            throw new AccessDeniedException("permission denied");
        }
        return r;
    }

    /**
     * Counts one use of a use-limited token, durably (call in a write transaction): the last use
     * deletes it. Denied when it is used up meanwhile.
     */
    public void consumeUse(StorageTx tx, String token, String source, Instant now) {
        TokenRecord r = valid(tx, token, source, now);
        if (r.usesLeft() <= 0) {
            return;
        }
        if (r.usesLeft() == 1) {
            delete(tx, sha256(token), r);
        } else {
            Records.put(tx, barrier, TOKEN_KIND, tokenKey(token), r.withUsesLeft(r.usesLeft() - 1));
        }
    }

    public TokenRecord record(StorageTx tx, String token) {
        return token == null ? null : Records.get(tx, barrier, TOKEN_KIND, tokenKey(token), TokenRecord.class);
    }

    /** The max lifetime of a token (issue to max expiry), or null when unknown. */
    public Duration maxTtl(StorageTx tx, String token) {
        TokenRecord r = record(tx, token);
        return r == null ? null : Duration.between(r.issuedAt(), r.maxExpiresAt());
    }

    /** Extends a token by {@code increment} (null = its creation TTL) from now, capped at its max TTL. */
    public TokenInfo renew(StorageTx tx, String token, Duration increment, Instant now) {
        TokenRecord r = valid(tx, token, null, now);
        if (!r.renewable()) {
            throw new InvalidRequestException("This token is not renewable.");
        }
        if (increment != null && increment.isNegative()) {
            throw new InvalidRequestException("A renewal increment must not be negative.");
        }
        Duration inc = increment == null || increment.isZero() ? r.creationTtl() : increment;
        Instant e = now.plus(inc);
        if (e.isAfter(r.maxExpiresAt())) {
            e = r.maxExpiresAt();
        }
        TokenRecord renewed = r.withExpiry(e.isBefore(r.expiresAt()) ? r.expiresAt() : e);
        Records.put(tx, barrier, TOKEN_KIND, tokenKey(token), renewed);
        return info(renewed, now);
    }

    public boolean revokeToken(StorageTx tx, String token) {
        TokenRecord r = record(tx, token);
        if (r == null) {
            return false;
        }
        delete(tx, sha256(token), r);
        return true;
    }

    private void delete(StorageTx tx, String hash, TokenRecord r) {
        tx.delete(TOKENS + hash);
        tx.delete(ACCESSORS + hmac("accessor", r.accessor()));
        tx.delete(indexKey(r.identityId(), r.accessor()));
    }

    private TokenRecord byAccessor(StorageTx tx, String accessor) {
        String k = ACCESSORS + hmac("accessor", accessor == null ? "" : accessor);
        Ref ref = Records.get(tx, barrier, "identity.accessor", k, Ref.class);
        return ref == null ? null : Records.get(tx, barrier, TOKEN_KIND, TOKENS + ref.tokenHash(), TokenRecord.class);
    }

    public TokenInfo lookupAccessor(StorageTx tx, String accessor, Instant now) {
        TokenRecord r = byAccessor(tx, accessor);
        if (r == null || !now.isBefore(r.expiresAt())) {
            throw new NotFoundException("No live token has that accessor.");
        }
        return info(r, now);
    }

    public void revokeAccessor(StorageTx tx, String accessor) {
        String k = ACCESSORS + hmac("accessor", accessor == null ? "" : accessor);
        Ref ref = Records.get(tx, barrier, "identity.accessor", k, Ref.class);
        TokenRecord r = ref == null ? null : Records.get(tx, barrier, TOKEN_KIND, TOKENS + ref.tokenHash(),
                TokenRecord.class);
        if (r == null) {
            throw new NotFoundException("No token has that accessor.");
        }
        delete(tx, ref.tokenHash(), r);
    }

    /** Revokes every token of an identity; returns how many. */
    public int revokeAll(StorageTx tx, String identityId) {
        int n = 0;
        for (StorageTx.Entry e : tx.scan(BY_IDENTITY + hmac("identity", identityId) + "/", null, Integer.MAX_VALUE)) {
            Ref ref = Records.decode(barrier.open(Barrier.Binding.of("identity.index", e.key()), e.value()), Ref.class);
            TokenRecord r = Records.get(tx, barrier, TOKEN_KIND, TOKENS + ref.tokenHash(), TokenRecord.class);
            if (r != null) {
                delete(tx, ref.tokenHash(), r);
                n++;
            } else {
                tx.delete(e.key());
            }
        }
        return n;
    }

    /** Live tokens of one identity, or of all when {@code identityId} is null. */
    public List<TokenInfo> tokens(StorageTx tx, String identityId, Instant now) {
        List<TokenInfo> out = new ArrayList<>();
        String prefix = identityId == null ? ACCESSORS : BY_IDENTITY + hmac("identity", identityId) + "/";
        String kind = identityId == null ? "identity.accessor" : "identity.index";
        for (StorageTx.Entry e : tx.scan(prefix, null, Integer.MAX_VALUE)) {
            Ref ref = Records.decode(barrier.open(Barrier.Binding.of(kind, e.key()), e.value()), Ref.class);
            TokenRecord r = Records.get(tx, barrier, TOKEN_KIND, TOKENS + ref.tokenHash(), TokenRecord.class);
            if (r != null && now.isBefore(r.expiresAt())) {
                out.add(info(r, now));
            }
        }
        out.sort(Comparator.comparing(TokenInfo::issuedAt).thenComparing(TokenInfo::accessor));
        return out;
    }

    public static AuthenticationFailedException loginFailed(Duration retryAfter) {
        if (retryAfter == null) {
            return new AuthenticationFailedException("The operator name or passphrase is wrong.");
        }
        return new AuthenticationFailedException("Too many failed logins: this operator is locked for "
                + Math.max(1, retryAfter.toSeconds()) + " s.", retryAfter);
    }

    static String sha256(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
