package dev.keyward.vault.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.vault.engine.TestVaults;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The endpoint over real HTTPS on loopback, with a JDK client that trusts only the exported CA. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpsEndpointTest {
    static final Set<String> ENVELOPE = Set.of("request_id", "lease_id", "renewable", "lease_duration", "data",
            "wrap_info", "warnings", "auth");

    @TempDir
    static Path home;
    TestVaults.Opened vault;
    KeywardServer server;
    Path caPem;
    Https https;
    String token;

    @BeforeAll
    void start() throws Exception {
        vault = TestVaults.initialised(home);
        caPem = home.resolve("tls/ca.pem");
        server = KeywardServer.start(vault.engine(), ServerConfig.ephemeral().withRateLimits(0, 0)
                .withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(1)), Clock.systemUTC(), caPem);
        https = new Https(caPem, server.urls().get(0));
        Https.Reply login = https.post("/v1/auth/userpass/login/" + TestVaults.ADMIN, null,
                "{\"password\":\"" + TestVaults.ADMIN_PASS + "\"}");
        assertEquals(200, login.status(), login.body());
        token = login.json().at("/auth/client_token").asText();
    }

    @AfterAll
    void stop() {
        server.close();
        vault.close();
    }

    @Nested
    class Tls {
        @Test
        void serverCertificateNamesLoopbackAndChainsToTheExportedCa() throws Exception {
            X509Certificate cert = server.serverCertificate();
            String sans = cert.getSubjectAlternativeNames().toString();
            assertTrue(sans.contains("localhost") && sans.contains("127.0.0.1") && sans.contains("0:0:0:0:0:0:0:1"), sans);
            assertTrue(server.ca().issued(cert, java.time.Instant.now()));
            assertTrue(Files.readString(caPem).startsWith("-----BEGIN CERTIFICATE-----"));
        }

        @Test
        void caKeyIsNotOnDiskInTheClear() throws Exception {
            try (var files = Files.walk(home)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    String s = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                    assertFalse(s.contains("PRIVATE KEY"), p.toString());
                }
            }
        }

        @Test
        void tls13AndTls12AeadAreOfferedButNotCbc() throws Exception {
            assertEquals("TLSv1.3", handshake(new String[] {"TLSv1.3"}, null));
            assertEquals("TLSv1.2", handshake(new String[] {"TLSv1.2"}, new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}));
            assertThrows(SSLHandshakeException.class,
                    () -> handshake(new String[] {"TLSv1.2"}, new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"}));
            assertThrows(SSLHandshakeException.class, () -> handshake(new String[] {"TLSv1.1"}, null));
        }

        private String handshake(String[] protocols, String[] suites) throws Exception {
            SSLContext ctx = Https.sslContext(caPem, null);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", server.port())) {
                s.setEnabledProtocols(protocols);
                if (suites != null) {
                    s.setEnabledCipherSuites(suites);
                }
                s.startHandshake();
                return s.getSession().getProtocol();
            }
        }
    }

    @Nested
    class System {
        @Test
        void healthIsBareJsonWithExactContentType() throws Exception {
            Https.Reply r = https.get("/v1/sys/health", null);
            assertEquals(200, r.status());
            assertEquals("application/json", r.contentType());
            JsonNode j = r.json();
            for (String k : List.of("initialized", "sealed", "standby", "server_time_utc", "version", "cluster_name", "cluster_id")) {
                assertTrue(j.has(k), k);
            }
            assertFalse(j.has("data"));
            assertEquals(429, https.get("/v1/sys/health?activecode=429", null).status());
        }

        @Test
        void sealStatusAndMountsDescribeKv2() throws Exception {
            JsonNode s = https.get("/v1/sys/seal-status", null).json();
            assertFalse(s.get("sealed").asBoolean());
            assertEquals(1, s.get("t").asInt());
            JsonNode ui = https.get("/v1/sys/internal/ui/mounts/secret/app", token).json();
            assertEquals("2", ui.at("/data/options/version").asText());
            assertEquals("secret/", ui.at("/data/path").asText());
            JsonNode mounts = https.get("/v1/sys/mounts", token).json();
            assertEquals("kv", mounts.at("/data/secret~1/type").asText());
            assertEquals("2", mounts.at("/secret~1/options/version").asText());
        }
    }

    @Nested
    class Kv {
        @Test
        void writeReadListDeleteUndeleteDestroy() throws Exception {
            Https.Reply w = https.post("/v1/secret/data/app/db", token, "{\"data\":{\"password\":\"canary-1\"}}");
            assertEquals(200, w.status(), w.body());
            assertEquals(ENVELOPE, fields(w.json()));
            assertEquals(1, w.json().at("/data/version").asInt());
            assertEquals("", w.json().at("/data/deletion_time").asText());

            Https.Reply r = https.get("/v1/secret/data/app/db", token);
            assertEquals(200, r.status());
            assertEquals("canary-1", r.json().at("/data/data/password").asText());
            assertTrue(r.json().at("/data/metadata/created_time").asText().endsWith("Z"));

            https.post("/v1/secret/data/app/db", token, "{\"data\":{\"password\":\"canary-2\"}}");
            assertEquals("canary-1", https.get("/v1/secret/data/app/db?version=1", token).json().at("/data/data/password").asText());

            Https.Reply list = https.send("LIST", "/v1/secret/metadata/app", token, null);
            assertEquals(200, list.status(), list.body());
            assertEquals("[\"db\"]", list.json().at("/data/keys").toString());
            assertEquals(list.json().at("/data/keys"), https.get("/v1/secret/metadata/app?list=true", token).json().at("/data/keys"));
            assertTrue(https.get("/v1/secret/metadata?list=true", token).json().at("/data/keys").toString().contains("\"app/\""));
            Https.Reply empty = https.send("LIST", "/v1/secret/metadata/nothing-here", token, null);
            assertEquals(404, empty.status());
            assertEquals("{\"errors\":[]}", empty.body());

            assertEquals(204, https.send("DELETE", "/v1/secret/data/app/db", token, null).status());
            Https.Reply deleted = https.get("/v1/secret/data/app/db", token);
            assertEquals(404, deleted.status());
            assertTrue(deleted.json().at("/data/data").isNull());
            assertFalse(deleted.json().at("/data/metadata/deletion_time").asText().isEmpty());

            assertEquals(204, https.post("/v1/secret/undelete/app/db", token, "{\"versions\":[2]}").status());
            assertEquals("canary-2", https.get("/v1/secret/data/app/db", token).json().at("/data/data/password").asText());
            assertEquals(204, https.post("/v1/secret/destroy/app/db", token, "{\"versions\":[1]}").status());
            Https.Reply destroyed = https.get("/v1/secret/data/app/db?version=1", token);
            assertEquals(404, destroyed.status());
            assertTrue(destroyed.json().at("/data/metadata/destroyed").asBoolean());

            JsonNode meta = https.get("/v1/secret/metadata/app/db", token).json().at("/data");
            assertEquals(2, meta.get("current_version").asInt());
            assertTrue(meta.at("/versions/1/destroyed").asBoolean());
            assertEquals("0s", meta.get("delete_version_after").asText());
            assertEquals(204, https.send("DELETE", "/v1/secret/metadata/app/db", token, null).status());
            assertEquals(404, https.get("/v1/secret/data/app/db", token).status());
        }

        @Test
        void casConflictIsA400WithVaultsMessage() throws Exception {
            assertEquals(200, https.post("/v1/secret/data/cas/x", token, "{\"data\":{\"a\":\"1\"},\"options\":{\"cas\":0}}").status());
            Https.Reply again = https.post("/v1/secret/data/cas/x", token, "{\"data\":{\"a\":\"2\"},\"options\":{\"cas\":0}}");
            assertEquals(400, again.status());
            assertEquals("check-and-set parameter did not match the current version", again.json().at("/errors/0").asText());
            assertEquals(200, https.post("/v1/secret/data/cas/x", token, "{\"data\":{\"a\":\"2\"},\"options\":{\"cas\":1}}").status());
        }

        @Test
        void patchNeedsMergePatchContentType() throws Exception {
            https.post("/v1/secret/data/patch/x", token, "{\"data\":{\"a\":\"1\",\"b\":\"2\"}}");
            assertEquals(415, https.send("PATCH", "/v1/secret/data/patch/x", token, "{\"data\":{\"a\":\"9\"}}",
                    "Content-Type", "application/json").status());
            Https.Reply p = https.send("PATCH", "/v1/secret/data/patch/x", token, "{\"data\":{\"a\":\"9\",\"b\":null}}",
                    "Content-Type", "application/merge-patch+json");
            assertEquals(200, p.status(), p.body());
            JsonNode d = https.get("/v1/secret/data/patch/x", token).json().at("/data/data");
            assertEquals("9", d.get("a").asText());
            assertFalse(d.has("b"));
            assertEquals(404, https.send("PATCH", "/v1/secret/data/patch/absent", token, "{\"data\":{\"a\":\"1\"}}",
                    "Content-Type", "application/merge-patch+json").status());
        }

        @Test
        void metadataAndConfigRoundTrip() throws Exception {
            assertEquals(204, https.post("/v1/secret/metadata/meta/x", token,
                    "{\"max_versions\":3,\"custom_metadata\":{\"owner\":\"ci\"},\"delete_version_after\":\"1h\"}").status());
            https.post("/v1/secret/data/meta/x", token, "{\"data\":{\"a\":\"1\"}}");
            JsonNode m = https.get("/v1/secret/metadata/meta/x", token).json().at("/data");
            assertEquals(3, m.get("max_versions").asInt());
            assertEquals("ci", m.at("/custom_metadata/owner").asText());
            assertEquals("1h0m0s", m.get("delete_version_after").asText());
            assertEquals(204, https.post("/v1/secret/config", token, "{\"max_versions\":20}").status());
            assertEquals(20, https.get("/v1/secret/config", token).json().at("/data/max_versions").asInt());
        }

        @Test
        void bearerTokenWorksAndXVaultTokenWins() throws Exception {
            https.post("/v1/secret/data/bearer/x", token, "{\"data\":{\"a\":\"1\"}}");
            assertEquals(200, https.send("GET", "/v1/secret/data/bearer/x", null, null, "Authorization", "Bearer " + token).status());
            assertEquals(200, https.send("GET", "/v1/secret/data/bearer/x", token, null, "Authorization", "Bearer garbage").status());
        }
    }

    @Nested
    class Wrapping {
        @Test
        void wrappedResponseUnwrapsOnceAndIsRefusedTheSecondTime() throws Exception {
            https.post("/v1/secret/data/wrap/x", token, "{\"data\":{\"k\":\"canary-wrap\"}}");
            Https.Reply wrapped = https.send("GET", "/v1/secret/data/wrap/x", token, null, "X-Vault-Wrap-TTL", "5m");
            assertEquals(200, wrapped.status());
            JsonNode j = wrapped.json();
            assertTrue(j.get("data").isNull());
            assertEquals("", j.get("request_id").asText());
            assertEquals(300, j.at("/wrap_info/ttl").asInt());
            assertFalse(wrapped.body().contains("canary-wrap"));
            String wrapToken = j.at("/wrap_info/token").asText();
            Https.Reply once = https.post("/v1/sys/wrapping/unwrap", null, "{\"token\":\"" + wrapToken + "\"}");
            assertEquals(200, once.status());
            assertEquals("canary-wrap", once.json().at("/data/data/k").asText());
            Https.Reply twice = https.post("/v1/sys/wrapping/unwrap", wrapToken, null);
            assertEquals(400, twice.status());
        }
    }

    @Nested
    class Denials {
        @ParameterizedTest
        @CsvSource({"GET,/v1/secret/data/x", "POST,/v1/secret/data/x", "LIST,/v1/secret/metadata/",
            "GET,/v1/sys/mounts", "DELETE,/v1/secret/data/x"})
        void missingOrGarbageTokenIs403(String method, String path) throws Exception {
            String body = method.equals("POST") ? "{\"data\":{\"a\":\"b\"}}" : null;
            Https.Reply none = https.send(method, path, null, body);
            assertEquals(403, none.status(), none.body());
            assertEquals("{\"errors\":[\"permission denied\"]}", none.body());
            assertEquals(403, https.send(method, path, "kws.garbage", body).status());
        }
    }

    static Set<String> fields(JsonNode n) {
        Set<String> s = new java.util.TreeSet<>();
        n.fieldNames().forEachRemaining(s::add);
        return s;
    }

    /** A raw TLS socket, for requests no polite client sends. */
    static String raw(Path caPem, int port, byte[] request, int pauseMillis) throws Exception {
        SSLContext ctx = Https.sslContext(caPem, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(15000);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            if (pauseMillis > 0) {
                Thread.sleep(pauseMillis);
            }
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (java.net.SocketException e) {
            return "closed: " + e.getMessage();
        }
    }

    @Test
    void unknownRoutesAndMethodsAreJson() throws Exception {
        Https.Reply r = https.get("/v1/nope", token);
        assertEquals(404, r.status());
        assertEquals("application/json", r.contentType());
        assertNotNull(r.json().get("errors"));
        assertEquals(405, https.send("BREW", "/v1/secret/data/x", token, null).status());
    }
}
