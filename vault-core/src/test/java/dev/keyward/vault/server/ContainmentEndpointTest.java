package dev.keyward.vault.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Containment end to end over real HTTPS on loopback: the pipeline calls from 127.0.0.1; a thief
 * with a copy of its secret_id calls from ::1, a source the pipeline never used. The alert is
 * raised from the audit stream, the identity's tokens are revoked (the time from the thief's
 * login to the revocation is measured), the thief's next request gets 403. A streak of failed
 * logins puts the identity in read-only mode: writes are refused with a clear error, reads served.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainmentEndpointTest {
    @TempDir
    static Path home;
    TestVaults.Opened vault;
    KeywardServer server;
    Https v4;
    Https v6;
    String admin;
    String roleId;
    String secretId;

    @BeforeAll
    void start() throws Exception {
        vault = TestVaults.initialised(home);
        Caller a = vault.caller();
        Instant later = Instant.now().plus(Duration.ofDays(1));
        vault.engine().policies().put(a, new Policy("ci", "pipeline access", List.of(PolicyRule.grant("secret/app/*",
                EnumSet.of(Capability.CREATE, Capability.READ, Capability.UPDATE, Capability.LIST),
                PolicyConditions.NONE, "ci-team", "pipelines read their own secrets", later))), "test");
        vault.engine().identities().putAppRole(a, IdentityService.AppRoleSpec.of("ci", List.of("ci")));
        Path caPem = home.resolve("tls/ca.pem");
        server = KeywardServer.start(vault.engine(), ServerConfig.ephemeral().withAddresses(List.of(
                java.net.InetAddress.getByName("127.0.0.1"), java.net.InetAddress.getByName("::1"))).withRateLimits(0, 0), Clock.systemUTC(),
                caPem);
        String base4 = server.urls().stream().filter(u -> u.contains("127.0.0.1")).findFirst().orElseThrow();
        String base6 = server.urls().stream().filter(u -> u.contains("[")).findFirst().orElseThrow();
        v4 = new Https(caPem, base4);
        v6 = new Https(caPem, base6);
        // The admin's HTTPS session: a token of its own (one token used from two addresses would be contained)
        admin = vault.engine().login(TestVaults.ADMIN, TestVaults.ADMIN_PASS.toCharArray(), "127.0.0.1").token();
        Https.Reply cfg = v4.post("/v1/kw/alerts/config", admin, "{\"yaml\":\"version: 1\\nlearning:\\n  period: 0s\\n"
                + "  min_events: 6\\n\"}");
        assertEquals(200, cfg.status(), cfg.body());
        roleId = v4.get("/v1/auth/approle/role/ci/role-id", admin).json().at("/data/role_id").asText();
        secretId = v4.post("/v1/auth/approle/role/ci/secret-id", admin, "{}").json().at("/data/secret_id").asText();
        vault.engine().secrets().write(a, "app/db", dev.keyward.vault.api.SecretData.of(java.util.Map.of("password",
                "canary-endpoint-1")), null);
    }

    @AfterAll
    void stop() {
        server.close();
        vault.close();
    }

    private String login(Https from, String secret) throws Exception {
        Https.Reply r = from.post("/v1/auth/approle/login", null, "{\"role_id\":\"" + roleId + "\",\"secret_id\":\""
                + secret + "\"}");
        return r.status() == 200 ? r.json().at("/auth/client_token").asText() : null;
    }

    private JsonNode alerts(String detector) throws Exception {
        Https.Reply r = v4.get("/v1/kw/alerts?detector=" + detector, admin);
        assertEquals(200, r.status(), r.body());
        return r.json().at("/data/alerts");
    }

    @Test
    @Order(1)
    void aStolenSecretIdFromANewSourceIsContainedWithinASecond() throws Exception {
        for (int i = 0; i < 4; i++) {
            String t = login(v4, secretId);
            assertEquals(200, v4.get("/v1/secret/data/app/db", t).status());
        }
        Thread.sleep(300);
        assertEquals(0, alerts("new-source").size(), "the pipeline's own address is learned");
        long sent = System.nanoTime();
        String stolen = login(v6, secretId);
        assertTrue(stolen != null, "the copied secret_id still logs in");
        int status;
        long revokedAfter;
        do {
            status = v6.get("/v1/auth/token/lookup-self", stolen).status();
            revokedAfter = System.nanoTime() - sent;
        } while (status == 200 && revokedAfter < 10_000_000_000L);
        System.out.printf("containment: the thief's token was refused %.0f ms after its login was sent%n",
                revokedAfter / 1e6);
        assertEquals(403, status);
        assertTrue(revokedAfter < 5_000_000_000L, "revoked within 5 s (goal: 1 s)");
        assertEquals(403, v6.get("/v1/secret/data/app/db", stolen).status(), "the next request is refused");
        JsonNode found = alerts("new-source");
        assertEquals(1, found.size(), found.toString());
        JsonNode alert = found.get(0);
        assertEquals("ci", alert.get("identity").asText());
        assertEquals("HIGH", alert.get("severity").asText());
        assertFalse(alert.get("evidence").isEmpty());
        String id = alert.get("id").asText();
        Https.Reply ack = v4.post("/v1/kw/alerts/" + id + "/ack", admin, "{\"reason\":\"on it\"}");
        assertEquals(200, ack.status(), ack.body());
        assertEquals("ACKNOWLEDGED", ack.json().at("/data/state").asText());
        Https.Reply noReason = v4.post("/v1/kw/alerts/" + id + "/resolve", admin, "{}");
        assertEquals(400, noReason.status());
        assertTrue(noReason.body().contains("reason"), noReason.body());
        Https.Reply proofs = v4.get("/v1/kw/alerts/" + id + "/proofs", admin);
        assertEquals(200, proofs.status(), proofs.body());
        assertEquals(alert.get("evidence").size(), proofs.json().at("/data/proofs").size());
        assertEquals(404, v4.get("/v1/kw/alerts/al-0000000000000-00000000", admin).status());
        assertEquals(400, v4.get("/v1/kw/alerts/not-an-id", admin).status());
        assertFalse(v4.get("/v1/kw/alerts", admin).body().contains("canary-endpoint-1"));
    }

    @Test
    @Order(2)
    void readOnlyModeRefusesWritesClearlyAndServesReads() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertEquals(null, login(v4, "not-the-secret-id"));
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (alerts("auth-failures").size() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, alerts("auth-failures").size());
        String t = null;
        Https.Reply write = null;
        while (System.nanoTime() < deadline) {
            t = login(v4, secretId);
            write = v4.post("/v1/secret/data/app/db", t, "{\"data\":{\"password\":\"v2\"}}");
            if (write.status() == 403) {
                break;
            }
            Thread.sleep(20);
        }
        assertEquals(403, write.status(), write.body());
        assertTrue(write.body().contains("read-only"), write.body());
        Https.Reply read = v4.get("/v1/secret/data/app/db", t);
        assertEquals(200, read.status(), "reads are still served: " + read.body());
        JsonNode status = v4.get("/v1/kw/alerts/containment", admin).json().at("/data");
        String action = null;
        for (JsonNode a : status.get("recent")) {
            if (a.get("action").asText().equals("read-only") && a.get("state").asText().equals("applied")) {
                action = a.get("id").asText();
            }
        }
        assertNotEquals(null, action, status.toString());
        Https.Reply undo = v4.post("/v1/kw/alerts/containment/" + action + "/undo", admin,
                "{\"reason\":\"the client's secret_id was fixed\"}");
        assertEquals(200, undo.status(), undo.body());
        assertEquals(200, v4.post("/v1/secret/data/app/db", t, "{\"data\":{\"password\":\"v3\"}}").status());
        Https.Reply bad = v4.post("/v1/kw/alerts/config", admin, "{\"yaml\":\"detectors:\\n  moon-phase: true\\n\"}");
        assertEquals(400, bad.status());
        assertTrue(bad.body().contains("Unknown detector 'moon-phase'"), bad.body());
    }
}
