package dev.keyward.vault.engine;

import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.AuthMethod;
import dev.keyward.vault.api.AuthService;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.OperatorNames;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.audit.AuditEvent;
import dev.keyward.vault.crypto.Argon2;
import dev.keyward.vault.crypto.Random;
import dev.keyward.vault.identity.Identities;
import dev.keyward.vault.identity.OperatorRecord;
import dev.keyward.vault.identity.PasswordHash;
import dev.keyward.vault.storage.Storage;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Logins behind {@link AuthService}: operator login (with a decoy check for unknown names),
 * whoami and logout, and the machine logins (AppRole, TLS client certificate).
 */
final class OperatorLogin implements AuthService {
    private final Engine engine;
    private final Door door;
    private final Storage storage;
    private final Clock clock;
    private final PasswordHash decoy;

    OperatorLogin(Engine engine, Door door, Storage storage, Clock clock) {
        this.engine = engine;
        this.door = door;
        this.storage = storage;
        this.clock = clock;
        // Checked against when a login names no operator, so that such a login costs what a real
        // check costs (Argon2id at the default parameters) and does not reveal which names exist.
        // It matches nothing: its hash is 32 zero bytes under a random salt.
        this.decoy = new PasswordHash(Argon2Parameters.DEFAULT.memoryKiB(), Argon2Parameters.DEFAULT.iterations(),
                Argon2Parameters.DEFAULT.parallelism(), Base64.getEncoder().encodeToString(Random.bytes(Argon2.SALT_BYTES)),
                Base64.getEncoder().encodeToString(new byte[32]));
    }

    @Override
    public Session loginAppRole(String roleId, String secretId, String sourceAddress) {
        Caller c = new Caller(null, AuthMethod.APPROLE, sourceAddress, null, null);
        return engine.guarded(() -> door.unauthenticated(c, Operation.APPROLE_LOGIN, "auth/approle/login",
                (k, p, tx, now) -> k.machines().loginAppRole(tx, roleId, secretId, c.sourceAddress(), now),
                Session::principal, k -> credentialHashes(k, roleId, secretId)));
    }

    /**
     * Keyed hashes (the audit key) of a login's role_id and secret_id, so that the anomaly detectors
     * can tell a retired secret_id presented again and attribute failed logins; never the values.
     */
    private static java.util.Map<String, String> credentialHashes(Unsealed k, String roleId, String secretId) {
        var key = k.keyring().named(dev.keyward.vault.crypto.Keyring.AUDIT_HMAC_KEY);
        java.util.Map<String, String> d = new java.util.TreeMap<>();
        if (roleId != null && !roleId.isEmpty() && roleId.length() <= 1024) {
            d.put("role_id_hmac", dev.keyward.vault.crypto.Hmac.id(key, "role-id", roleId));
        }
        if (secretId != null && !secretId.isEmpty() && secretId.length() <= 1024) {
            d.put("secret_id_hmac", dev.keyward.vault.crypto.Hmac.id(key, "secret-id", secretId));
        }
        return d;
    }

    @Override
    public Session loginCert(List<X509Certificate> chain, String name, String sourceAddress) {
        Caller c = new Caller(null, AuthMethod.TLS_CERT, sourceAddress, null, null);
        return engine.guarded(() -> door.unauthenticated(c, Operation.CERT_LOGIN, "auth/cert/login",
                (k, p, tx, now) -> k.machines().loginCert(tx, chain, name, c.sourceAddress(), now),
                Session::principal));
    }

    @Override
    public Session login(String operatorName, char[] passphrase, String sourceAddress) {
        return engine.guarded(() -> {
            Unsealed u = engine.unsealedKeys();
            Instant now = clock.instant();
            Caller caller = new Caller(null, AuthMethod.OPERATOR_PASSPHRASE, sourceAddress, null, null);
            String name;
            try {
                name = OperatorNames.validate(operatorName);
            } catch (RuntimeException e) {
                name = null;
            }
            final String validName = name;
            OperatorRecord op = validName == null ? null : storage.read(tx -> u.identities().operator(tx, validName));
            if (op == null) {
                decoy.matches(passphrase); // same work whether or not the name exists
                storage.write(tx -> {
                    door.appendDirect(u, caller, null, null, Operation.OPERATOR_LOGIN, null, AuditEvent.Outcome.FAILURE,
                            "AuthenticationFailedException", now, tx);
                    return null;
                });
                throw Identities.loginFailed(null);
            }
            Identities.LoginCheck check = u.identities().check(op, passphrase, now);
            Principal principal = new Principal(op.id(), op.name(), Principal.Kind.OPERATOR, op.roles(),
                    AuthMethod.OPERATOR_PASSPHRASE);
            Session session = storage.write(tx -> {
                // Re-read: a concurrent failure may have counted already; keep the higher count.
                OperatorRecord latest = u.identities().operator(tx, op.name());
                OperatorRecord updated = check.updated();
                if (!check.ok() && latest != null && latest.failedLogins() >= updated.failedLogins()) {
                    updated = latest.withFailure(latest.failedLogins() + 1, updated.lockedUntil());
                }
                u.identities().saveOperator(tx, updated);
                if (!check.ok()) {
                    door.appendDirect(u, caller, principal, null, Operation.OPERATOR_LOGIN, null,
                            AuditEvent.Outcome.FAILURE, "AuthenticationFailedException", now, tx);
                    return null;
                }
                Session s = u.identities().issueToken(tx, principal, now, Identities.SESSION_TTL);
                door.appendDirect(u, caller, principal, null, Operation.OPERATOR_LOGIN, null,
                        AuditEvent.Outcome.SUCCESS, null, now, tx);
                return s;
            });
            if (session == null) {
                throw Identities.loginFailed(check.retryAfter());
            }
            return session;
        });
    }

    @Override
    public Principal whoami(Caller caller) {
        return engine.guarded(() -> door.read(caller, Operation.TOKEN_LOOKUP, null, (k, p, tx, now) -> p));
    }

    @Override
    public void logout(Caller caller) {
        engine.guarded(() -> door.write(caller, Operation.OPERATOR_LOGOUT, null, (k, p, tx, now) -> {
            k.identities().revokeToken(tx, caller.token());
            return null;
        }));
    }
}
