package dev.keyward.vault.identity;

import dev.keyward.vault.api.AuthMethod;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.Cidrs;
import dev.keyward.vault.api.IdentityService.AppRoleInfo;
import dev.keyward.vault.api.IdentityService.AppRoleSpec;
import dev.keyward.vault.api.IdentityService.CertIdentityInfo;
import dev.keyward.vault.api.IdentityService.CertIdentitySpec;
import dev.keyward.vault.api.IdentityService.SecretIdResult;
import dev.keyward.vault.api.IdentityService.SecretIdSpec;
import dev.keyward.vault.api.IdentityService.WrapInfo;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.Random;
import dev.keyward.vault.storage.StorageTx;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Machine identities: AppRoles with their secret_ids, TLS client certificate identities, and
 * single-use wrapping tokens. Secret_ids are stored only as SHA-256 hashes; a wrapped secret_id
 * is kept barrier-sealed until its one unwrap, then deleted.
 */
public final class Machines {
    private static final String APPROLES = "id/ar/";
    private static final String ROLE_IDS = "id/arid/";
    private static final String SECRET_IDS = "id/sid/";
    private static final String SECRET_ID_ACCESSORS = "id/sida/";
    private static final String CERTS = "id/cert/";
    private static final String WRAPS = "id/wrap/";
    public static final String INVALID = "invalid role or secret ID";

    private final Identities ids;
    private final Barrier barrier;

    public Machines(Identities ids) {
        this.ids = ids;
        this.barrier = ids.barrier();
    }

    /** An AppRole as stored. */
    public record AppRoleRecord(String id, String roleId, AppRoleSpec spec, Instant createdAt) {
        AppRoleInfo info() {
            return new AppRoleInfo(spec.name(), roleId, spec, createdAt);
        }
    }

    /** A secret_id as stored (the secret itself only as the key's hash). */
    public record SecretIdRecord(String accessor, Instant expiresAt, int usesLeft, List<String> boundCidrs,
                                 Map<String, String> metadata, Instant createdAt) {
        public SecretIdRecord {
            boundCidrs = boundCidrs == null ? List.of() : List.copyOf(boundCidrs);
            metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        }
    }

    public record CertRecord(String id, CertIdentitySpec spec, Instant createdAt) {
    }

    /**
     * What a wrapping token stands for, sealed until unwrapped: a secret_id ({@code payload}) or an
     * endpoint's response ({@code response}, the bytes its holder gets back). {@code createdAt} and
     * {@code ttl} are null in records written before they were kept.
     */
    public record WrapRecord(SecretIdResult payload, Instant expiresAt, byte[] response, String creationPath,
                             Instant createdAt, Duration ttl) {
        @Override
        public String toString() {
            return "WrapRecord[expiresAt=" + expiresAt + ", creationPath=" + creationPath + ", content hidden]";
        }
    }

    /** Wrapping TTLs allowed for wrapped responses. */
    public static final Duration MAX_WRAP_TTL = Duration.ofHours(24);
    /** The largest response that can be wrapped. */
    public static final int MAX_WRAPPED_BYTES = 1024 * 1024;
    /** How many wrapping records one wrap looks at for expired ones to delete. */
    private static final int SWEEP = 16;

    // ------------------------------------------------------------ AppRole

    private String roleKey(String name) {
        return APPROLES + ids.hmac("approle", name);
    }

    public AppRoleRecord appRole(StorageTx tx, String name) {
        return Records.get(tx, barrier, "identity.approle", roleKey(name), AppRoleRecord.class);
    }

    public AppRoleRecord requireAppRole(StorageTx tx, String name) {
        AppRoleRecord r = appRole(tx, name);
        if (r == null) {
            throw new NotFoundException("There is no AppRole named " + name + ".");
        }
        return r;
    }

    public List<AppRoleRecord> appRoles(StorageTx tx) {
        List<AppRoleRecord> out = new ArrayList<>();
        for (StorageTx.Entry e : tx.scan(APPROLES, null, Integer.MAX_VALUE)) {
            out.add(Records.decode(barrier.open(Barrier.Binding.of("identity.approle", e.key()), e.value()),
                    AppRoleRecord.class));
        }
        out.sort(Comparator.comparing(r -> r.spec().name()));
        return out;
    }

    public AppRoleInfo putAppRole(StorageTx tx, AppRoleSpec spec, Instant now) {
        AppRoleRecord prev = appRole(tx, spec.name());
        AppRoleRecord r = prev == null
                ? new AppRoleRecord(UUID.randomUUID().toString(), UUID.randomUUID().toString(), spec, now)
                : new AppRoleRecord(prev.id(), prev.roleId(), spec, prev.createdAt());
        Records.put(tx, barrier, "identity.approle", roleKey(spec.name()), r);
        Records.put(tx, barrier, "identity.roleid", ROLE_IDS + ids.hmac("role-id", r.roleId()),
                Map.of("name", spec.name()));
        return r.info();
    }

    /** Deletes the role, its secret_ids and every token issued through it. */
    public void deleteAppRole(StorageTx tx, String name) {
        AppRoleRecord r = requireAppRole(tx, name);
        tx.delete(roleKey(name));
        tx.delete(ROLE_IDS + ids.hmac("role-id", r.roleId()));
        tx.deletePrefix(SECRET_IDS + ids.hmac("approle", name) + "/");
        tx.deletePrefix(SECRET_ID_ACCESSORS + ids.hmac("approle", name) + "/");
        ids.revokeAll(tx, r.id());
    }

    public SecretIdResult issueSecretId(StorageTx tx, String roleName, SecretIdSpec spec, Instant now) {
        AppRoleRecord role = requireAppRole(tx, roleName);
        Duration ttl = spec.ttl() != null ? spec.ttl() : role.spec().secretIdTtl();
        int uses = spec.numUses() != null ? spec.numUses() : role.spec().secretIdNumUses();
        List<String> cidrs = spec.boundCidrs() != null ? spec.boundCidrs() : role.spec().secretIdBoundCidrs();
        String secretId = UUID.nameUUIDFromBytes(Random.bytes(16)).toString().substring(0, 8) + "-"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(Random.bytes(32));
        String accessor = UUID.randomUUID().toString();
        Instant expires = ttl.isZero() ? null : now.plus(ttl);
        SecretIdRecord r = new SecretIdRecord(accessor, expires, uses, cidrs, spec.metadata(), now);
        String hash = Identities.sha256(secretId);
        Records.put(tx, barrier, "identity.secretid", secretIdKey(roleName, hash), r);
        Records.put(tx, barrier, "identity.secretid.accessor", secretIdAccessorKey(roleName, accessor),
                new Identities.Ref(hash));
        SecretIdResult result = new SecretIdResult(secretId, accessor, ttl, expires, uses, null);
        if (spec.wrapTtl() == null) {
            return result;
        }
        String wrapToken = Identities.newSecret("kww.");
        String wrapAccessor = UUID.randomUUID().toString();
        Records.put(tx, barrier, "identity.wrap", WRAPS + Identities.sha256(wrapToken),
                new WrapRecord(result, now.plus(spec.wrapTtl()), null, "auth/approle/role/" + roleName + "/secret-id",
                        now, spec.wrapTtl()));
        return new SecretIdResult(null, accessor, ttl, expires, uses, new WrapInfo(wrapToken, wrapAccessor,
                spec.wrapTtl(), now, "auth/approle/role/" + roleName + "/secret-id"));
    }

    private String secretIdKey(String roleName, String hash) {
        return SECRET_IDS + ids.hmac("approle", roleName) + "/" + hash;
    }

    private String secretIdAccessorKey(String roleName, String accessor) {
        return SECRET_ID_ACCESSORS + ids.hmac("approle", roleName) + "/" + ids.hmac("secret-id-accessor", accessor);
    }

    public void revokeSecretId(StorageTx tx, String roleName, String accessor) {
        requireAppRole(tx, roleName);
        String ak = secretIdAccessorKey(roleName, accessor == null ? "" : accessor);
        Identities.Ref ref = Records.get(tx, barrier, "identity.secretid.accessor", ak, Identities.Ref.class);
        if (ref == null) {
            throw new NotFoundException("No secret_id of " + roleName + " has that accessor.");
        }
        tx.delete(secretIdKey(roleName, ref.tokenHash()));
        tx.delete(ak);
    }

    /**
     * Keeps a response under a new single-use wrapping token (write transaction), barrier-sealed
     * like every record, until its one unwrap or its expiry. Also deletes expired wrapping records
     * among a few it looks at, so that unclaimed ones do not pile up.
     */
    public WrapInfo wrapResponse(StorageTx tx, byte[] response, Duration ttl, String creationPath, Instant now) {
        if (ttl == null || ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(MAX_WRAP_TTL) > 0) {
            throw new InvalidRequestException("A wrap TTL is between 1 s and 24 h.");
        }
        if (response == null || response.length == 0 || response.length > MAX_WRAPPED_BYTES) {
            throw new InvalidRequestException("A wrapped response has 1 byte to 1 MiB.");
        }
        sweepExpiredWraps(tx, now);
        String wrapToken = Identities.newSecret("kww.");
        String wrapAccessor = UUID.randomUUID().toString();
        Records.put(tx, barrier, "identity.wrap", WRAPS + Identities.sha256(wrapToken),
                new WrapRecord(null, now.plus(ttl), response, creationPath, now, ttl));
        return new WrapInfo(wrapToken, wrapAccessor, ttl, now, creationPath);
    }

    /**
     * A wrapping token's creation path, time and TTL without opening it (Vault's
     * sys/wrapping/lookup); an unknown, used or expired token fails. The content is not returned.
     */
    public WrapInfo lookupWrap(StorageTx tx, String wrapToken, Instant now) {
        WrapRecord w = liveWrap(tx, wrapToken, now);
        try {
            Duration ttl = w.ttl() != null ? w.ttl() : Duration.between(now, w.expiresAt());
            Instant created = w.createdAt() != null ? w.createdAt() : w.expiresAt().minus(ttl);
            return new WrapInfo("", "", ttl, created, w.creationPath() == null ? "" : w.creationPath());
        } finally {
            if (w.response() != null) {
                java.util.Arrays.fill(w.response(), (byte) 0);
            }
        }
    }

    /**
     * Opens a wrapping token and keeps its content under a new one with the same TTL from now
     * (Vault's sys/wrapping/rewrap, write transaction): the old token no longer works.
     */
    public WrapInfo rewrap(StorageTx tx, String wrapToken, Instant now) {
        WrapRecord w = openWrap(tx, wrapToken, now);
        Duration ttl = w.ttl() != null ? w.ttl() : Duration.between(now, w.expiresAt()).withNanos(0);
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
            ttl = Duration.ofSeconds(1);
        }
        String fresh = Identities.newSecret("kww.");
        Records.put(tx, barrier, "identity.wrap", WRAPS + Identities.sha256(fresh),
                new WrapRecord(w.payload(), now.plus(ttl), w.response(), w.creationPath(), now, ttl));
        if (w.response() != null) {
            java.util.Arrays.fill(w.response(), (byte) 0);
        }
        return new WrapInfo(fresh, UUID.randomUUID().toString(), ttl, now, w.creationPath() == null ? "" : w.creationPath());
    }

    private WrapRecord liveWrap(StorageTx tx, String wrapToken, Instant now) {
        if (wrapToken == null || wrapToken.isEmpty() || wrapToken.length() > 256) {
            throw new InvalidRequestException("wrapping token is not valid or does not exist");
        }
        WrapRecord w = Records.get(tx, barrier, "identity.wrap", WRAPS + Identities.sha256(wrapToken), WrapRecord.class);
        if (w == null || !now.isBefore(w.expiresAt())) {
            throw new InvalidRequestException("wrapping token is not valid or does not exist");
        }
        return w;
    }

    private void sweepExpiredWraps(StorageTx tx, Instant now) {
        String from = WRAPS + HexFormat.of().formatHex(Random.bytes(32));
        List<StorageTx.Entry> window = new ArrayList<>(tx.scan(WRAPS, from, SWEEP));
        if (window.size() < SWEEP) {
            window.addAll(tx.scan(WRAPS, null, SWEEP - window.size()));
        }
        for (StorageTx.Entry e : window) {
            WrapRecord w = Records.decode(barrier.open(Barrier.Binding.of("identity.wrap", e.key()), e.value()),
                    WrapRecord.class);
            if (!now.isBefore(w.expiresAt())) {
                tx.delete(e.key());
            }
            if (w.response() != null) {
                java.util.Arrays.fill(w.response(), (byte) 0);
            }
        }
    }

    /**
     * Opens a wrapping token once (write transaction): the record is deleted whatever happens next;
     * an unknown, used or expired token fails.
     */
    public WrapRecord openWrap(StorageTx tx, String wrapToken, Instant now) {
        if (wrapToken == null || wrapToken.isEmpty() || wrapToken.length() > 256) {
            throw new InvalidRequestException("wrapping token is not valid or does not exist");
        }
        String key = WRAPS + Identities.sha256(wrapToken);
        WrapRecord w = Records.get(tx, barrier, "identity.wrap", key, WrapRecord.class);
        if (w == null) {
            throw new InvalidRequestException("wrapping token is not valid or does not exist");
        }
        tx.delete(key);
        if (!now.isBefore(w.expiresAt())) {
            throw new InvalidRequestException("wrapping token is not valid or does not exist");
        }
        return w;
    }

    /** Opens a wrapping token once (write transaction): the record is deleted whatever happens next. */
    public SecretIdResult unwrap(StorageTx tx, String wrapToken, Instant now) {
        WrapRecord w = openWrap(tx, wrapToken, now);
        if (w.payload() == null) {
            throw new InvalidRequestException("wrapping token is not valid or does not exist");
        }
        return w.payload();
    }

    /**
     * AppRole login (write transaction): checks role_id, secret_id (expiry, uses, bound CIDRs),
     * counts the use, and issues a token. Every failure gives the same message.
     */
    public Session loginAppRole(StorageTx tx, String roleId, String secretId, String source, Instant now) {
        if (roleId == null || secretId == null || roleId.isEmpty() || secretId.isEmpty()) {
            throw new AuthenticationFailedException(INVALID);
        }
        @SuppressWarnings("unchecked")
        Map<String, String> ref = Records.get(tx, barrier, "identity.roleid", ROLE_IDS + ids.hmac("role-id", roleId),
                Map.class);
        AppRoleRecord role = ref == null ? null : appRole(tx, ref.get("name"));
        if (role == null || !MessageDigest.isEqual(role.roleId().getBytes(), roleId.getBytes())) {
            throw new AuthenticationFailedException(INVALID);
        }
        String name = role.spec().name();
        String key = secretIdKey(name, Identities.sha256(secretId));
        SecretIdRecord s = Records.get(tx, barrier, "identity.secretid", key, SecretIdRecord.class);
        if (s == null || (s.expiresAt() != null && !now.isBefore(s.expiresAt()))
                || !Cidrs.allows(s.boundCidrs(), source)) {
            throw new AuthenticationFailedException(INVALID);
        }
        if (s.usesLeft() == 1) {
            tx.delete(key);
            tx.delete(secretIdAccessorKey(name, s.accessor()));
        } else if (s.usesLeft() > 1) {
            Records.put(tx, barrier, "identity.secretid", key, new SecretIdRecord(s.accessor(), s.expiresAt(),
                    s.usesLeft() - 1, s.boundCidrs(), s.metadata(), s.createdAt()));
        }
        AppRoleSpec spec = role.spec();
        Principal p = new Principal(role.id(), name, Principal.Kind.MACHINE, spec.policies(), AuthMethod.APPROLE);
        Map<String, String> meta = new java.util.TreeMap<>(s.metadata());
        meta.put("role_name", name);
        return ids.issue(tx, new Identities.TokenSpec(p, spec.tokenTtl(), spec.tokenMaxTtl(), true,
                spec.tokenNumUses(), spec.tokenBoundCidrs(), "auth/approle/login", meta, "approle-" + name), now);
    }

    // ------------------------------------------------------------ TLS certificates

    private String certKey(String name) {
        return CERTS + ids.hmac("cert", name);
    }

    public CertIdentityInfo putCert(StorageTx tx, CertIdentitySpec spec, Instant now) {
        if (spec.caCertificatePem() != null) {
            parsePem(spec.caCertificatePem());
        }
        CertRecord prev = Records.get(tx, barrier, "identity.cert", certKey(spec.name()), CertRecord.class);
        CertRecord r = new CertRecord(prev == null ? UUID.randomUUID().toString() : prev.id(), spec,
                prev == null ? now : prev.createdAt());
        Records.put(tx, barrier, "identity.cert", certKey(spec.name()), r);
        return new CertIdentityInfo(r.id(), spec, r.createdAt());
    }

    public List<CertRecord> certs(StorageTx tx) {
        List<CertRecord> out = new ArrayList<>();
        for (StorageTx.Entry e : tx.scan(CERTS, null, Integer.MAX_VALUE)) {
            out.add(Records.decode(barrier.open(Barrier.Binding.of("identity.cert", e.key()), e.value()),
                    CertRecord.class));
        }
        out.sort(Comparator.comparing(r -> r.spec().name()));
        return out;
    }

    public CertRecord cert(StorageTx tx, String name) {
        return Records.get(tx, barrier, "identity.cert", certKey(name), CertRecord.class);
    }

    public void deleteCert(StorageTx tx, String name) {
        CertRecord r = cert(tx, name);
        if (r == null) {
            throw new NotFoundException("There is no certificate identity named " + name + ".");
        }
        tx.delete(certKey(name));
        ids.revokeAll(tx, r.id());
    }

    /** TLS client certificate login (write transaction). */
    public Session loginCert(StorageTx tx, List<X509Certificate> chain, String name, String source, Instant now) {
        if (chain == null || chain.isEmpty()) {
            throw new AuthenticationFailedException("No client certificate was presented.");
        }
        X509Certificate leaf = chain.get(0);
        List<CertRecord> candidates = name == null || name.isBlank() ? certs(tx)
                : cert(tx, name) == null ? List.of() : List.of(cert(tx, name));
        for (CertRecord c : candidates) {
            if (matches(c.spec(), leaf, now) && Cidrs.allows(c.spec().boundCidrs(), source)) {
                CertIdentitySpec s = c.spec();
                Principal p = new Principal(c.id(), s.name(), Principal.Kind.MACHINE, s.policies(), AuthMethod.TLS_CERT);
                return ids.issue(tx, new Identities.TokenSpec(p, s.tokenTtl(), s.tokenMaxTtl(), true, 0,
                        s.boundCidrs(), "auth/cert/login", Map.of("cert_name", s.name()), "cert-" + s.name()), now);
            }
        }
        throw new AuthenticationFailedException("No certificate identity matches the client certificate.");
    }

    static boolean matches(CertIdentitySpec spec, X509Certificate leaf, Instant now) {
        try {
            leaf.checkValidity(Date.from(now));
            if (spec.pinnedSha256() != null) {
                byte[] fp = MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded());
                return MessageDigest.isEqual(fp, HexFormat.of().parseHex(spec.pinnedSha256()));
            }
            X509Certificate ca = parsePem(spec.caCertificatePem());
            if (!leaf.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
                return false;
            }
            leaf.verify(ca.getPublicKey());
            ca.checkValidity(Date.from(now));
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    static X509Certificate parsePem(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new InvalidRequestException("The CA certificate is not a PEM-encoded X.509 certificate.");
        }
    }
}
