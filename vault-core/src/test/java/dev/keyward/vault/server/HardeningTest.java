package dev.keyward.vault.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuditPage;
import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.engine.TestVaults;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input gets the right 4xx as JSON, never a 5xx, and the endpoint keeps serving. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HardeningTest {
    @TempDir
    static Path home;
    TestVaults.Opened vault;
    KeywardServer server;
    Https https;
    String token;
    Path caPem;

    @BeforeAll
    void start() throws Exception {
        vault = TestVaults.initialised(home);
        caPem = home.resolve("tls/ca.pem");
        server = KeywardServer.start(vault.engine(), ServerConfig.ephemeral().withRateLimits(0, 0)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1)), Clock.systemUTC(), caPem);
        https = new Https(caPem, server.urls().get(0));
        token = https.post("/v1/auth/userpass/login/" + TestVaults.ADMIN, null,
                "{\"password\":\"" + TestVaults.ADMIN_PASS + "\"}").json().at("/auth/client_token").asText();
        https.post("/v1/secret/data/ok", token, "{\"data\":{\"a\":\"1\"}}");
    }

    @AfterAll
    void stop() {
        server.close();
        vault.close();
    }

    @AfterEach
    void stillServing() throws Exception {
        assertEquals(200, https.get("/v1/secret/data/ok", token).status());
    }

    static Stream<Arguments> badInput() {
        String big = "{\"data\":{\"a\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}}";
        return Stream.of(
                Arguments.of("malformed JSON", "POST", "/v1/secret/data/x", "{\"data\":", true, 400),
                Arguments.of("JSON array body", "POST", "/v1/secret/data/x", "[1,2]", true, 400),
                Arguments.of("10 MB body", "POST", "/v1/secret/data/x", big, true, 413),
                Arguments.of("number where string belongs", "POST", "/v1/secret/data/x", "{\"data\":{\"a\":1}}", true, 400),
                Arguments.of("string where cas number belongs", "POST", "/v1/secret/data/x",
                        "{\"data\":{\"a\":\"1\"},\"options\":{\"cas\":\"zero\"}}", true, 400),
                Arguments.of("data not an object", "POST", "/v1/secret/data/x", "{\"data\":\"text\"}", true, 400),
                Arguments.of("versions not numbers", "POST", "/v1/secret/destroy/ok", "{\"versions\":[\"a\"]}", true, 400),
                Arguments.of("no versions", "POST", "/v1/secret/delete/ok", "{}", true, 400),
                Arguments.of("bad duration", "POST", "/v1/secret/metadata/ok", "{\"delete_version_after\":\"soon\"}", true, 400),
                Arguments.of("negative version", "GET", "/v1/secret/data/ok?version=-1", null, true, 400),
                Arguments.of("dot-dot segment", "GET", "/v1/secret/data/a/%2E%2E/b", null, true, 400),
                Arguments.of("empty segment", "GET", "/v1/secret/data/a//b", null, true, 400),
                Arguments.of("encoded slash", "GET", "/v1/secret/data/a%2Fb", null, true, 400),
                Arguments.of("control character", "GET", "/v1/secret/data/a%01b", null, true, 400),
                Arguments.of("unknown route", "GET", "/v1/nope/x", null, true, 404),
                Arguments.of("not under /v1", "GET", "/secret/data/ok", null, true, 404),
                Arguments.of("unknown method", "BREW", "/v1/secret/data/ok", null, true, 405),
                Arguments.of("PUT on a list-only route", "PUT", "/v1/sys/health", null, true, 405),
                Arguments.of("missing token", "GET", "/v1/secret/data/ok", null, false, 403),
                Arguments.of("huge version", "GET", "/v1/secret/data/ok?version=99999999999", null, true, 400));
    }

    @ParameterizedTest(name = "{0} -> {5}")
    @MethodSource("badInput")
    void badInputGetsTheRight4xx(String what, String method, String path, String body, boolean withToken, int status)
            throws Exception {
        long before = lastSequence();
        Https.Reply r = https.send(method, path, withToken ? token : null, body);
        assertEquals(status, r.status(), what + ": " + r.body());
        assertEquals("application/json", r.contentType(), what);
        assertTrue(r.json().has("errors"), what);
        assertFalse(r.body().contains("at dev.") || r.body().contains("Exception"), r.body());

        // Audited: refusals of the endpoint as request.refused, the rest by the guarded door. What
        // Jetty's parser rejects (ambiguous or encoded path segments) is counted, then written by a flush.
        server.flushRefusalAudit();
        List<AuditRecord> added = entriesAfter(before);
        // The endpoint's own flush (every second) may have taken the count first and still be writing it.
        for (int i = 0; i < 30 && added.stream().noneMatch(e -> e.outcome().equals("FAILURE")); i++) {
            Thread.sleep(100);
            server.flushRefusalAudit();
            added = entriesAfter(before);
        }
        String rawPath = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        boolean atTheDoor = status == 403;
        assertTrue(added.stream().anyMatch(e -> e.outcome().equals("FAILURE") && (atTheDoor
                        ? e.operation().equals("secret.read") && "AccessDeniedException".equals(e.errorClass())
                        : e.operation().equals("request.refused") && e.errorClass().equals("HTTP " + status)
                            && e.resource().startsWith(method + " /") && e.decision().equals("DENY")
                            && e.resource().length() <= method.length() + 1 + rawPath.length())),
                what + ": " + added);
        for (AuditRecord e : added) {
            // Never a query value or body content.
            assertFalse(e.toString().contains("version=") || e.toString().contains("xxxxxxxx")
                    || e.toString().contains("zero") || e.toString().contains("text"), e.toString());
        }
    }

    long lastSequence() {
        long last = -1;
        AuditPage page;
        do {
            page = vault.engine().audit().query(vault.caller(), AuditQuery.all(1000).after(last));
            if (!page.entries().isEmpty()) {
                last = page.entries().get(page.entries().size() - 1).sequence();
            }
        } while (page.nextAfter() != null);
        return last;
    }

    List<AuditRecord> entriesAfter(long sequence) {
        List<AuditRecord> out = new ArrayList<>();
        AuditPage page = vault.engine().audit().query(vault.caller(), AuditQuery.all(1000).after(sequence));
        out.addAll(page.entries());
        while (page.nextAfter() != null) {
            page = vault.engine().audit().query(vault.caller(), AuditQuery.all(1000).after(page.nextAfter()));
            out.addAll(page.entries());
        }
        return out;
    }

    List<AuditRecord> refusedEntriesAfter(long sequence) {
        return entriesAfter(sequence).stream().filter(e -> e.operation().equals("request.refused")).toList();
    }

    @Test
    void refusalsAreAuditedWithoutBodyQueryOrToken() throws Exception {
        String canary = "canary-refused-5b1e";
        long before = lastSequence();
        String garbage = "kws." + canary + "-token";
        assertEquals(400, https.post("/v1/secret/data/x", garbage, "{\"data\":{\"a\":\"" + canary + "\"").status());
        assertEquals(404, https.get("/v1/nope/x?secret=" + canary, garbage).status());
        assertEquals(405, https.send("BREW", "/v1/secret/data/ok?v=" + canary, token, "{\"x\":\"" + canary + "\"}")
                .status());
        assertEquals(413, https.post("/v1/secret/data/x", token, "{\"data\":{\"a\":\"" + canary
                + "x".repeat(10 * 1024 * 1024) + "\"}}").status());

        server.flushRefusalAudit();
        List<AuditRecord> refused = refusedEntriesAfter(before);
        assertEquals(4, refused.size(), refused.toString());
        AuditRecord bad = refused.get(0);
        assertEquals("POST /v1/secret/data/x", bad.resource());
        assertEquals("HTTP 400", bad.errorClass());
        assertEquals(vault.engine().audit().hmac(vault.caller(), garbage), bad.credentialHmac(),
                "the presented token appears as its HMAC only");
        assertEquals(null, bad.identityName(), "a garbage token names nobody");
        assertEquals("GET /v1/nope/x", refused.get(1).resource());
        AuditRecord brew = refused.get(2);
        assertEquals("BREW /v1/secret/data/ok", brew.resource());
        assertEquals(TestVaults.ADMIN, brew.identityName(), "a live token names its identity");
        assertEquals("HTTP 413", refused.get(3).errorClass());
        for (AuditRecord e : entriesAfter(before)) {
            assertFalse(e.toString().contains(canary), "no body, query or token value in the log: " + e);
            assertFalse(e.toString().contains(token), e.toString());
        }
    }

    @Test
    void garbageTokenIs403AndAudited() throws Exception {
        long before = lastSequence();
        String garbage = "kws." + "z".repeat(5000);
        assertEquals(403, https.get("/v1/secret/data/ok", garbage).status());
        assertEquals(403, https.send("GET", "/v1/secret/data/ok", null, null, "Authorization", "Bearer nonsense").status());
        List<AuditRecord> denied = entriesAfter(before).stream()
                .filter(e -> e.operation().equals("secret.read") && e.outcome().equals("FAILURE")).toList();
        assertEquals(2, denied.size(), denied.toString());
        assertEquals(vault.engine().audit().hmac(vault.caller(), garbage), denied.get(0).credentialHmac());
        assertEquals(vault.engine().audit().hmac(vault.caller(), "nonsense"), denied.get(1).credentialHmac());
    }

    @Test
    void oversizedHeadersAre431AsJsonAndCounted() throws Exception {
        long before = lastSequence();
        Https.Reply r = https.send("GET", "/v1/secret/data/ok", token, null, "X-Filler", "y".repeat(40_000));
        assertEquals(431, r.status());
        assertEquals("application/json", r.contentType());
        server.flushRefusalAudit();
        assertTrue(refusedEntriesAfter(before).stream().anyMatch(e -> e.errorClass().equals("HTTP 431")),
                entriesAfter(before).toString());
    }

    @Test
    void slowClientsHoldNoThreadAndAreCutOff() throws Exception {
        // More dribbling clients than the endpoint has threads (64): if a slow body held a thread,
        // the normal request below could not be served until they time out.
        Path ca3 = home.resolve("tls/ca3.pem");
        try (KeywardServer s = KeywardServer.start(vault.engine(), ServerConfig.ephemeral().withRateLimits(0, 0)
                .withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(12)), Clock.systemUTC(), ca3)) {
            Https h = new Https(ca3, s.urls().get(0));
            String head = "POST /v1/secret/data/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Vault-Token: " + token
                    + "\r\nContent-Length: 100\r\n\r\n{\"data\":";
            List<Thread> slow = new ArrayList<>();
            List<String> answers = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 80; i++) {
                Thread t = new Thread(() -> {
                    try {
                        answers.add(HttpsEndpointTest.raw(ca3, s.port(), head.getBytes(StandardCharsets.US_ASCII), 0));
                    } catch (Exception e) {
                        answers.add("error " + e);
                    }
                });
                t.start();
                slow.add(t);
            }
            Thread.sleep(1500);
            assertEquals(200, h.get("/v1/secret/data/ok", token).status());
            assertEquals(0, answers.size(), "the slow clients are still waiting while others are served: " + answers);
            for (Thread t : slow) {
                t.join(30_000);
            }
            assertEquals(80, answers.size());
            for (String a : answers) {
                assertTrue(a.startsWith("HTTP/1.1 408") || a.startsWith("closed") || a.isEmpty(), a);
                assertFalse(a.startsWith("HTTP/1.1 5"), a);
            }
        }
    }

    @Test
    void perSourceRateLimitAnswers429AndIsAuditedAsCounts() throws Exception {
        long before = lastSequence();
        try (KeywardServer limited = KeywardServer.start(vault.engine(), ServerConfig.ephemeral().withRateLimits(5, 0),
                Clock.systemUTC(), home.resolve("tls/ca2.pem"))) {
            Https h = new Https(home.resolve("tls/ca2.pem"), limited.urls().get(0));
            int limitedCount = 0;
            for (int i = 0; i < 40; i++) {
                Https.Reply r = h.get("/v1/sys/health", null);
                if (r.status() == 429) {
                    limitedCount++;
                    assertEquals("application/json", r.contentType());
                }
            }
            assertTrue(limitedCount > 20, "limited " + limitedCount);
            limited.flushRefusalAudit();
            List<AuditRecord> counted = refusedEntriesAfter(before).stream()
                    .filter(e -> e.errorClass().equals("HTTP 429")).toList();
            // One entry per source and flush (every second), not one durable write per request.
            assertTrue(counted.size() >= 1 && counted.size() <= 5, counted.toString());
            int total = 0;
            for (AuditRecord e : counted) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\((\\d+) requests\\)$").matcher(e.rule());
                total += m.find() ? Integer.parseInt(m.group(1)) : 1;
            }
            assertEquals(limitedCount, total, counted.toString());
        }
    }

    @Nested
    class Sealed {
        @Test
        void sealedVaultAnswers503AndHealthSaysSo() throws Exception {
            try (TestVaults.Opened other = TestVaults.initialised(home.resolve("other"));
                 KeywardServer s = KeywardServer.start(other.engine(), ServerConfig.ephemeral(), Clock.systemUTC(),
                         home.resolve("other-ca.pem"))) {
                Https h = new Https(home.resolve("other-ca.pem"), s.urls().get(0));
                String t = other.session().token();
                assertEquals(200, h.post("/v1/secret/data/x", t, "{\"data\":{\"a\":\"1\"}}").status());
                assertEquals(204, h.post("/v1/sys/seal", t, null).status());
                Https.Reply r = h.get("/v1/secret/data/x", t);
                assertEquals(503, r.status());
                assertEquals("{\"errors\":[\"Vault is sealed\"]}", r.body());
                assertEquals(503, h.get("/v1/sys/health", null).status());
                assertTrue(h.get("/v1/sys/seal-status", null).json().get("sealed").asBoolean());
                Https.Reply wrong = h.post("/v1/sys/unseal", null, "{\"key\":\"wrong passphrase\"}");
                assertEquals(400, wrong.status());
                Https.Reply ok = h.post("/v1/sys/unseal", null, "{\"key\":\"" + TestVaults.UNSEAL + "\"}");
                assertEquals(200, ok.status(), ok.body());
                assertFalse(ok.json().get("sealed").asBoolean());
                assertEquals(200, h.get("/v1/sys/health", null).status());

                // Refused while sealed: nothing could be written then; counted and written after the unseal.
                s.flushRefusalAudit();
                Session admin = other.engine().login(TestVaults.ADMIN, TestVaults.ADMIN_PASS.toCharArray(), "test");
                List<AuditRecord> refused = other.engine().audit().query(admin.caller(),
                        new AuditQuery(null, null, null, null, "request.refused", null, -1, 100)).entries();
                assertTrue(refused.stream().anyMatch(e -> e.errorClass().equals("HTTP 503")
                        && e.resource().equals("GET /v1/secret/data/x") && "VaultSealedException".equals(e.rule())),
                        refused.toString());
                assertTrue(refused.stream().anyMatch(e -> e.errorClass().equals("HTTP 400")
                        && e.resource().equals("POST /v1/sys/unseal")), "the failed unseal: " + refused);
                for (AuditRecord e : refused) {
                    assertFalse(e.toString().contains("wrong passphrase"), e.toString());
                }
            }
        }
    }
}
