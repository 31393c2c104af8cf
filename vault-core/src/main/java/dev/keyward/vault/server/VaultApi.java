package dev.keyward.vault.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.keyward.vault.api.AuthMethod;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.TokenInfo;
import dev.keyward.vault.api.KvConfig;
import dev.keyward.vault.api.MetadataUpdate;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.RewrapStatus;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.SecretMetadata;
import dev.keyward.vault.api.SecretPatch;
import dev.keyward.vault.api.SecretPaths;
import dev.keyward.vault.api.SecretVersion;
import dev.keyward.vault.api.SecretsService;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultStatus;
import dev.keyward.vault.api.VersionMetadata;
import dev.keyward.vault.Keyward;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The Vault-compatible routes (see VAULT_API.md), mapped onto Keyward's service API. Every data
 * call goes through the vault's guarded door, which authenticates, authorizes and audits it; this
 * class only translates between the wire and the services.
 */
final class VaultApi {
    static final String KV_MOUNT = "secret/";
    private static final Dto.MountOptions KV2 = new Dto.MountOptions("2");

    private final Vault vault;
    private final Clock clock;
    private final KeywardRoutes kw;

    VaultApi(Vault vault, Clock clock, Supplier<Optional<LocalCa>> ca) {
        this.vault = vault;
        this.clock = clock;
        this.kw = new KeywardRoutes(vault, clock, ca);
    }

    ApiResponse handle(ApiRequest r) {
        String p = r.path();
        if (p.startsWith("secret/")) {
            return kv(r, p.substring("secret/".length()));
        }
        if (p.startsWith("sys/")) {
            return sys(r, p.substring("sys/".length()));
        }
        if (p.startsWith("auth/")) {
            return auth(r, p.substring("auth/".length()));
        }
        if (p.startsWith("kw/")) {
            return keyward(r, p.substring("kw/".length()));
        }
        throw unsupportedPath();
    }

    // ------------------------------------------------------------------ KV v2

    private ApiResponse kv(ApiRequest r, String rest) {
        SecretsService s = vault.secrets();
        Caller c = caller(r);
        String m = r.method();
        if (rest.equals("config")) {
            return switch (m) {
                case "GET" -> ApiResponse.ok(envelope(config(s.readConfig(c))));
                case "POST", "PUT" -> {
                    Dto.ConfigWrite w = body(r, Dto.ConfigWrite.class);
                    KvConfig cur = s.readConfig(c);
                    s.writeConfig(c, new KvConfig(w.maxVersions() == null ? cur.maxVersions() : w.maxVersions(),
                            w.casRequired() == null ? cur.casRequired() : w.casRequired(),
                            w.deleteVersionAfter() == null ? cur.deleteVersionAfter()
                                    : duration("delete_version_after", w.deleteVersionAfter())));
                    yield ApiResponse.NO_CONTENT;
                }
                default -> throw methodNotAllowed();
            };
        }
        if (rest.equals("metadata") || rest.startsWith("metadata/")) {
            String path = rest.length() > "metadata".length() ? rest.substring("metadata/".length()) : "";
            if (m.equals("LIST")) {
                String folder = path.isEmpty() || path.endsWith("/") ? path : path + "/";
                List<String> keys = s.list(c, SecretPaths.validateFolder(folder));
                if (keys.isEmpty()) {
                    throw new NotFoundException();
                }
                return ApiResponse.ok(envelope(new Dto.Keys(keys)));
            }
            String secret = secretPath(path);
            return switch (m) {
                case "GET" -> ApiResponse.ok(envelope(metadata(s.readMetadata(c, secret))));
                case "POST", "PUT" -> {
                    Dto.MetadataWrite w = body(r, Dto.MetadataWrite.class);
                    if (w.customMetadata() != null) {
                        w.customMetadata().keySet().forEach(k -> SecretPaths.refuseFormatCharacters("A custom metadata key", k));
                    }
                    s.writeMetadata(c, secret, new MetadataUpdate(w.maxVersions(), w.casRequired(),
                            w.deleteVersionAfter() == null ? null : duration("delete_version_after", w.deleteVersionAfter()),
                            w.customMetadata()));
                    yield ApiResponse.NO_CONTENT;
                }
                case "DELETE" -> {
                    s.deleteMetadata(c, secret);
                    yield ApiResponse.NO_CONTENT;
                }
                default -> throw methodNotAllowed();
            };
        }
        if (rest.startsWith("data/")) {
            String secret = secretPath(rest.substring("data/".length()));
            return switch (m) {
                case "GET" -> read(s, c, secret, version(r));
                case "POST", "PUT" -> {
                    Dto.KvWrite w = body(r, Dto.KvWrite.class);
                    Map<String, String> fields = stringFields(w.data(), false, new HashSet<>());
                    VersionMetadata v = s.write(c, secret, SecretData.of(fields), cas(w));
                    yield ApiResponse.ok(envelope(versionMeta(v)));
                }
                case "PATCH" -> {
                    if (r.contentType() == null || !r.contentType().toLowerCase().startsWith("application/merge-patch+json")) {
                        throw new ApiException(415, "PATCH requires the Content-Type application/merge-patch+json.");
                    }
                    Dto.KvWrite w = body(r, Dto.KvWrite.class);
                    Set<String> remove = new HashSet<>();
                    Map<String, String> set = stringFields(w.data(), true, remove);
                    VersionMetadata v = s.patch(c, secret, new SecretPatch(set, remove), cas(w));
                    yield ApiResponse.ok(envelope(versionMeta(v)));
                }
                case "DELETE" -> {
                    s.deleteLatest(c, secret);
                    yield ApiResponse.NO_CONTENT;
                }
                default -> throw methodNotAllowed();
            };
        }
        for (String op : List.of("delete/", "undelete/", "destroy/")) {
            if (rest.startsWith(op)) {
                if (!m.equals("POST") && !m.equals("PUT")) {
                    throw methodNotAllowed();
                }
                String secret = secretPath(rest.substring(op.length()));
                Dto.Versions v = body(r, Dto.Versions.class);
                if (v.versions() == null || v.versions().isEmpty()) {
                    throw new InvalidRequestException("no version number provided");
                }
                for (Integer n : v.versions()) {
                    if (n == null || n < 1) {
                        throw new InvalidRequestException("Version numbers are positive integers.");
                    }
                }
                switch (op) {
                    case "delete/" -> s.delete(c, secret, v.versions());
                    case "undelete/" -> s.undelete(c, secret, v.versions());
                    default -> s.destroy(c, secret, v.versions());
                }
                return ApiResponse.NO_CONTENT;
            }
        }
        throw unsupportedPath();
    }

    private ApiResponse read(SecretsService s, Caller c, String secret, int version) {
        SecretVersion v = s.read(c, secret, version);
        Dto.KvRead body = new Dto.KvRead(v.hasData() ? v.data().fields() : null, versionMeta(v.metadata()));
        return new ApiResponse(v.hasData() ? 200 : 404, envelope(body));
    }

    private static Integer cas(Dto.KvWrite w) {
        Integer cas = w.options() == null ? null : w.options().cas();
        if (cas != null && cas < 0) {
            throw new InvalidRequestException("The check-and-set version must not be negative.");
        }
        return cas;
    }

    private static int version(ApiRequest r) {
        String v = r.query().get("version");
        if (v == null || v.isEmpty()) {
            return 0;
        }
        if (!v.matches("\\d{1,9}")) {
            throw new InvalidRequestException("version must be a non-negative integer.");
        }
        return Integer.parseInt(v);
    }

    private static String secretPath(String raw) {
        String p = SecretPaths.normalize(raw);
        return SecretPaths.validateSecretPath(p);
    }

    private static Map<String, String> stringFields(JsonNode data, boolean allowNull, Set<String> nulls) {
        if (data == null || data.isNull()) {
            throw new InvalidRequestException("no data provided");
        }
        if (!data.isObject()) {
            throw new InvalidRequestException("data must be a JSON object of field names to string values.");
        }
        Map<String, String> out = new TreeMap<>();
        var it = data.fields();
        while (it.hasNext()) {
            var e = it.next();
            SecretPaths.refuseFormatCharacters("A field name", e.getKey());
            JsonNode v = e.getValue();
            if (v.getNodeType() == JsonNodeType.STRING) {
                out.put(e.getKey(), v.textValue());
            } else if (allowNull && v.isNull()) {
                nulls.add(e.getKey());
            } else {
                throw new InvalidRequestException("The value of field '" + e.getKey()
                        + "' must be a string (Keyward stores text values).");
            }
        }
        return out;
    }

    private static Duration duration(String field, JsonNode n) {
        if (n.isIntegralNumber()) {
            if (n.longValue() < 0) {
                throw new InvalidRequestException("'" + field + "' must not be negative.");
            }
            return Durations.parse(field, Long.toString(n.longValue()));
        }
        if (n.isTextual()) {
            return Durations.parse(field, n.textValue());
        }
        throw new InvalidRequestException("'" + field + "' must be a whole number of seconds or a string like 30s, 1.5h, 1h30m.");
    }

    static String time(Instant t) {
        return t == null ? "" : t.toString();
    }

    private static Dto.VersionMeta versionMeta(VersionMetadata v) {
        return new Dto.VersionMeta(time(v.createdTime()), v.customMetadata().isEmpty() ? null : v.customMetadata(),
                time(v.deletionTime()), v.destroyed(), v.version());
    }

    private static Dto.KvMetadata metadata(SecretMetadata m) {
        Map<String, Dto.VersionInfo> versions = new LinkedHashMap<>();
        m.versions().forEach((n, v) -> versions.put(Integer.toString(n),
                new Dto.VersionInfo(time(v.createdTime()), time(v.deletionTime()), v.destroyed())));
        return new Dto.KvMetadata(m.casRequired(), time(m.createdTime()), m.currentVersion(),
                m.customMetadata().isEmpty() ? null : m.customMetadata(), Durations.format(m.deleteVersionAfter()),
                m.maxVersions(), m.oldestVersion(), time(m.updatedTime()), versions);
    }

    private static Dto.KvConfigDto config(KvConfig c) {
        return new Dto.KvConfigDto(c.maxVersions(), c.casRequired(), Durations.format(c.deleteVersionAfter()));
    }

    // ------------------------------------------------------------------ auth

    private ApiResponse auth(ApiRequest r, String rest) {
        String m = r.method();
        boolean post = m.equals("POST") || m.equals("PUT");
        switch (rest) {
            case "token/lookup-self" -> {
                if (!m.equals("GET") && !post) {
                    throw methodNotAllowed();
                }
                TokenInfo info = vault.identities().lookupSelf(caller(r));
                return ApiResponse.ok(envelope(lookup(r.token(), info)));
            }
            case "token/revoke-self" -> {
                if (!post) {
                    throw methodNotAllowed();
                }
                vault.identities().revokeSelf(caller(r));
                return ApiResponse.NO_CONTENT;
            }
            case "token/renew-self" -> {
                if (!post) {
                    throw methodNotAllowed();
                }
                Dto.RenewRequest req = body(r, Dto.RenewRequest.class);
                Duration inc = req.increment() == null || req.increment().isNull() ? null : duration("increment", req.increment());
                TokenInfo info = vault.identities().renewSelf(caller(r), inc);
                return ApiResponse.ok(Dto.Envelope.auth(requestId(), auth(r.token(), info)));
            }
            case "token/lookup" -> {
                // POST with the token in the body; Vault's older GET form takes it in the query.
                String t = m.equals("GET") ? r.query().get("token") : post ? body(r, Dto.TokenRequest.class).token() : null;
                if (!m.equals("GET") && !post) {
                    throw methodNotAllowed();
                }
                TokenInfo info = vault.identities().lookupToken(caller(r), t);
                return ApiResponse.ok(envelope(lookup(t, info)));
            }
            case "token/renew" -> {
                if (!post) {
                    throw methodNotAllowed();
                }
                Dto.TokenRequest req = body(r, Dto.TokenRequest.class);
                Duration inc = req.increment() == null || req.increment().isNull() ? null
                        : duration("increment", req.increment());
                TokenInfo info = vault.identities().renewToken(caller(r), req.token(), inc);
                return ApiResponse.ok(Dto.Envelope.auth(requestId(), auth(req.token(), info)));
            }
            case "token/revoke" -> {
                if (!post) {
                    throw methodNotAllowed();
                }
                vault.identities().revokeToken(caller(r), body(r, Dto.TokenRequest.class).token());
                return ApiResponse.NO_CONTENT;
            }
            case "approle/login" -> {
                if (!post) {
                    throw methodNotAllowed();
                }
                Dto.AppRoleLogin login = body(r, Dto.AppRoleLogin.class);
                if (login.roleId() == null || login.roleId().isEmpty()) {
                    throw new InvalidRequestException("missing role_id");
                }
                Session s = vault.auth().loginAppRole(login.roleId(), login.secretId() == null ? "" : login.secretId(),
                        r.source());
                return ApiResponse.ok(authEnvelope(s));
            }
            case "cert/login" -> {
                if (!post) {
                    throw methodNotAllowed();
                }
                Dto.CertLogin login = body(r, Dto.CertLogin.class);
                if (r.peerCerts() == null || r.peerCerts().length == 0) {
                    throw new InvalidRequestException("client certificate must be supplied");
                }
                Session s = vault.auth().loginCert(List.of(r.peerCerts()), login.name(), r.source());
                return ApiResponse.ok(authEnvelope(s));
            }
            default -> {
            }
        }
        if (rest.startsWith("approle/role/")) {
            String[] parts = rest.substring("approle/role/".length()).split("/", -1);
            if (parts.length == 2 && parts[1].equals("role-id")) {
                if (!m.equals("GET")) {
                    throw methodNotAllowed();
                }
                return ApiResponse.ok(envelope(Map.of("role_id", vault.identities().roleId(caller(r), parts[0]))));
            }
            if (parts.length == 2 && parts[1].equals("secret-id")) {
                if (!post) {
                    throw methodNotAllowed();
                }
                Dto.SecretIdRequest req = body(r, Dto.SecretIdRequest.class);
                IdentityService.SecretIdSpec spec = new IdentityService.SecretIdSpec(
                        req.ttl() == null ? null : duration("ttl", req.ttl()), req.numUses(), req.cidrList(),
                        req.metadata(), r.wrapTtl() == null ? null : Durations.parse("X-Vault-Wrap-TTL", r.wrapTtl()));
                IdentityService.SecretIdResult res = vault.identities().issueSecretId(caller(r), parts[0], spec);
                if (res.wrap() != null) {
                    IdentityService.WrapInfo w = res.wrap();
                    return new ApiResponse(200, Dto.Envelope.wrapped(new Dto.WrapInfo(w.token(), w.accessor(),
                            w.ttl() == null ? 0 : w.ttl().getSeconds(), time(w.creationTime()), w.creationPath())));
                }
                return ApiResponse.ok(envelope(secretId(res)));
            }
            throw unsupportedPath();
        }
        if (rest.startsWith("userpass/login/")) {
            if (!post) {
                throw methodNotAllowed();
            }
            String name = rest.substring("userpass/login/".length());
            Dto.Password pw = body(r, Dto.Password.class);
            if (pw.password() == null) {
                throw new InvalidRequestException("missing password");
            }
            char[] chars = pw.password().toCharArray();
            try {
                Session s = vault.auth().login(name, chars, r.source());
                return ApiResponse.ok(authEnvelope(s));
            } finally {
                java.util.Arrays.fill(chars, '\0');
            }
        }
        throw unsupportedPath();
    }

    static Map<String, Object> secretId(IdentityService.SecretIdResult res) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("secret_id", res.secretId());
        data.put("secret_id_accessor", res.accessor());
        data.put("secret_id_ttl", res.ttl() == null ? 0 : res.ttl().getSeconds());
        data.put("secret_id_num_uses", res.numUses());
        return data;
    }

    Dto.Envelope authEnvelope(Session s) {
        return Dto.Envelope.auth(requestId(), auth(s.token(), s.info()));
    }

    private Dto.Auth auth(String token, TokenInfo i) {
        long ttl = Math.max(0, Duration.between(clock.instant(), i.expiresAt()).getSeconds());
        return new Dto.Auth(token, i.accessor(), i.policies(), i.policies(), List.of(), i.metadata(), ttl,
                i.renewable(), i.identityId(), "service", true, null, i.numUses());
    }

    private Dto.TokenLookup lookup(String token, TokenInfo i) {
        return new Dto.TokenLookup(i.accessor(), i.issuedAt().getEpochSecond(), i.creationTtl().getSeconds(),
                i.displayName(), i.identityId(), time(i.expiresAt()), i.explicitMaxTtl().getSeconds(), token,
                time(i.issuedAt()), i.metadata(), i.numUses(), true, i.path(), i.policies(), i.renewable(),
                i.ttl().getSeconds(), "service");
    }

    // ------------------------------------------------------------------ sys

    private ApiResponse sys(ApiRequest r, String rest) {
        String m = r.method();
        boolean get = m.equals("GET") || m.equals("HEAD");
        boolean post = m.equals("POST") || m.equals("PUT");
        if (rest.equals("health")) {
            if (!get) {
                throw methodNotAllowed();
            }
            return health(r);
        }
        if (rest.equals("seal-status")) {
            if (!get) {
                throw methodNotAllowed();
            }
            return ApiResponse.ok(sealStatus(vault.lifecycle().status()));
        }
        if (rest.equals("unseal")) {
            if (!post) {
                throw methodNotAllowed();
            }
            Dto.Unseal u = body(r, Dto.Unseal.class);
            if (Boolean.TRUE.equals(u.reset())) {
                return ApiResponse.ok(sealStatus(vault.lifecycle().resetUnseal(r.source())));
            }
            if (u.key() == null || u.key().isEmpty()) {
                throw new InvalidRequestException("missing key");
            }
            String type = vault.lifecycle().status().sealType();
            char[] key = u.key().toCharArray();
            UnsealCredential cred = "pkcs11".equals(type) ? UnsealCredential.pin(key, u.tokenLabel(), u.tokenSerial())
                    : "shamir".equals(type) ? UnsealCredential.share(key) : UnsealCredential.passphrase(key);
            java.util.Arrays.fill(key, '\0');
            VaultStatus st = vault.lifecycle().unseal(cred, r.source());
            return ApiResponse.ok(sealStatus(st));
        }
        if (rest.equals("seal")) {
            if (!post) {
                throw methodNotAllowed();
            }
            vault.lifecycle().seal(caller(r));
            return ApiResponse.NO_CONTENT;
        }
        if (rest.equals("rotate")) { // Vault's data-key rotation: a new keyring term for new writes
            if (!post) {
                throw methodNotAllowed();
            }
            vault.keys().rotateDataKey(caller(r));
            return ApiResponse.NO_CONTENT;
        }
        if (rest.equals("key-status")) {
            if (!get) {
                throw methodNotAllowed();
            }
            RewrapStatus w = vault.keys().rewrapStatus(caller(r));
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("term", vault.lifecycle().status().keyTerm());
            d.put("rewrap", KeywardRoutes.rewrap(w));
            return ApiResponse.ok(envelope(d));
        }
        if (rest.equals("mounts")) {
            if (!get) {
                throw methodNotAllowed();
            }
            vault.auth().whoami(caller(r));
            Map<String, Object> mounts = new LinkedHashMap<>();
            mounts.put(KV_MOUNT, new Dto.Mount("kv", "key/value secret storage", "kv_keyward", KV2,
                    Map.of("default_lease_ttl", 0, "max_lease_ttl", 0), true, false));
            Map<String, Object> body = new LinkedHashMap<>(mounts);
            Dto.Envelope e = envelope(mounts);
            body.put("request_id", e.requestId());
            body.put("lease_id", e.leaseId());
            body.put("renewable", e.renewable());
            body.put("lease_duration", e.leaseDuration());
            body.put("data", mounts);
            body.put("wrap_info", null);
            body.put("warnings", null);
            body.put("auth", null);
            return ApiResponse.ok(body);
        }
        if (rest.startsWith("internal/ui/mounts/")) {
            if (!get) {
                throw methodNotAllowed();
            }
            String path = rest.substring("internal/ui/mounts/".length());
            if (!(path + "/").startsWith(KV_MOUNT)) {
                throw new NotFoundException();
            }
            vault.auth().whoami(caller(r));
            return ApiResponse.ok(envelope(new Dto.UiMount(KV_MOUNT, "kv", "key/value secret storage", KV2)));
        }
        throw unsupportedPath();
    }

    private ApiResponse health(ApiRequest r) {
        VaultStatus st = vault.lifecycle().status();
        int code;
        if (!st.initialized()) {
            code = queryCode(r, "uninitcode", 501);
        } else if (st.sealed()) {
            code = queryCode(r, "sealedcode", 503);
        } else if (st.storageFailure() != null) {
            code = 500; // unsealed but unable to write (e.g. a full disk): not healthy
        } else {
            code = queryCode(r, "activecode", 200);
        }
        Dto.Health h = new Dto.Health(st.initialized(), st.sealed(), false, false, clock.instant().getEpochSecond(),
                st.version(), "keyward", "keyward-local", st.storageFailure());
        return new ApiResponse(code, h);
    }

    private static int queryCode(ApiRequest r, String name, int fallback) {
        String v = r.query().get(name);
        if (v == null) {
            return fallback;
        }
        int code = v.matches("[2-5][0-9][0-9]") ? Integer.parseInt(v) : 0;
        // A final status with a body: not an interim 1xx (the client would wait for another answer
        // forever), not a redirect (never answered), not 205 (no body allowed).
        if (code < 200 || code >= 300 && code < 400 || code == 205) {
            throw new InvalidRequestException(name + " must be a final HTTP status code: 200 to 299 (not 205) or 400 to 599.");
        }
        return code;
    }

    static Dto.SealStatus sealStatus(VaultStatus st) {
        return new Dto.SealStatus(st.sealType() == null ? "passphrase" : st.sealType(), st.initialized(), st.sealed(),
                st.threshold(), st.shares(), st.progress(), "", st.version(), "", false, false, st.storageType(),
                "keyward", "keyward-local", st.sealedReason());
    }

    // ------------------------------------------------------------------ Keyward routes

    private ApiResponse keyward(ApiRequest r, String rest) {
        return kw.handle(r, rest, caller(r));
    }

    // ------------------------------------------------------------------ helpers

    Caller caller(ApiRequest r) {
        return new Caller(r.token(), r.token() == null ? AuthMethod.NONE : AuthMethod.TOKEN, r.source(),
                r.justification(), approvalId(r));
    }

    /** The grant presented: the X-Keyward-Approval header, or the body's {@code approval_id}. */
    static String approvalId(ApiRequest r) {
        if (r.approval() != null && !r.approval().isBlank()) {
            return r.approval().trim();
        }
        byte[] b = r.body();
        if (b == null || b.length == 0 || b.length > 1024 * 1024) {
            return null;
        }
        try {
            JsonNode n = Dto.JSON.readTree(b);
            JsonNode id = n == null || !n.isObject() ? null : n.get("approval_id");
            return id != null && id.isTextual() && !id.textValue().isBlank() ? id.textValue().trim() : null;
        } catch (java.io.IOException notJson) {
            return null; // the route's own parsing says what is wrong with the body
        }
    }

    static Dto.Envelope envelope(Object data) {
        return Dto.Envelope.data(requestId(), data);
    }

    static String requestId() {
        return UUID.randomUUID().toString();
    }

    /** Parses a JSON body into a DTO; an empty body is an empty object. */
    static <T> T body(ApiRequest r, Class<T> type) {
        byte[] b = r.body();
        try {
            if (b == null || b.length == 0 || new String(b, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
                return Dto.JSON.readValue("{}", type);
            }
            JsonNode tree = Dto.JSON.readTree(b);
            if (tree == null || !tree.isObject()) {
                throw new InvalidRequestException("The request body must be a JSON object.");
            }
            return Dto.JSON.treeToValue(tree, type);
        } catch (com.fasterxml.jackson.core.JsonParseException e) {
            throw new InvalidRequestException("The request body is not valid JSON.");
        } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
            throw new InvalidRequestException("The request body has a wrong type for " + field(e) + expected(e) + ".");
        } catch (IOException e) {
            throw new InvalidRequestException("The request body could not be read as JSON.");
        }
    }

    /** The field a mapping error is about, as a path: 'versions[0]', 'options.cas', 'custom_metadata.owner'. */
    private static String field(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (com.fasterxml.jackson.databind.JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                b.append(b.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                b.append('[').append(ref.getIndex()).append(']');
            }
        }
        return b.length() == 0 ? "a field" : "'" + b + "'";
    }

    private static String expected(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
        Class<?> t = e.getTargetType();
        if (t == null) {
            return "";
        }
        if (t == Integer.class || t == int.class || t == Long.class || t == long.class) {
            return " (a whole number is expected)";
        }
        if (t == Boolean.class || t == boolean.class) {
            return " (true or false is expected)";
        }
        if (t == String.class) {
            return " (a string is expected)";
        }
        if (java.util.Collection.class.isAssignableFrom(t)) {
            return " (a list is expected)";
        }
        if (Map.class.isAssignableFrom(t)) {
            return " (an object is expected)";
        }
        return "";
    }

    static ApiException methodNotAllowed() {
        return new ApiException(405, "unsupported operation");
    }

    static ApiException unsupportedPath() {
        return new ApiException(404, "unsupported path");
    }
}
