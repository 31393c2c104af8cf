package dev.keyward.vault.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotificationService;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.ServiceLocation;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.engine.TestVaults;
import dev.keyward.vault.server.KeywardServer;
import dev.keyward.vault.server.ServerConfig;
import dev.keyward.vault.testing.HttpsReceiver;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notification service for an attached client (the console): webhooks and the change feed over the wire. */
class RemoteNotificationsTest {

    @Test
    void webhooksAndTheFeedWorkOverTheWire(@TempDir Path home) throws Exception {
        try (TestVaults.Opened vault = TestVaults.initialised(home); HttpsReceiver receiver = new HttpsReceiver()) {
            KeywardServer server = KeywardServer.start(vault.engine(), ServerConfig.ephemeral().withRateLimits(0, 0),
                    Clock.systemUTC(), home.resolve("tls/ca.pem"));
            Vault remote = Keyward.attach(new ServiceLocation(URI.create(server.urls().get(0)),
                    home.resolve("tls/ca.pem"), "test"));
            try {
                Caller c = remote.auth().login(TestVaults.ADMIN, TestVaults.ADMIN_PASS.toCharArray(), "console")
                        .caller();
                NotificationService n = remote.notifications();
                long from = n.events(c, -1, "", Duration.ZERO).next();
                vault.engine().secrets().write(vault.caller(), "app/db", SecretData.of(Map.of("p", "remote-canary")),
                        null);
                NotificationService.EventPage page = n.events(c, from, "app/", Duration.ofSeconds(5));
                assertEquals(1, page.events().size());
                assertEquals("app/db", page.events().get(0).path());
                assertEquals(1, page.events().get(0).version());
                InvalidRequestException bad = assertThrows(InvalidRequestException.class, () -> n.addWebhook(c,
                        new NotificationService.WebhookSpec("http://127.0.0.1:9/x", "", List.of(), null)));
                assertTrue(bad.getMessage().contains("https://"), bad.getMessage());
                NotificationService.NewWebhook w = n.addWebhook(c, new NotificationService.WebhookSpec(
                        receiver.url("/hook"), "app/", List.of("secret.updated"), receiver.caPem()));
                assertEquals(64, w.signingKey().length());
                assertEquals(List.of(w.webhook().id()), n.webhooks(c).stream().map(NotificationService.Webhook::id)
                        .toList());
                assertTrue(n.testWebhook(c, w.webhook().id()).delivered());
                n.removeWebhook(c, w.webhook().id());
                assertTrue(n.webhooks(c).isEmpty());
            } finally {
                remote.close();
                server.close();
            }
        }
    }
}
