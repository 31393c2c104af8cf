package dev.keyward.vault.engine;

import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.AuthMethod;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Names;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.OperatorNames;
import dev.keyward.vault.api.TokenInfo;
import dev.keyward.vault.identity.Identities;
import dev.keyward.vault.identity.Machines;
import dev.keyward.vault.identity.OperatorRecord;
import dev.keyward.vault.storage.StorageTx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/** {@link IdentityService} through the guarded door. */
final class IdentityFacade implements IdentityService {
    private static final String OPS = "sys/identity/operators/";
    private static final String APPROLE = "sys/identity/approle/";
    private static final String CERT = "sys/identity/cert/";

    private final Door door;
    private final SecretsFacade.Guard guard;
    private final Privileges privileges;

    private volatile ApprovalFacade approvals;

    /** Signing keys for new operators; creators of automation identities. */
    void useApprovals(ApprovalFacade a) {
        this.approvals = a;
    }

    IdentityFacade(Door door, SecretsFacade.Guard guard, Privileges privileges) {
        this.door = door;
        this.guard = guard;
        this.privileges = privileges;
    }

    static OperatorInfo info(OperatorRecord r) {
        return new OperatorInfo(r.id(), r.name(), r.roles(), r.disabled(), r.failedLogins(), r.lockedUntil(),
                r.createdAt());
    }

    private static List<String> roles(Unsealed k, StorageTx tx, List<String> roles) {
        if (roles == null || roles.isEmpty()) {
            throw new InvalidRequestException("An operator needs at least one role.");
        }
        for (String r : roles) {
            Names.validate("role", r);
            if (!k.policies().roleExists(tx, r)) {
                throw new InvalidRequestException("There is no role named " + r + ".");
            }
        }
        return List.copyOf(new TreeSet<>(roles));
    }

    @Override
    public OperatorInfo createOperator(Caller caller, String name, char[] passphrase, List<String> roles) {
        OperatorNames.validate(name);
        if (passphrase == null || passphrase.length < 10) {
            throw new InvalidRequestException("An operator passphrase is at least 10 characters.");
        }
        return guard.run(() -> door.write(caller, Operation.OPERATOR_CREATE, OPS + name, (k, p, tx, now) -> {
            List<String> rs = roles(k, tx, roles);
            OperatorRecord created = k.identities().createOperator(tx, name, passphrase, rs, kdf(k, tx), now);
            ApprovalFacade a = approvals;
            if (a != null) {
                a.operatorCreated(k, tx, created, passphrase, now);
            }
            return info(created);
        }));
    }

    /** New operators get the same Argon2id cost as the ones already stored (set at init). */
    private static Argon2Parameters kdf(Unsealed k, StorageTx tx) {
        for (OperatorRecord r : k.identities().operators(tx)) {
            return new Argon2Parameters(r.passphrase().memoryKiB(), r.passphrase().iterations(),
                    r.passphrase().parallelism());
        }
        return Argon2Parameters.DEFAULT;
    }

    @Override
    public List<OperatorInfo> listOperators(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.OPERATOR_LIST, "sys/identity/operators",
                (k, p, tx, now) -> k.identities().operators(tx).stream().map(IdentityFacade::info).toList()));
    }

    private static OperatorRecord requireOperator(Unsealed k, StorageTx tx, String name) {
        OperatorRecord r = k.identities().operator(tx, OperatorNames.validate(name));
        if (r == null) {
            throw new NotFoundException("There is no operator named " + name + ".");
        }
        return r;
    }

    @Override
    public OperatorInfo setOperatorRoles(Caller caller, String name, List<String> roles) {
        String[] widens = {"false"};
        return guard.run(() -> door.write(caller, Operation.OPERATOR_UPDATE, OPS + name, (k, p, tx, now) -> {
            OperatorRecord before = requireOperator(k, tx, name);
            OperatorRecord r = before.withRoles(roles(k, tx, roles));
            widens[0] = Boolean.toString(Widening.added(before.roles(), r.roles()) > 0);
            k.identities().saveOperator(tx, r);
            return info(r);
        }, r -> Map.of("widens", widens[0])));
    }

    @Override
    public void disableOperator(Caller caller, String name) {
        guard.run(() -> door.write(caller, Operation.OPERATOR_UPDATE, OPS + name, (k, p, tx, now) -> {
            OperatorRecord r = requireOperator(k, tx, name);
            if (r.id().equals(p.id())) {
                throw new InvalidRequestException("An operator cannot disable itself.");
            }
            k.identities().saveOperator(tx, r.withDisabled(true));
            k.identities().revokeAll(tx, r.id());
            return null;
        }));
    }

    @Override
    public void enableOperator(Caller caller, String name) {
        guard.run(() -> door.write(caller, Operation.OPERATOR_UPDATE, OPS + name, (k, p, tx, now) -> {
            k.identities().saveOperator(tx, requireOperator(k, tx, name).withDisabled(false));
            return null;
        }));
    }

    // ------------------------------------------------------------ AppRole

    @Override
    public AppRoleInfo putAppRole(Caller caller, AppRoleSpec spec) {
        String[] widens = {"false"};
        return guard.run(() -> door.write(caller, Operation.APPROLE_WRITE, APPROLE + spec.name(), (k, p, tx, now) -> {
            privileges.requireForPolicies(k, p, caller, tx, now, spec.policies());
            var before = k.machines().appRole(tx, spec.name());
            widens[0] = Boolean.toString(before != null
                    && Widening.added(before.spec().policies(), spec.policies()) > 0);
            ApprovalFacade a = approvals;
            if (a != null && before == null) {
                a.identityCreated(k, tx, "approle:" + spec.name(), p, now);
            }
            return k.machines().putAppRole(tx, spec, now);
        }, r -> Map.of("widens", widens[0])));
    }

    @Override
    public AppRoleInfo readAppRole(Caller caller, String name) {
        Names.validate("AppRole", name);
        return guard.run(() -> door.read(caller, Operation.APPROLE_READ, APPROLE + name,
                (k, p, tx, now) -> appRoleInfo(k.machines().requireAppRole(tx, name))));
    }

    private static AppRoleInfo appRoleInfo(Machines.AppRoleRecord r) {
        return new AppRoleInfo(r.spec().name(), r.roleId(), r.spec(), r.createdAt());
    }

    @Override
    public List<AppRoleInfo> listAppRoles(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.APPROLE_READ, APPROLE,
                (k, p, tx, now) -> k.machines().appRoles(tx).stream().map(IdentityFacade::appRoleInfo).toList()));
    }

    @Override
    public void deleteAppRole(Caller caller, String name) {
        Names.validate("AppRole", name);
        guard.run(() -> door.write(caller, Operation.APPROLE_DELETE, APPROLE + name, (k, p, tx, now) -> {
            k.machines().deleteAppRole(tx, name);
            return null;
        }));
    }

    @Override
    public String roleId(Caller caller, String roleName) {
        return readAppRole(caller, roleName).roleId();
    }

    @Override
    public SecretIdResult issueSecretId(Caller caller, String roleName, SecretIdSpec spec) {
        Names.validate("AppRole", roleName);
        SecretIdSpec s = spec == null ? SecretIdSpec.defaults() : spec;
        return guard.run(() -> door.write(caller, Operation.SECRET_ID_ISSUE, APPROLE + roleName + "/secret-id",
                (k, p, tx, now) -> k.machines().issueSecretId(tx, roleName, s, now)));
    }

    @Override
    public void revokeSecretId(Caller caller, String roleName, String secretIdAccessor) {
        Names.validate("AppRole", roleName);
        guard.run(() -> door.write(caller, Operation.SECRET_ID_REVOKE, APPROLE + roleName + "/secret-id",
                (k, p, tx, now) -> {
                    k.machines().revokeSecretId(tx, roleName, secretIdAccessor);
                    return null;
                }));
    }

    @Override
    public SecretIdResult unwrap(String wrappingToken, String sourceAddress) {
        Caller c = new Caller(wrappingToken, AuthMethod.TOKEN, sourceAddress, null, null);
        return guard.run(() -> door.unauthenticated(c, Operation.WRAP_UNWRAP, "sys/wrapping/unwrap",
                (k, p, tx, now) -> k.machines().unwrap(tx, wrappingToken, now), r -> null));
    }

    @Override
    public WrapInfo wrapResponse(Caller caller, byte[] response, Duration ttl, String creationPath) {
        Objects.requireNonNull(caller, "caller");
        return guard.run(() -> door.unauthenticated(caller, Operation.WRAP_WRAP, "sys/wrapping/wrap",
                (k, p, tx, now) -> k.machines().wrapResponse(tx, response, ttl, creationPath, now), r -> null));
    }

    @Override
    public Unwrapped unwrapAny(String wrappingToken, String sourceAddress) {
        Caller c = new Caller(wrappingToken, AuthMethod.TOKEN, sourceAddress, null, null);
        return guard.run(() -> door.unauthenticated(c, Operation.WRAP_UNWRAP, "sys/wrapping/unwrap",
                (k, p, tx, now) -> {
                    Machines.WrapRecord w = k.machines().openWrap(tx, wrappingToken, now);
                    return w.payload() != null ? new Unwrapped(null, w.payload()) : new Unwrapped(w.response(), null);
                }, r -> null));
    }

    @Override
    public WrapInfo lookupWrap(String wrappingToken, String sourceAddress) {
        Caller c = new Caller(wrappingToken, AuthMethod.TOKEN, sourceAddress, null, null);
        return guard.run(() -> door.unauthenticated(c, Operation.WRAP_LOOKUP, "sys/wrapping/lookup",
                (k, p, tx, now) -> k.machines().lookupWrap(tx, wrappingToken, now), r -> null));
    }

    @Override
    public WrapInfo rewrap(String wrappingToken, String sourceAddress) {
        Caller c = new Caller(wrappingToken, AuthMethod.TOKEN, sourceAddress, null, null);
        return guard.run(() -> door.unauthenticated(c, Operation.WRAP_REWRAP, "sys/wrapping/rewrap",
                (k, p, tx, now) -> k.machines().rewrap(tx, wrappingToken, now), r -> null));
    }

    // ------------------------------------------------------------ certificates

    @Override
    public CertIdentityInfo putCertIdentity(Caller caller, CertIdentitySpec spec) {
        return guard.run(() -> door.write(caller, Operation.CERT_WRITE, CERT + spec.name(), (k, p, tx, now) -> {
            privileges.requireForPolicies(k, p, caller, tx, now, spec.policies());
            return k.machines().putCert(tx, spec, now);
        }));
    }

    @Override
    public List<CertIdentityInfo> listCertIdentities(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.CERT_READ, CERT, (k, p, tx, now) -> {
            List<CertIdentityInfo> out = new ArrayList<>();
            for (Machines.CertRecord r : k.machines().certs(tx)) {
                out.add(new CertIdentityInfo(r.id(), r.spec(), r.createdAt()));
            }
            return out;
        }));
    }

    @Override
    public void deleteCertIdentity(Caller caller, String name) {
        Names.validate("certificate identity", name);
        guard.run(() -> door.write(caller, Operation.CERT_DELETE, CERT + name, (k, p, tx, now) -> {
            k.machines().deleteCert(tx, name);
            return null;
        }));
    }

    // ------------------------------------------------------------ tokens

    @Override
    public TokenInfo lookupSelf(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.TOKEN_LOOKUP, null, (k, p, tx, now) -> {
            var r = k.identities().record(tx, caller.token());
            if (r == null) {
                throw new NotFoundException("The token was revoked.");
            }
            return withPolicies(k, tx, Identities.info(r, now));
        }));
    }

    /** Operators' tokens carry role names; callers of lookup/renew see the policies behind them. */
    private static TokenInfo withPolicies(Unsealed k, StorageTx tx, TokenInfo t) {
        if (t.kind() != dev.keyward.vault.api.Principal.Kind.OPERATOR) {
            return t;
        }
        return new TokenInfo(t.accessor(), t.identityId(), t.displayName(), t.kind(), t.authMethod(), t.path(),
                k.policies().policiesOfRoles(tx, t.policies()), t.metadata(), t.issuedAt(), t.expiresAt(),
                t.creationTtl(), t.ttl(), t.explicitMaxTtl(), t.maxExpiresAt(), t.renewable(), t.numUses(),
                t.boundCidrs());
    }

    @Override
    public TokenInfo renewSelf(Caller caller, Duration increment) {
        return guard.run(() -> door.write(caller, Operation.TOKEN_RENEW, null,
                (k, p, tx, now) -> withPolicies(k, tx, k.identities().renew(tx, caller.token(), increment, now))));
    }

    @Override
    public void revokeSelf(Caller caller) {
        guard.run(() -> door.write(caller, Operation.TOKEN_REVOKE, null, (k, p, tx, now) -> {
            k.identities().revokeToken(tx, caller.token());
            return null;
        }));
    }

    private static String tokenArgument(String token) {
        if (token == null || token.isBlank() || token.length() > 256) {
            throw new InvalidRequestException("missing token");
        }
        return token;
    }

    private static dev.keyward.vault.identity.TokenRecord liveRecord(Unsealed k, StorageTx tx, String token, Instant now) {
        var r = k.identities().record(tx, token);
        if (r == null || !now.isBefore(r.expiresAt())) {
            throw new InvalidRequestException("bad token");
        }
        return r;
    }

    @Override
    public TokenInfo lookupToken(Caller caller, String token) {
        if (tokenArgument(token).equals(caller.token())) {
            return lookupSelf(caller);
        }
        return guard.run(() -> door.read(caller, Operation.TOKEN_LOOKUP, "sys/token/lookup",
                (k, p, tx, now) -> withPolicies(k, tx, Identities.info(liveRecord(k, tx, token, now), now))));
    }

    @Override
    public TokenInfo renewToken(Caller caller, String token, Duration increment) {
        if (tokenArgument(token).equals(caller.token())) {
            return renewSelf(caller, increment);
        }
        return guard.run(() -> door.write(caller, Operation.TOKEN_RENEW, "sys/token/renew", (k, p, tx, now) -> {
            liveRecord(k, tx, token, now);
            return withPolicies(k, tx, k.identities().renew(tx, token, increment, now));
        }));
    }

    @Override
    public void revokeToken(Caller caller, String token) {
        if (tokenArgument(token).equals(caller.token())) {
            revokeSelf(caller);
            return;
        }
        guard.run(() -> door.write(caller, Operation.TOKEN_REVOKE, "sys/token/revoke", (k, p, tx, now) -> {
            k.identities().revokeToken(tx, token);
            return null;
        }));
    }

    private static String accessorPath(String accessor) {
        if (accessor == null || !accessor.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new InvalidRequestException("An accessor is 1 to 64 letters, digits, '_' or '-'.");
        }
        return "sys/token/accessor/" + accessor;
    }

    @Override
    public TokenInfo lookupAccessor(Caller caller, String accessor) {
        String path = accessorPath(accessor);
        return guard.run(() -> door.read(caller, Operation.TOKEN_LOOKUP, path,
                (k, p, tx, now) -> withPolicies(k, tx, k.identities().lookupAccessor(tx, accessor, now))));
    }

    @Override
    public void revokeAccessor(Caller caller, String accessor) {
        String path = accessorPath(accessor);
        guard.run(() -> door.write(caller, Operation.TOKEN_REVOKE, path, (k, p, tx, now) -> {
            k.identities().revokeAccessor(tx, accessor);
            return null;
        }));
    }

    @Override
    public List<TokenInfo> listTokens(Caller caller, String identityId) {
        return guard.run(() -> door.read(caller, Operation.TOKEN_LIST, "sys/token",
                (k, p, tx, now) -> k.identities().tokens(tx, identityId, now)));
    }

    @Override
    public int revokeAll(Caller caller, String identityId) {
        if (identityId == null || identityId.isBlank() || identityId.length() > 128) {
            throw new InvalidRequestException("Name the identity (its id) whose tokens to revoke.");
        }
        return guard.run(() -> door.write(caller, Operation.TOKEN_REVOKE, "sys/token/identity/" + identityId,
                (k, p, tx, now) -> k.identities().revokeAll(tx, identityId)));
    }

}
