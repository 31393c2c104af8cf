package dev.keyward.vault.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.engine.TestVaults;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What stock Vault clients send, over real HTTPS: Go durations, Go booleans, headers, strict types. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WireCompatibilityTest {
    @TempDir
    static Path home;
    TestVaults.Opened vault;
    KeywardServer server;
    Https https;
    String token;

    @BeforeAll
    void start() throws Exception {
        vault = TestVaults.initialised(home);
        Path ca = home.resolve("tls/ca.pem");
        server = KeywardServer.start(vault.engine(), ServerConfig.ephemeral().withRateLimits(0, 0), Clock.systemUTC(),
                ca);
        https = new Https(ca, server.urls().get(0));
        token = vault.session().token();
        assertEquals(200, https.post("/v1/secret/data/ci/x", token, "{\"data\":{\"a\":\"1\"}}").status());
        assertEquals(200, https.post("/v1/secret/data/ci/y", token, "{\"data\":{\"a\":\"2\"}}").status());
    }

    @AfterAll
    void stop() {
        server.close();
        vault.close();
    }

    // ------------------------------------------------------------------ durations

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"0s0ns,0s", "1.5h,1h30m0s", "1h30m45s,1h30m45s", "300ms,0s", "90,1m30s", "2.5s,2s",
        "1h0m0.5s,1h0m0s", "1500us,0s", "7d,168h0m0s", "0.25m,15s", "+1m,1m0s"})
    void goDurationsAreAcceptedAndAnsweredInGoForm(String sent, String shown) throws Exception {
        // Kept to the second, as Vault's KV engine keeps delete_version_after.
        Https.Reply w = https.post("/v1/secret/metadata/ci/x", token, "{\"delete_version_after\":\"" + sent + "\"}");
        assertEquals(204, w.status(), w.body());
        assertEquals(shown, https.get("/v1/secret/metadata/ci/x", token).json().at("/data/delete_version_after").asText());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"300ms,300ms", "1500us,1.5ms", "1500ns,1.5µs", "2.5s,2.5s", "1h0m0.5s,1h0m0.5s", "0s0ns,0s", "1.5h,1h30m0s",
        "100ns,100ns", "61m,1h1m0s"})
    void durationsRoundTripInGoForm(String text, String go) {
        assertEquals(go, Durations.format(Durations.parse(text)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "1.5.5h", "h", "-1s", "1y", "1h 30m", ".s", "1e3s"})
    void badDurationsAre400(String sent) throws Exception {
        Https.Reply r = https.post("/v1/secret/metadata/ci/x", token, "{\"delete_version_after\":\"" + sent + "\"}");
        assertEquals(400, r.status(), sent + ": " + r.body());
        assertTrue(r.body().contains("delete_version_after"), r.body());
    }

    @Test
    void goDurationsInConfigRenewalAndWrapTtl() throws Exception {
        assertEquals(204, https.post("/v1/secret/config", token, "{\"delete_version_after\":\"0s0ns\"}").status());
        assertEquals("0s", https.get("/v1/secret/config", token).json().at("/data/delete_version_after").asText());
        Https.Reply wrapped = https.send("GET", "/v1/secret/data/ci/x", token, null, "X-Vault-Wrap-TTL", "1.5m");
        assertEquals(200, wrapped.status(), wrapped.body());
        assertEquals(90, wrapped.json().at("/wrap_info/ttl").asLong());
    }

    // ------------------------------------------------------------------ list=

    @ParameterizedTest
    @ValueSource(strings = {"true", "1", "t", "T", "TRUE", "True"})
    void listAcceptsGoBooleans(String value) throws Exception {
        Https.Reply r = https.get("/v1/secret/metadata/ci?list=" + value, token);
        assertEquals(200, r.status(), value + ": " + r.body());
        assertEquals("[\"x\",\"y\"]", r.json().at("/data/keys").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "0", "f", "F", "FALSE", "False"})
    void listFalseIsAPlainRead(String value) throws Exception {
        Https.Reply r = https.get("/v1/secret/metadata/ci/x?list=" + value, token);
        assertEquals(200, r.status(), value + ": " + r.body());
        assertEquals(1, r.json().at("/data/current_version").asInt());
    }

    // ------------------------------------------------------------------ headers

    @Test
    void wrapTtlIsHonouredOnSysMounts() throws Exception {
        Https.Reply r = https.send("GET", "/v1/sys/mounts", token, null, "X-Vault-Wrap-TTL", "60");
        assertEquals(200, r.status(), r.body());
        String wrapToken = r.json().at("/wrap_info/token").asText();
        assertFalse(wrapToken.isEmpty(), r.body());
        assertTrue(r.json().get("data").isNull(), r.body());
        assertFalse(r.body().contains("secret/"), "the mounts are wrapped, not shown: " + r.body());
        Https.Reply opened = https.post("/v1/sys/wrapping/unwrap", null, "{\"token\":\"" + wrapToken + "\"}");
        assertEquals(200, opened.status(), opened.body());
        assertEquals("kv", opened.json().at("/data/secret~1/type").asText(), opened.body());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"GET,/v1/sys/health", "GET,/v1/sys/seal-status", "POST,/v1/secret/delete/ci/y",
        "POST,/v1/secret/metadata/ci/y", "DELETE,/v1/secret/data/ci/y", "POST,/v1/auth/token/revoke-self"})
    void wrapTtlIsRefusedWhereNothingCanBeWrapped(String method, String path) throws Exception {
        String body = method.equals("POST") ? (path.contains("delete/") ? "{\"versions\":[1]}" : "{}") : null;
        Https.Reply r = https.send(method, path, token, body, "X-Vault-Wrap-TTL", "60");
        assertEquals(400, r.status(), r.body());
        assertTrue(r.body().contains("wrap"), r.body());
        // Refused before it ran: the secret is untouched and the token still works.
        assertEquals(200, https.get("/v1/secret/data/ci/y", token).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"team-a", "root/team-a", "admin/"})
    void aNamespaceOtherThanRootIs400(String ns) throws Exception {
        Https.Reply r = https.send("POST", "/v1/secret/data/ns-probe", token, "{\"data\":{\"a\":\"1\"}}",
                "X-Vault-Namespace", ns);
        assertEquals(400, r.status(), r.body());
        assertTrue(r.body().contains("namespace"), r.body());
        assertEquals(404, https.get("/v1/secret/data/ns-probe", token).status(), "nothing landed in the root mount");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "root", "root/", "/"})
    void theRootNamespaceIsServed(String ns) throws Exception {
        assertEquals(200, https.send("GET", "/v1/secret/data/ci/x", token, null, "X-Vault-Namespace", ns).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"100", "101", "103", "199", "301", "302", "0", "600", "099"})
    void healthStatusOverridesMustBeFinalCodes(String code) throws Exception {
        Https.Reply r = https.get("/v1/sys/health?activecode=" + code, null);
        assertEquals(400, r.status(), code + ": " + r.body());
        assertTrue(r.body().contains("activecode"), r.body());
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 204, 299, 429, 473, 503})
    void healthAcceptsFinalCodes(int code) throws Exception {
        assertEquals(code, https.get("/v1/sys/health?activecode=" + code, null).status());
    }

    // ------------------------------------------------------------------ strict input

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "/v1/secret/delete/ci/x|{\"versions\":[1.5]}|versions[0]",
        "/v1/secret/destroy/ci/x|{\"versions\":[1e2]}|versions[0]",
        "/v1/secret/undelete/ci/x|{\"versions\":[\"1\"]}|versions[0]",
        "/v1/secret/data/ci/z|{\"data\":{\"a\":\"1\"},\"options\":{\"cas\":0.5}}|options.cas",
        "/v1/secret/metadata/ci/x|{\"max_versions\":2.5}|max_versions",
        "/v1/secret/metadata/ci/x|{\"max_versions\":1e1}|max_versions",
        "/v1/secret/config|{\"max_versions\":3.0}|max_versions",
        "/v1/secret/metadata/ci/x|{\"custom_metadata\":{\"owner\":5}}|custom_metadata.owner",
        "/v1/secret/metadata/ci/x|{\"custom_metadata\":{\"owner\":true}}|custom_metadata.owner",
        "/v1/secret/metadata/ci/x|{\"cas_required\":\"true\"}|cas_required",
        "/v1/auth/approle/login|{\"role_id\":5,\"secret_id\":\"x\"}|role_id"})
    void wrongTypesAre400NamingTheField(String path, String body, String field) throws Exception {
        Https.Reply r = https.post(path, path.contains("login") ? null : token, body);
        assertEquals(400, r.status(), body + ": " + r.body());
        assertTrue(r.body().contains("'" + field + "'"), body + ": " + r.body());
        assertFalse(r.body().contains("'null'"), r.body());
        assertFalse(r.body().contains("'null'"), r.body());
        // Nothing happened: version 1 of ci/x is still there.
        JsonNode meta = https.get("/v1/secret/metadata/ci/x", token).json().path("data");
        assertEquals("", meta.at("/versions/1/deletion_time").asText());
        assertTrue(meta.path("custom_metadata").isNull() || !meta.path("custom_metadata").has("owner"), meta.toString());
    }

    @Test
    void aWrongTypedLoginIsNotAFailedAttempt() throws Exception {
        for (int i = 0; i < 12; i++) {
            Https.Reply r = https.post("/v1/auth/userpass/login/" + TestVaults.ADMIN, null, "{\"password\":12345}");
            assertEquals(400, r.status(), r.body());
            assertTrue(r.body().contains("'password'"), r.body());
        }
        IdentityService.OperatorInfo admin = vault.engine().identities().listOperators(vault.caller()).stream()
                .filter(o -> o.name().equals(TestVaults.ADMIN)).findFirst().orElseThrow();
        assertEquals(0, admin.failedLogins(), "a malformed body says nothing about the passphrase");
        assertEquals(null, admin.lockedUntil());
        assertEquals(200, https.post("/v1/auth/userpass/login/" + TestVaults.ADMIN, null,
                "{\"password\":\"" + TestVaults.ADMIN_PASS + "\"}").status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a%E2%80%AEb", "a%E2%80%8Bb", "a%E2%81%A6b", "a%EF%BB%BFb", "%E2%80%8F"})
    void formatCharactersAreRefusedInPaths(String segment) throws Exception {
        Https.Reply w = https.post("/v1/secret/data/ci/" + segment, token, "{\"data\":{\"a\":\"1\"}}");
        assertEquals(400, w.status(), w.body());
        assertEquals(400, https.get("/v1/secret/data/" + segment, token).status());
        assertEquals(400, https.get("/v1/secret/metadata/" + segment + "/?list=true", token).status());
    }

    @Test
    void formatCharactersAreRefusedInFieldAndMetadataNames() throws Exception {
        Https.Reply f = https.post("/v1/secret/data/ci/f", token, "{\"data\":{\"pass\\u202eword\":\"1\"}}");
        assertEquals(400, f.status(), f.body());
        Https.Reply m = https.post("/v1/secret/metadata/ci/x", token, "{\"custom_metadata\":{\"own\\u2066er\":\"a\"}}");
        assertEquals(400, m.status(), m.body());
        Https.Reply role = https.post("/v1/auth/approle/role/ci%E2%80%AE/secret-id", token, "{}");
        assertEquals(400, role.status(), role.body());
    }

    @Test
    void aChunkedBodyOverTheLimitIs413() throws Exception {
        byte[] big = ("{\"data\":{\"a\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}}").getBytes();
        HttpRequest req = HttpRequest.newBuilder(URI.create(server.urls().get(0) + "/v1/secret/data/ci/big"))
                .header("X-Vault-Token", token).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build();
        HttpResponse<String> r;
        try {
            r = https.client.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException closedWhileSending) {
            throw new AssertionError("the endpoint should answer 413, not drop the connection", closedWhileSending);
        }
        assertEquals(413, r.statusCode(), r.body());
        assertNotNull(r.body());
        assertEquals(404, https.get("/v1/secret/data/ci/big", token).status());
    }
}
