package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.AuthService;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.IdentityService.AppRoleSpec;
import dev.keyward.vault.api.IdentityService.CertIdentitySpec;
import dev.keyward.vault.api.IdentityService.SecretIdSpec;
import dev.keyward.vault.api.InitRequest;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.KvConfig;
import dev.keyward.vault.api.LifecycleService;
import dev.keyward.vault.api.MetadataUpdate;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.PolicyService;
import dev.keyward.vault.api.PolicyService.ExplainRequest;
import dev.keyward.vault.api.PolicyService.IdentityRef;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.SecretPatch;
import dev.keyward.vault.api.SecretsService;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.AuditService;
import dev.keyward.vault.api.KeyService;
import dev.keyward.vault.api.SealSpec;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.identity.Records;
import dev.keyward.vault.storage.StorageTx;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every operation of the whole service API (found by reflection, so new operations are covered
 * automatically), called as an auditor and as a security engineer, including deliberate attempts
 * to escalate: an auditor never sees a secret value; a security engineer never changes an existing
 * audit entry, never gets an audit operation allowed and never gains more privilege.
 */
class BuiltInRolesAcrossTheApiTest {
    static final String CANARY = "canary-value-7f3a9c";
    static final String SECRET_PATH = "app/db";
    static final List<Class<?>> SERVICES = List.of(LifecycleService.class, AuthService.class, SecretsService.class,
            IdentityService.class, PolicyService.class, AuditService.class, KeyService.class);

    /** Serialises results including secret values, so that a leak cannot hide behind a masking toString. */
    static final com.fasterxml.jackson.databind.ObjectMapper REVEALING = Records.JSON.copy().registerModule(
            new com.fasterxml.jackson.databind.module.SimpleModule().addSerializer(SecretData.class,
                    new com.fasterxml.jackson.databind.JsonSerializer<SecretData>() {
                        @Override
                        public void serialize(SecretData d, com.fasterxml.jackson.core.JsonGenerator g,
                                              com.fasterxml.jackson.databind.SerializerProvider p)
                                throws java.io.IOException {
                            g.writeObject(d.fields());
                        }
                    }));

    @TempDir
    Path home;
    TestVaults.Opened v;
    Caller admin;

    @BeforeEach
    void open(@TempDir Path tmp) throws Exception {
        scratch = tmp;
        v = TestVaults.initialised(home);
        admin = v.caller();
        v.engine().secrets().write(admin, SECRET_PATH, SecretData.of(Map.of("password", CANARY)), null);
        v.engine().identities().createOperator(admin, "audrey", "audrey passphrase".toCharArray(), List.of("auditor"));
        v.engine().identities().createOperator(admin, "sam", "sam passphrase1".toCharArray(),
                List.of("security-engineer"));
        v.engine().identities().putAppRole(admin, AppRoleSpec.of("ci", List.of()));
    }

    @AfterEach
    void close() {
        v.close();
    }

    Caller login(String name, String pass) {
        return v.engine().login(name, pass.toCharArray(), "10.0.0.1").caller();
    }

    /** Calls every method of every service as {@code who}; returns what came back (values and messages). */
    List<String> callEverything(String who, String pass, String self) throws Exception {
        List<String> seen = new ArrayList<>();
        int methods = 0;
        for (Class<?> service : SERVICES) {
            Object target = targetFor(service);
            List<Method> ms = new ArrayList<>(List.of(service.getMethods()));
            ms.sort(Comparator.comparing(Method::getName).thenComparing(m -> m.getParameterCount()));
            for (Method m : ms) {
                methods++;
                if (v.engine().status().sealed()) {
                    TestVaults.unseal(v.engine());
                }
                Caller c = login(who, pass);
                Object[] args = args(m, c, self);
                try {
                    Object result = m.invoke(targetFor(service), args);
                    seen.add(m.getName() + " -> " + result + " " + REVEALING.writeValueAsString(result));
                } catch (InvocationTargetException e) {
                    Throwable t = e.getCause();
                    if (!(t instanceof KeywardException)) {
                        throw new AssertionError(m + " failed with a non-Keyward exception", t);
                    }
                    seen.add(m.getName() + " !! " + t.getMessage());
                }
            }
            assertTrue(target != null);
        }
        if (v.engine().status().sealed()) {
            TestVaults.unseal(v.engine());
        }
        assertTrue(methods >= 50, "the whole API was walked: " + methods);
        return seen;
    }

    Object targetFor(Class<?> service) {
        return Map.<Class<?>, Object>of(LifecycleService.class, v.engine().lifecycle(), AuthService.class,
                v.engine().auth(), SecretsService.class, v.engine().secrets(), IdentityService.class,
                v.engine().identities(), PolicyService.class, v.engine().policies(), AuditService.class,
                v.engine().audit(), KeyService.class, v.engine().keys()).get(service);
    }

    /** Arguments for each method: plausible ones aimed at the canary secret, and escalation attempts. */
    static Object[] args(Method m, Caller c, String self) throws Exception {
        String n = m.getName();
        Map<String, Function<Caller, Object[]>> special = new LinkedHashMap<>();
        special.put("createOperator", x -> new Object[] {x, "mallory", "mallory passphrase".toCharArray(),
                List.of("admin")});
        special.put("setOperatorRoles", x -> new Object[] {x, self, List.of("admin")});
        special.put("disableOperator", x -> new Object[] {x, "admin"});
        special.put("enableOperator", x -> new Object[] {x, self});
        special.put("putRole", x -> new Object[] {x, "wide", List.of("admin", "wide"), "", "escalate"});
        special.put("deleteRole", x -> new Object[] {x, "auditor", "x"});
        special.put("apply", x -> new Object[] {x, "keyward: 1\noperators:\n  - name: " + self + "\n    roles: [admin]\n"
                + "policies:\n  - name: wide\n    rules:\n      - path: '*'\n        capabilities: [read, admin]\n"
                + "        owner: me\n        justification: escalate\n        expires: 2099-01-01T00:00:00Z\n",
                false, "escalate"});
        special.put("drift", x -> new Object[] {x, "keyward: 1\n"});
        special.put("login", x -> new Object[] {"admin", "guess passphrase".toCharArray(), "10.0.0.1"});
        special.put("logout", x -> new Object[] {x});
        special.put("init", x -> new Object[] {new InitRequest(new PassphraseSealSpec("another passphrase".toCharArray()),
                "x", "xxxxxxxxxxxx".toCharArray())});
        special.put("unwrap", x -> new Object[] {"kww.not-a-token", "10.0.0.1"});
        special.put("unwrapAny", x -> new Object[] {"kww.not-a-token", "10.0.0.1"});
        special.put("issueSecretId", x -> new Object[] {x, "ci", SecretIdSpec.defaults()});
        special.put("roleId", x -> new Object[] {x, "ci"});
        special.put("readAppRole", x -> new Object[] {x, "ci"});
        special.put("deleteAppRole", x -> new Object[] {x, "ci"});
        special.put("explain", x -> new Object[] {x, new ExplainRequest(new IdentityRef(IdentityRef.Type.OPERATOR,
                self), Operation.SECRET_READ, SECRET_PATH, null)});
        if (special.containsKey(n)) {
            return special.get(n).apply(c);
        }
        Type[] types = m.getGenericParameterTypes();
        Object[] out = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            out[i] = arg(types[i], c);
        }
        return out;
    }

    static Path scratch;

    static Object arg(Type t, Caller c) throws Exception {
        if (t == long.class) {
            return 1L;
        }
        if (t == Path.class) {
            return scratch.resolve("out-" + System.nanoTime());
        }
        if (t == SealSpec.class) {
            return new PassphraseSealSpec("attacker passphrase".toCharArray(), Argon2Parameters.insecureForTests());
        }
        if (t == Argon2Parameters.class) {
            return Argon2Parameters.insecureForTests();
        }
        if (t == AuditProgress.class) {
            return AuditProgress.NONE;
        }
        if (t == AuditQuery.class) {
            return new AuditQuery(null, null, null, null, null, null, -1, 100);
        }
        if (t instanceof ParameterizedType p && p.getRawType() == List.class) {
            Type e = p.getActualTypeArguments()[0];
            if (e == Integer.class) {
                return List.of(1);
            }
            if (e == X509Certificate.class) {
                return List.of(Certs.selfSigned("attacker", Instant.now()).cert());
            }
            return List.of("admin");
        }
        if (t == Caller.class) {
            return c;
        }
        if (t == String.class) {
            return SECRET_PATH;
        }
        if (t == int.class) {
            return 1;
        }
        if (t == Integer.class) {
            return null;
        }
        if (t == boolean.class) {
            return false;
        }
        if (t == Duration.class) {
            return Duration.ofDays(1);
        }
        if (t == char[].class) {
            return "guess passphrase".toCharArray();
        }
        if (t == SecretData.class) {
            return SecretData.of(Map.of("password", "overwritten"));
        }
        if (t == SecretPatch.class) {
            return new SecretPatch(Map.of("password", "patched"), Set.of());
        }
        if (t == MetadataUpdate.class) {
            return new MetadataUpdate(1, null, null, null);
        }
        if (t == KvConfig.class) {
            return KvConfig.DEFAULT;
        }
        if (t == UnsealCredential.class) {
            return UnsealCredential.passphrase(TestVaults.UNSEAL.toCharArray());
        }
        if (t == Policy.class) {
            return new Policy("wide", "", List.of(PolicyRule.grant("*", EnumSet.allOf(Capability.class), null, "me",
                    "escalate", Instant.parse("2099-01-01T00:00:00Z"))));
        }
        if (t == AppRoleSpec.class) {
            return AppRoleSpec.of("rootbot", List.of("admin"));
        }
        if (t == SecretIdSpec.class) {
            return SecretIdSpec.defaults();
        }
        if (t == CertIdentitySpec.class) {
            return new CertIdentitySpec("rootcert", "ab".repeat(32), null, List.of("admin"), null, null, null, null,
                    null);
        }
        if (t == ExplainRequest.class) {
            return new ExplainRequest(new IdentityRef(IdentityRef.Type.OPERATOR, "admin"), Operation.SECRET_READ,
                    SECRET_PATH, null);
        }
        if (t == byte[].class) {
            return "{\"data\":{\"k\":\"a response\"}}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        if (t == dev.keyward.vault.api.RefusedRequest.class) {
            return new dev.keyward.vault.api.RefusedRequest("10.0.0.1", "GET", "/v1/nope", 404, "unsupported path",
                    c.token(), 1);
        }
        fail("No test argument for " + t + ": add one so that the new operation is covered.");
        return null;
    }

    Map<String, byte[]> auditEntries() {
        return v.engine().storage().read(tx -> {
            Map<String, byte[]> m = new LinkedHashMap<>();
            for (StorageTx.Entry e : tx.scan("audit/", null, Integer.MAX_VALUE)) {
                m.put(e.key(), e.value());
            }
            return m;
        });
    }

    List<AuditRecord> audit() {
        return TestVaults.auditEntries(v.engine());
    }

    @Test
    void anAuditorNeverSeesASecretValueThroughAnyOperation() throws Exception {
        List<String> seen = callEverything("audrey", "audrey passphrase", "audrey");
        for (String s : seen) {
            assertFalse(s.contains(CANARY), s);
        }
        Caller audrey = login("audrey", "audrey passphrase");
        assertThrows(AccessDeniedException.class, () -> v.engine().secrets().read(audrey, SECRET_PATH, 0));
        assertTrue(v.engine().secrets().readMetadata(audrey, SECRET_PATH).currentVersion() >= 1,
                "metadata stays readable");
        assertTrue(v.engine().policies().explain(admin, new ExplainRequest(new IdentityRef(IdentityRef.Type.OPERATOR,
                "audrey"), Operation.SECRET_READ, SECRET_PATH, null)).rule().startsWith("policy:auditor@v1#deny:"));
        assertTrue(v.engine().identities().listOperators(admin).stream()
                .filter(o -> o.name().equals("audrey")).allMatch(o -> o.roles().equals(List.of("auditor"))));
        assertFalse(v.engine().secrets().read(admin, SECRET_PATH, 0).data().field("password").equals("overwritten"));
    }

    @Test
    void aSecurityEngineerCannotAlterTheAuditLogOrEscalateThroughAnyOperation() throws Exception {
        List<AuditRecord> before = audit();
        Map<String, byte[]> stored = auditEntries();
        callEverything("sam", "sam passphrase1", "sam");
        List<AuditRecord> after = audit();
        assertTrue(after.size() > before.size(), "the calls were audited");
        assertTrue(after.subList(0, before.size()).equals(before), "no earlier audit entry changed or went away");
        Map<String, byte[]> storedAfter = auditEntries();
        for (String key : stored.keySet()) {
            assertTrue(storedAfter.containsKey(key), "audit record removed: " + key);
        }
        var verified = v.engine().audit().verify(login("admin", TestVaults.ADMIN_PASS), null, null);
        assertTrue(verified.ok(), "the Merkle log still verifies: " + verified.problems());

        for (AuditRecord e : audit()) {
            if ("sam".equals(e.identityName()) && e.decision().equals("ALLOW")) {
                assertFalse(e.operation().startsWith("audit."), "allowed: " + e);
            }
        }
        for (Operation op : Operation.values()) {
            if (op.id().startsWith("audit.")) {
                assertFalse(v.engine().policies().explain(admin, new ExplainRequest(new IdentityRef(
                        IdentityRef.Type.OPERATOR, "sam"), op, "sys/audit/log", null)).allowed(), op.id());
            }
        }
        assertTrue(v.engine().identities().listOperators(admin).stream()
                .filter(o -> o.name().equals("sam")).allMatch(o -> o.roles().equals(List.of("security-engineer"))));
        assertTrue(v.engine().identities().listAppRoles(admin).stream().noneMatch(a -> a.name().equals("rootbot")));
        assertTrue(v.engine().policies().list(admin).stream().noneMatch(p -> p.name().equals("wide")));
    }
}
