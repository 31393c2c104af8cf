package dev.keyward.vault.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.engine.Engine;
import dev.keyward.vault.engine.MutableClock;
import dev.keyward.vault.engine.TestVaults;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Wrapped responses are kept in the vault: they survive a restart, open once, and expire. */
class WrappingRestartTest {
    static final String CANARY = "canary-wrapped-3c9d";

    @TempDir
    Path home;

    @Test
    void aWrappedReadSurvivesARestartUnwrapsOnceAndExpires() throws Exception {
        // In the past, so that certificates issued by the moved clock are valid for the real-time client.
        MutableClock clock = new MutableClock(Instant.now().minus(Duration.ofMinutes(10)));
        Path caPem = home.resolve("vault/tls/ca.pem");
        String longWrap;
        String shortWrap;
        String loginWrap;
        try (TestVaults.Opened v = TestVaults.initialised(TestVaults.config(home.resolve("vault"), clock));
             KeywardServer s = KeywardServer.start(v.engine(), ServerConfig.ephemeral().withRateLimits(0, 0), clock,
                     caPem)) {
            Https https = new Https(caPem, s.urls().get(0));
            String token = v.session().token();
            assertEquals(200, https.post("/v1/secret/data/app/db", token,
                    "{\"data\":{\"password\":\"" + CANARY + "\"}}").status());
            Https.Reply wrapped = https.send("GET", "/v1/secret/data/app/db", token, null, "X-Vault-Wrap-TTL", "5m");
            assertEquals(200, wrapped.status(), wrapped.body());
            assertFalse(wrapped.body().contains(CANARY));
            assertTrue(wrapped.json().get("data").isNull());
            assertEquals("secret/data/app/db", wrapped.json().at("/wrap_info/creation_path").asText());
            longWrap = wrapped.json().at("/wrap_info/token").asText();
            shortWrap = https.send("GET", "/v1/secret/data/app/db", token, null, "X-Vault-Wrap-TTL", "60")
                    .json().at("/wrap_info/token").asText();
            Https.Reply login = https.send("POST", "/v1/auth/userpass/login/" + TestVaults.ADMIN, null,
                    "{\"password\":\"" + TestVaults.ADMIN_PASS + "\"}", "X-Vault-Wrap-TTL", "5m");
            assertEquals(200, login.status(), login.body());
            assertTrue(login.json().get("auth").isNull(), "the login's token is wrapped too");
            loginWrap = login.json().at("/wrap_info/token").asText();

            assertEquals(400, https.send("GET", "/v1/secret/data/app/db", token, null, "X-Vault-Wrap-TTL", "25h")
                    .status(), "a wrap TTL over 24 h is refused");
            assertEquals(400, https.send("GET", "/v1/secret/data/app/db", token, null, "X-Vault-Wrap-TTL", "soon")
                    .status());
        }

        // At rest, a wrapped response is barrier ciphertext like every record.
        try (Stream<Path> files = Files.walk(home)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertFalse(bytes.contains(CANARY), "plaintext in " + f);
            }
        }

        clock.advance(Duration.ofMinutes(2));
        try (Engine e = Engine.open(TestVaults.config(home.resolve("vault"), clock))) {
            TestVaults.unseal(e);
            try (KeywardServer s = KeywardServer.start(e, ServerConfig.ephemeral().withRateLimits(0, 0), clock, caPem)) {
                Https https = new Https(caPem, s.urls().get(0));
                Https.Reply once = https.post("/v1/sys/wrapping/unwrap", null, "{\"token\":\"" + longWrap + "\"}");
                assertEquals(200, once.status(), once.body());
                assertEquals(CANARY, once.json().at("/data/data/password").asText());
                assertEquals(1, once.json().at("/data/metadata/version").asInt());

                Https.Reply twice = https.post("/v1/sys/wrapping/unwrap", longWrap, null);
                assertEquals(400, twice.status());
                assertFalse(twice.body().contains(CANARY));

                Https.Reply expired = https.post("/v1/sys/wrapping/unwrap", null, "{\"token\":\"" + shortWrap + "\"}");
                assertEquals(400, expired.status(), "a 60 s wrap is past its TTL after 2 min");

                Https.Reply login = https.post("/v1/sys/wrapping/unwrap", loginWrap, null);
                assertEquals(200, login.status(), login.body());
                String adminToken = login.json().at("/auth/client_token").asText();
                assertEquals(200, https.get("/v1/auth/token/lookup-self", adminToken).status());

                List<AuditRecord> log = e.audit().query(TestVaults.login(e).caller(), AuditQuery.all(1000)).entries();
                assertEquals(3, log.stream().filter(r -> r.operation().equals("wrapping.wrap")
                        && r.outcome().equals("SUCCESS")).count(), "three wraps (the refused TTLs never ran)");
                assertEquals(2, log.stream().filter(r -> r.operation().equals("wrapping.unwrap")
                        && r.outcome().equals("SUCCESS")).count());
                assertEquals(2, log.stream().filter(r -> r.operation().equals("wrapping.unwrap")
                        && r.outcome().equals("FAILURE")).count());
                for (AuditRecord r : log) {
                    assertFalse(r.toString().contains(CANARY) || r.toString().contains(longWrap)
                            || r.toString().contains(adminToken), r.toString());
                }
            }
        }
    }
}
