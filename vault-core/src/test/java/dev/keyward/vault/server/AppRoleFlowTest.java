package dev.keyward.vault.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.engine.TestVaults;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline's path over real HTTPS: AppRole with a wrapped secret_id, KV operations under a
 * policy, CAS conflict, token expiry, renewal and revocation; and mutual-TLS cert login.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AppRoleFlowTest {
    static final Set<String> AUTH = Set.of("client_token", "accessor", "policies", "token_policies",
            "identity_policies", "metadata", "lease_duration", "renewable", "entity_id", "token_type", "orphan",
            "mfa_requirement", "num_uses");

    @TempDir
    static Path home;
    TestVaults.Opened vault;
    KeywardServer server;
    Https https;
    Path caPem;
    String admin;

    @BeforeAll
    void start() throws Exception {
        vault = TestVaults.initialised(home);
        Caller a = vault.caller();
        Instant later = Instant.now().plus(Duration.ofDays(1));
        vault.engine().policies().put(a, new Policy("ci", "pipeline access", List.of(PolicyRule.grant("secret/app/*",
                EnumSet.of(Capability.CREATE, Capability.READ, Capability.UPDATE, Capability.DELETE, Capability.LIST,
                        Capability.DESTROY, Capability.REVEAL_METADATA), PolicyConditions.NONE, "ci-team",
                "pipelines read their own secrets", later))), "test");
        vault.engine().identities().putAppRole(a, IdentityService.AppRoleSpec.of("ci", List.of("ci")));
        vault.engine().identities().putAppRole(a, new IdentityService.AppRoleSpec("short", List.of("ci"),
                Duration.ofSeconds(2), Duration.ofSeconds(2), 0, List.of(), null, 0, List.of(), "ci-team", "expiry test"));
        caPem = home.resolve("tls/ca.pem");
        server = KeywardServer.start(vault.engine(), ServerConfig.ephemeral().withRateLimits(0, 0), Clock.systemUTC(), caPem);
        https = new Https(caPem, server.urls().get(0));
        admin = vault.session().token();
    }

    @AfterAll
    void stop() {
        server.close();
        vault.close();
    }

    private String secretIdFor(String role) throws Exception {
        return https.post("/v1/auth/approle/role/" + role + "/secret-id", admin, "{}").json().at("/data/secret_id").asText();
    }

    private String roleId(String role) throws Exception {
        Https.Reply r = https.get("/v1/auth/approle/role/" + role + "/role-id", admin);
        assertEquals(200, r.status(), r.body());
        return r.json().at("/data/role_id").asText();
    }

    private Https.Reply login(String roleId, String secretId) throws Exception {
        return https.post("/v1/auth/approle/login", null,
                "{\"role_id\":\"" + roleId + "\",\"secret_id\":\"" + secretId + "\"}");
    }

    @Test
    void appRoleLoginThenKvThenCasThenRenewAndRevoke() throws Exception {
        // A wrapped secret_id: unwrapped once, refused the second time.
        Https.Reply wrapped = https.send("POST", "/v1/auth/approle/role/ci/secret-id", admin, "{}", "X-Vault-Wrap-TTL", "60s");
        assertEquals(200, wrapped.status(), wrapped.body());
        assertTrue(wrapped.json().get("data").isNull());
        String wrapToken = wrapped.json().at("/wrap_info/token").asText();
        assertFalse(wrapToken.isEmpty());
        Https.Reply unwrapped = https.post("/v1/sys/wrapping/unwrap", null, "{\"token\":\"" + wrapToken + "\"}");
        assertEquals(200, unwrapped.status(), unwrapped.body());
        String secretId = unwrapped.json().at("/data/secret_id").asText();
        assertFalse(secretId.isEmpty());
        assertEquals(400, https.post("/v1/sys/wrapping/unwrap", null, "{\"token\":\"" + wrapToken + "\"}").status());

        Https.Reply login = login(roleId("ci"), secretId);
        assertEquals(200, login.status(), login.body());
        assertEquals(AUTH, HttpsEndpointTest.fields(login.json().get("auth")));
        assertEquals(HttpsEndpointTest.ENVELOPE, HttpsEndpointTest.fields(login.json()));
        String t = login.json().at("/auth/client_token").asText();
        assertTrue(login.json().at("/auth/lease_duration").asLong() > 0);

        assertEquals(200, https.post("/v1/secret/data/app/db", t, "{\"data\":{\"password\":\"canary-approle\"}}").status());
        assertEquals("canary-approle", https.get("/v1/secret/data/app/db", t).json().at("/data/data/password").asText());
        assertEquals(200, https.send("LIST", "/v1/secret/metadata/app", t, null).status());
        assertEquals(204, https.send("DELETE", "/v1/secret/data/app/db", t, null).status());
        assertEquals(204, https.post("/v1/secret/undelete/app/db", t, "{\"versions\":[1]}").status());
        assertEquals(200, https.post("/v1/secret/data/app/db", t, "{\"data\":{\"password\":\"v2\"},\"options\":{\"cas\":1}}").status());
        Https.Reply cas = https.post("/v1/secret/data/app/db", t, "{\"data\":{\"password\":\"v3\"},\"options\":{\"cas\":1}}");
        assertEquals(400, cas.status());
        assertEquals(204, https.post("/v1/secret/destroy/app/db", t, "{\"versions\":[1]}").status());
        assertEquals(403, https.get("/v1/secret/data/other/x", t).status(), "outside the policy");

        JsonNode look = https.get("/v1/auth/token/lookup-self", t).json().at("/data");
        assertEquals(List.of("ci"), List.of(look.at("/policies/0").asText()));
        assertTrue(look.get("ttl").asLong() > 0);
        Https.Reply renew = https.post("/v1/auth/token/renew-self", t, "{\"increment\":\"30m\"}");
        assertEquals(200, renew.status(), renew.body());
        assertEquals(AUTH, HttpsEndpointTest.fields(renew.json().get("auth")));

        assertEquals(204, https.post("/v1/auth/token/revoke-self", t, null).status());
        assertEquals(403, https.get("/v1/secret/data/app/db", t).status());
    }

    @Test
    void wrongSecretIdIs400InvalidRoleOrSecretId() throws Exception {
        Https.Reply r = login(roleId("ci"), "not-the-secret");
        assertEquals(400, r.status());
        assertEquals("invalid role or secret ID", r.json().at("/errors/0").asText());
    }

    @Test
    void expiredTokenIsRefused() throws Exception {
        String t = login(roleId("short"), secretIdFor("short")).json().at("/auth/client_token").asText();
        assertEquals(404, https.get("/v1/secret/data/app/nothing", t).status());
        Thread.sleep(2500);
        assertEquals(403, https.get("/v1/secret/data/app/nothing", t).status());
    }

    @Test
    void mutualTlsCertLogin() throws Exception {
        LocalCa.Issued client = server.ca().issueClient("build-agent", Instant.now());
        String fp = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(client.certificate().getEncoded()));
        vault.engine().identities().putCertIdentity(vault.caller(), new IdentityService.CertIdentitySpec("build-agent",
                fp, null, List.of("ci"), null, null, List.of(), "ci-team", "build agent"));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("c", client.key(), "pw".toCharArray(), new Certificate[] {client.certificate(), server.ca().certificate()});
        Https mtls = new Https(Https.sslContext(caPem, ks), server.urls().get(0));
        Https.Reply login = mtls.post("/v1/auth/cert/login", null, "{\"name\":\"build-agent\"}");
        assertEquals(200, login.status(), login.body());
        String t = login.json().at("/auth/client_token").asText();
        assertEquals(200, mtls.post("/v1/secret/data/app/cert", t, "{\"data\":{\"a\":\"b\"}}").status());
        // Without a client certificate there is nothing to log in with.
        assertEquals(400, https.post("/v1/auth/cert/login", null, "{}").status());
    }
}
