package dev.keyward.vault.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AlertService.Alert;
import dev.keyward.vault.api.AlertService.AlertState;
import dev.keyward.vault.api.AlertSeverity;
import dev.keyward.vault.notify.WebhookSender;
import dev.keyward.vault.notify.WebhookSignature;
import dev.keyward.vault.testing.HttpsReceiver;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts leave the vault as JSON lines, RFC 5424 syslog datagrams (a UDP receiver on loopback) and
 * signed webhooks (a real HTTPS receiver); a failing webhook is reported and the others still go.
 */
class DeliveriesTest {
    static final byte[] KEY = "a webhook key of at least 32 bytes!".getBytes(StandardCharsets.US_ASCII);

    static Alert alert() {
        return new Alert("al-1764770000000-0a1b2c3d", Detectors.NEW_SOURCE, AlertSeverity.HIGH, "ci", "id-1",
                "203.0.113.9", "The machine ci was used from 203.0.113.9, an address it never used.", "runbook",
                List.of(41L, 42L), List.of(), Map.of("source", "203.0.113.9"), Instant.parse("2026-12-03T10:00:00Z"),
                "system:containment", AlertState.OPEN, List.of(), List.of("ca-1764770000000-0a1b2c3d"));
    }

    @Test
    void jsonLinesSyslogAndSignedWebhook(@TempDir Path dir) throws Exception {
        try (HttpsReceiver receiver = new HttpsReceiver(); DatagramSocket udp = new DatagramSocket(0,
                InetAddress.getLoopbackAddress()); Deliveries d = new Deliveries(Clock.systemUTC(),
                new WebhookSender.Retry(2, Duration.ofMillis(10), Duration.ofMillis(20)))) {
            udp.setSoTimeout(5000);
            Path jsonl = dir.resolve("alerts/alerts.jsonl");
            AnomalyConfig c = AnomalyConfig.parse("version: 1\ndelivery:\n  jsonl: " + jsonl + "\n  syslog:\n"
                    + "    host: 127.0.0.1\n    port: " + udp.getLocalPort() + "\n  webhook:\n    url: "
                    + receiver.url("/hook") + "\n    key: " + Base64.getEncoder().encodeToString(KEY) + "\n    ca_pem: |\n"
                    + receiver.caPem().indent(6));
            d.deliver(c.delivery(), "alert.raise", alert());
            d.deliver(c.delivery(), "alert.ack", alert());

            List<String> lines = Files.readAllLines(jsonl);
            assertEquals(2, lines.size());
            assertTrue(lines.get(0).contains("\"event\":\"alert.raise\"") && lines.get(0).contains("\"evidence\":[41,42]"),
                    lines.get(0));

            DatagramPacket p = new DatagramPacket(new byte[8192], 8192);
            udp.receive(p);
            String msg = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
            // <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG; PRI = authpriv (10) * 8 + err (3)
            assertTrue(msg.matches("<83>1 2026-12-03T10:00:00Z \\S+ keyward - alert\\.raise \\[keyward@32473 id=\""
                    + "al-1764770000000-0a1b2c3d\" detector=\"new-source\" severity=\"high\" state=\"open\" "
                    + "identity=\"ci\"\\] The machine ci was used from 203\\.0\\.113\\.9.*"), msg);

            long deadline = System.nanoTime() + 10_000_000_000L;
            while (receiver.received().size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(2, receiver.received().size());
            HttpsReceiver.Received r = receiver.received().get(0);
            assertTrue(WebhookSignature.verify(KEY, r.header(WebhookSignature.HEADER), r.body(), Instant.now(),
                    Duration.ofMinutes(5)), "signed with the configured key");
            assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("\"detector\":\"new-source\""));
            assertTrue(d.problems().isEmpty(), d.problems().toString());
        }
    }

    @Test
    void aFailingWebhookIsReportedAndTheOtherDeliveriesGoOn(@TempDir Path dir) throws Exception {
        try (HttpsReceiver receiver = new HttpsReceiver(); Deliveries d = new Deliveries(Clock.systemUTC(),
                new WebhookSender.Retry(2, Duration.ofMillis(10), Duration.ofMillis(20)))) {
            receiver.answer(n -> new HttpsReceiver.Answer(500, Duration.ZERO));
            Path jsonl = dir.resolve("alerts.jsonl");
            AnomalyConfig c = AnomalyConfig.parse("delivery:\n  jsonl: " + jsonl + "\n  webhook:\n    url: "
                    + receiver.url("/hook") + "\n    key: " + Base64.getEncoder().encodeToString(KEY) + "\n    ca_pem: |\n"
                    + receiver.caPem().indent(6));
            d.deliver(c.delivery(), "alert.raise", alert());
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!d.problems().containsKey("webhook") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            String why = d.problems().get("webhook");
            assertTrue(why != null && why.contains("HTTP 500") && why.contains("2 attempts"), String.valueOf(why));
            assertFalse(why.contains("/hook"), "never the URL");
            assertEquals(1, Files.readAllLines(jsonl).size(), "the file delivery went on");
        }
    }

    @Test
    void badDeliverySettingsAreRefusedClearly() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.keyward.vault.api.InvalidRequestException.class,
                () -> AnomalyConfig.parse("delivery:\n  webhook:\n    url: http://example.test/x\n    key: eHh4\n"));
        assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("https"), e.getMessage());
        var k = org.junit.jupiter.api.Assertions.assertThrows(dev.keyward.vault.api.InvalidRequestException.class,
                () -> AnomalyConfig.parse("delivery:\n  webhook:\n    url: https://example.test/x\n    key: eHh4\n"));
        assertTrue(k.getMessage().contains("32 bytes"), k.getMessage());
        var s = org.junit.jupiter.api.Assertions.assertThrows(dev.keyward.vault.api.InvalidRequestException.class,
                () -> AnomalyConfig.parse("delivery:\n  syslog:\n    port: 70000\n"));
        assertTrue(s.getMessage().contains("port"), s.getMessage());
        var u = org.junit.jupiter.api.Assertions.assertThrows(dev.keyward.vault.api.InvalidRequestException.class,
                () -> AnomalyConfig.parse("delivery:\n  pager: yes\n"));
        assertTrue(u.getMessage().contains("Unknown field 'pager'"), u.getMessage());
    }
}
