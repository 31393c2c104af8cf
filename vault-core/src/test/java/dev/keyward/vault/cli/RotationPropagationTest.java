package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.vault.engine.TestVaults;
import dev.keyward.vault.notify.WebhookSignature;
import dev.keyward.vault.testing.HttpsReceiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real rotation (the rotation engine's generated rotator, run with {@code keyward rotation run})
 * reaches every kind of dependent: a signed webhook says {@code secret.rotated} with the new version
 * and never the value, {@code run --watch} restarts its command with the new value, and
 * {@code inject --watch} rewrites its file.
 */
class RotationPropagationTest {
    private static final String OLD = "canary-before-rotation-4c1";

    @TempDir
    Path dir;

    @Test
    void aRotationReachesWebhooksWatchedCommandsAndInjectedFiles() throws Exception {
        try (TestVaults.Opened vault = TestVaults.initialised(dir.resolve("vault"));
             HttpsReceiver receiver = new HttpsReceiver()) {
            CliHarness h = new CliHarness(vault, dir.resolve("vault"), dir.resolve("client"));
            try {
                assertEquals(0, h.cli("kv", "put", "app/db", "password=" + OLD).code());
                Path ca = dir.resolve("receiver.pem");
                Files.writeString(ca, receiver.caPem());
                CliHarness.Result added = h.cli("webhook", "add", "--url", receiver.url("/hook"), "--prefix", "app/",
                        "--events", "rotated", "--ca-file", ca.toString());
                assertEquals(0, added.code(), added.err());
                String key = added.out().lines().filter(l -> l.startsWith("signing_key: ")).findFirst().orElseThrow()
                        .substring("signing_key: ".length());
                CliHarness.Result config = h.cli("rotation", "config", "app/db", "--rotator", "generated", "--param",
                        "length=32", "--interval", "30d", "--routine-grace", "1h");
                assertEquals(0, config.code(), config.err());

                Path seen = dir.resolve("seen.txt");
                Path app = dir.resolve("app.sh");
                Files.writeString(app, "#!/bin/sh\nprintf '%s\\n' \"$DB_PASS\" >> \"$1\"\nexec sleep 120\n");
                CompletableFuture<CliHarness.Result> run = new CompletableFuture<>();
                Thread runThread = new Thread(() -> run.complete(h.cli("run", "--watch", "--env",
                        "DB_PASS=kw://app/db#password", "--", "sh", app.toString(), seen.toString())));
                runThread.start();
                Path template = dir.resolve("app.tpl");
                Files.writeString(template, "db.password={{ kw://app/db#password }}\n");
                Path conf = dir.resolve("app.conf");
                CompletableFuture<CliHarness.Result> inject = new CompletableFuture<>();
                Thread injectThread = new Thread(() -> inject.complete(h.cli("inject", "--watch", "--in",
                        template.toString(), "--out", conf.toString())));
                injectThread.start();
                WatchTest.await("the command started", 15_000, () -> WatchTest.lines(seen).size() == 1);
                WatchTest.await("the file written", 15_000, () -> WatchTest.lines(conf).size() == 1);
                assertEquals(OLD, WatchTest.lines(seen).get(0));

                CliHarness.Result rotated = h.cli("rotation", "run", "app/db", "--reason", "propagation test", "--wait");
                assertEquals(0, rotated.code(), rotated.out() + rotated.err());
                String fresh = vault.engine().secrets().read(vault.caller(), "app/db", 0).data().field("password");
                assertNotEquals(OLD, fresh);
                assertEquals(32, fresh.length());

                WatchTest.await("the webhook", 15_000, () -> receiver.received().size() == 1);
                HttpsReceiver.Received got = receiver.received().get(0);
                assertTrue(WebhookSignature.verify(HexFormat.of().parseHex(key), got.header(WebhookSignature.HEADER),
                        got.body(), Instant.now(), Duration.ofMinutes(5)));
                JsonNode body = new ObjectMapper().readTree(got.body());
                assertEquals("secret.rotated", body.path("event").asText());
                assertEquals("app/db", body.path("path").asText());
                assertEquals(2, body.path("version").asInt());
                String everything = new String(got.body(), StandardCharsets.UTF_8) + got.headers();
                assertFalse(everything.contains(fresh) || everything.contains(OLD), "no value reaches the receiver");

                WatchTest.await("the restart", 15_000, () -> WatchTest.lines(seen).size() == 2);
                assertEquals(fresh, WatchTest.lines(seen).get(1), "the restarted command has the rotated value");
                WatchTest.await("the rewrite", 15_000, () -> WatchTest.lines(conf).equals(List.of("db.password=" + fresh)));
                Thread.sleep(500);
                assertEquals(1, receiver.received().size(), "one event for one rotation");

                runThread.interrupt();
                injectThread.interrupt();
                CliHarness.Result r = run.get(30, TimeUnit.SECONDS);
                inject.get(30, TimeUnit.SECONDS);
                assertFalse(r.out().contains(fresh) || r.err().contains(fresh), "nor in keyward's own output");
            } finally {
                h.close();
            }
        }
    }
}
