package dev.keyward.vault.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.engine.TestVaults;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** auth/token/{lookup,renew,revoke} with the token in the body, and sys/wrapping/{wrap,lookup,rewrap}, over HTTPS. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenAndWrappingRoutesTest {
    @TempDir
    static Path home;
    TestVaults.Opened vault;
    KeywardServer server;
    Https https;
    String admin;

    @BeforeAll
    void start() throws Exception {
        vault = TestVaults.initialised(home);
        Path ca = home.resolve("tls/ca.pem");
        server = KeywardServer.start(vault.engine(), ServerConfig.ephemeral().withRateLimits(0, 0), Clock.systemUTC(),
                ca);
        https = new Https(ca, server.urls().get(0));
        admin = vault.session().token();
        vault.engine().policies().put(vault.caller(), new Policy("ci-read", "", List.of(
                new PolicyRule("read", "secret/ci/*", EnumSet.of(Capability.READ), false, null, "ci", "pipelines",
                        java.time.Instant.now().plus(java.time.Duration.ofDays(30))))),
                "test");
        vault.engine().identities().putAppRole(vault.caller(), IdentityService.AppRoleSpec.of("ci", List.of("ci-read")));
        assertEquals(200, https.post("/v1/secret/data/ci/x", admin, "{\"data\":{\"a\":\"1\"}}").status());
    }

    @AfterAll
    void stop() {
        server.close();
        vault.close();
    }

    String appRoleToken() throws Exception {
        String roleId = https.get("/v1/auth/approle/role/ci/role-id", admin).json().at("/data/role_id").asText();
        String secretId = https.post("/v1/auth/approle/role/ci/secret-id", admin, "{}").json().at("/data/secret_id")
                .asText();
        Https.Reply login = https.post("/v1/auth/approle/login", null,
                "{\"role_id\":\"" + roleId + "\",\"secret_id\":\"" + secretId + "\"}");
        assertEquals(200, login.status(), login.body());
        return login.json().at("/auth/client_token").asText();
    }

    static String body(String token) {
        return "{\"token\":\"" + token + "\"}";
    }

    @Test
    void lookupRenewRevokeWithTheTokenInTheBodyAreCheckedByPolicy() throws Exception {
        String t1 = appRoleToken();
        String t2 = appRoleToken();

        Https.Reply look = https.post("/v1/auth/token/lookup", admin, body(t1));
        assertEquals(200, look.status(), look.body());
        assertEquals(t1, look.json().at("/data/id").asText());
        assertTrue(look.json().at("/data/policies").toString().contains("ci-read"), look.body());
        assertEquals(200, https.get("/v1/auth/token/lookup?token=" + t1, admin).status(), "Vault's older GET form");

        // A pipeline token may look at, renew and revoke itself, but not another token.
        assertEquals(403, https.post("/v1/auth/token/lookup", t2, body(t1)).status());
        assertEquals(403, https.post("/v1/auth/token/renew", t2, body(t1)).status());
        assertEquals(403, https.post("/v1/auth/token/revoke", t2, body(t1)).status());
        assertEquals(200, https.get("/v1/secret/data/ci/x", t1).status(), "t1 survived t2's attempt");
        assertEquals(200, https.post("/v1/auth/token/lookup", t2, body(t2)).status());

        Https.Reply renew = https.post("/v1/auth/token/renew", admin, "{\"token\":\"" + t1 + "\",\"increment\":\"2h\"}");
        assertEquals(200, renew.status(), renew.body());
        assertEquals(t1, renew.json().at("/auth/client_token").asText());
        long ttl = renew.json().at("/auth/lease_duration").asLong();
        assertTrue(ttl > 7100 && ttl <= 7200, "renewed to 2 h: " + ttl);

        // An increment shorter than what is left does not shorten the token (docs/server.md: unlike Vault).
        Https.Reply shorter = https.post("/v1/auth/token/renew", admin, "{\"token\":\"" + t1 + "\",\"increment\":\"10m\"}");
        assertEquals(200, shorter.status(), shorter.body());
        assertTrue(shorter.json().at("/auth/lease_duration").asLong() > 7000, shorter.body());

        assertEquals(400, https.post("/v1/auth/token/lookup", admin, body("kvt.not-a-token")).status());
        assertEquals(400, https.post("/v1/auth/token/renew", admin, "{}").status(), "missing token");
        assertEquals(400, https.post("/v1/auth/token/lookup", admin, "{\"token\":5}").status());

        assertEquals(204, https.post("/v1/auth/token/revoke", admin, body(t1)).status());
        assertEquals(403, https.get("/v1/secret/data/ci/x", t1).status(), "revoked");
        assertEquals(204, https.post("/v1/auth/token/revoke", t2, body(t2)).status(), "its own token");
        assertEquals(403, https.get("/v1/secret/data/ci/x", t2).status());

        List<AuditRecord> audit = TestVaults.auditEntries(vault.engine());
        assertTrue(audit.stream().anyMatch(e -> e.operation().equals("token.revoke") && e.outcome().equals("FAILURE")
                && "sys/token/revoke".equals(e.resource())), "the refused revoke is audited");
        for (AuditRecord e : audit) {
            assertFalse(e.toString().contains(t1) || e.toString().contains(t2), "no token in the audit log: " + e);
        }
    }

    @Test
    void wrapLookupRewrapUnwrap() throws Exception {
        String canary = "wrapped-canary-7c41";
        Https.Reply wrapped = https.send("POST", "/v1/sys/wrapping/wrap", admin, "{\"k\":\"" + canary + "\"}",
                "X-Vault-Wrap-TTL", "2m");
        assertEquals(200, wrapped.status(), wrapped.body());
        assertFalse(wrapped.body().contains(canary));
        String w1 = wrapped.json().at("/wrap_info/token").asText();
        assertEquals(120, wrapped.json().at("/wrap_info/ttl").asLong());
        assertEquals("sys/wrapping/wrap", wrapped.json().at("/wrap_info/creation_path").asText());

        for (int i = 0; i < 2; i++) { // looking does not open it
            Https.Reply look = https.post("/v1/sys/wrapping/lookup", null, body(w1));
            assertEquals(200, look.status(), look.body());
            assertEquals("sys/wrapping/wrap", look.json().at("/data/creation_path").asText());
            assertEquals(120, look.json().at("/data/creation_ttl").asLong());
            assertFalse(look.json().at("/data/creation_time").asText().isEmpty());
            assertFalse(look.body().contains(canary));
        }

        Https.Reply re = https.post("/v1/sys/wrapping/rewrap", null, body(w1));
        assertEquals(200, re.status(), re.body());
        String w2 = re.json().at("/wrap_info/token").asText();
        assertNotEquals(w1, w2);
        assertEquals(120, re.json().at("/wrap_info/ttl").asLong());
        assertEquals(400, https.post("/v1/sys/wrapping/unwrap", null, body(w1)).status(), "the old token is spent");
        assertEquals(400, https.post("/v1/sys/wrapping/lookup", null, body(w1)).status());

        Https.Reply opened = https.post("/v1/sys/wrapping/unwrap", null, body(w2));
        assertEquals(200, opened.status(), opened.body());
        assertEquals(canary, opened.json().at("/data/k").asText());
        assertEquals(400, https.post("/v1/sys/wrapping/unwrap", null, body(w2)).status(), "once");

        assertEquals(403, https.send("POST", "/v1/sys/wrapping/wrap", null, "{\"k\":\"v\"}").status(), "needs a token");
        assertEquals(400, https.post("/v1/sys/wrapping/wrap", admin, "{}").status(), "nothing to wrap");
        assertEquals(400, https.send("POST", "/v1/sys/wrapping/lookup", null, body(w2), "X-Vault-Wrap-TTL", "60")
                .status());
        for (AuditRecord e : TestVaults.auditEntries(vault.engine())) {
            assertFalse(e.toString().contains(canary), e.toString());
        }
    }

    @Test
    void aWrappedSecretIdNamesItsCreationPath() throws Exception {
        Https.Reply w = https.send("POST", "/v1/auth/approle/role/ci/secret-id", admin, "{}", "X-Vault-Wrap-TTL", "60");
        assertEquals(200, w.status(), w.body());
        JsonNode look = https.post("/v1/sys/wrapping/lookup", null, body(w.json().at("/wrap_info/token").asText()))
                .json();
        assertEquals("auth/approle/role/ci/secret-id", look.at("/data/creation_path").asText(), look.toString());
        assertEquals(60, look.at("/data/creation_ttl").asLong());
    }
}
