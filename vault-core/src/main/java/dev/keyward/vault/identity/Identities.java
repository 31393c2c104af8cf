package dev.keyward.vault.identity;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.AuthMethod;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.InvalidRequestException;
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
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Operators and tokens in storage. Operator records are keyed by a keyed hash of the name; tokens
 * by the SHA-256 of the token, so neither names nor tokens are readable at rest.
 */
public final class Identities {
    public static final String TOKEN_PREFIX = "kws.";
    public static final Duration SESSION_TTL = Duration.ofHours(8);
    /** Failures before lockout starts; then 2^(n - FREE_FAILURES) seconds, capped. */
    static final int FREE_FAILURES = 3;
    static final Duration MAX_LOCKOUT = Duration.ofMinutes(15);

    private static final String OPERATOR_KIND = "identity.operator";
    private static final String TOKEN_KIND = "identity.token";

    private final Barrier barrier;
    private final DestroyableKey indexKey;

    public Identities(Barrier barrier, DestroyableKey indexKey) {
        this.barrier = barrier;
        this.indexKey = indexKey;
    }

    private String operatorKey(String name) {
        return "id/op/" + Hmac.id(indexKey, "operator", name);
    }

    private static String tokenKey(String token) {
        return "id/tok/" + sha256(token);
    }

    public OperatorRecord operator(StorageTx tx, String name) {
        return Records.get(tx, barrier, OPERATOR_KIND, operatorKey(name), OperatorRecord.class);
    }

    public OperatorRecord createOperator(StorageTx tx, String name, char[] passphrase, List<String> roles,
                                         Argon2Parameters kdf, Instant now) {
        if (operator(tx, name) != null) {
            throw new InvalidRequestException("An operator named " + name + " already exists.");
        }
        OperatorRecord r = new OperatorRecord(UUID.randomUUID().toString(), name, roles,
                PasswordHash.create(passphrase, kdf), 0, null, now);
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
        if (op.passphrase().matches(passphrase)) {
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

    /** Issues a token for a principal and stores its hash. */
    public Session issueToken(StorageTx tx, Principal p, Instant now, Duration ttl) {
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(Random.bytes(32));
        String accessor = Base64.getUrlEncoder().withoutPadding().encodeToString(Random.bytes(18));
        TokenRecord r = new TokenRecord(accessor, p.id(), p.name(), p.kind().name(), p.roles(), p.method().name(),
                now, now.plus(ttl));
        Records.put(tx, barrier, TOKEN_KIND, tokenKey(token), r);
        TokenInfo info = new TokenInfo(accessor, p.id(), "operator-" + p.name(), p.kind(), p.method(),
                "auth/operator/login", p.roles(), java.util.Map.of(), now, r.expiresAt(), ttl, ttl, ttl, r.expiresAt(),
                false, 0, List.of());
        return new Session(token, accessor, p, now, r.expiresAt(), info);
    }

    /** The principal a token stands for; denied if unknown or expired. */
    public Principal authenticate(StorageTx tx, String token, Instant now) {
        if (token == null || token.isEmpty()) {
            throw new AccessDeniedException("permission denied: no token");
        }
        TokenRecord r = Records.get(tx, barrier, TOKEN_KIND, tokenKey(token), TokenRecord.class);
        if (r == null || !now.isBefore(r.expiresAt())) {
            throw new AccessDeniedException("permission denied");
        }
        return new Principal(r.identityId(), r.identityName(), Principal.Kind.valueOf(r.kind()), r.roles(),
                AuthMethod.valueOf(r.authMethod()));
    }

    public boolean revokeToken(StorageTx tx, String token) {
        return tx.delete(tokenKey(token));
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
