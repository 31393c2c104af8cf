package dev.keyward.vault.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.StorageException;
import dev.keyward.vault.engine.Engine;
import dev.keyward.vault.engine.TestVaults;
import dev.keyward.vault.testing.SmallFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vault on a real file system of a few MiB that fills up: writes fail closed and say "disk
 * full" in plain words, sys/health and the status report the storage failure, and once space is
 * freed writes resume by themselves, with every acknowledged write intact.
 */
class DiskFullTest {
    @TempDir
    Path tmp;

    @Test
    void aFullDiskIsSaidInPlainWordsReportedInHealthAndWritesResumeWhenSpaceIsBack() throws Exception {
        try (SmallFilesystem fs = SmallFilesystem.mount(tmp, 24)) {
            Path home = fs.path().resolve("vault");
            try (TestVaults.Opened v = TestVaults.initialised(home);
                 KeywardServer server = KeywardServer.start(v.engine(), ServerConfig.ephemeral().withRateLimits(0, 0),
                         Clock.systemUTC(), tmp.resolve("ca.pem"))) {
                Caller c = v.caller();
                v.engine().secrets().write(c, "app/before", SecretData.of(Map.of("v", "kept")), null);
                Https https = new Https(tmp.resolve("ca.pem"), server.urls().get(0));
                assertEquals(200, https.get("/v1/sys/health", null).status());

                Path filler = fs.fill();
                StorageException full = null;
                for (int i = 0; i < 50 && full == null; i++) {
                    try {
                        v.engine().secrets().write(c, "app/during" + i, SecretData.of(Map.of("v", "x".repeat(4096))),
                                null);
                    } catch (StorageException e) {
                        full = e;
                    }
                }
                assertNotNull(full, "a write on a full disk fails");
                assertTrue(full.getMessage().toLowerCase().contains("disk") && full.getMessage().contains("full"),
                        "plain words: " + full.getMessage());
                String failure = v.engine().status().storageFailure();
                assertNotNull(failure, "the status names the storage failure");
                assertTrue(failure.contains("full"), failure);
                Https.Reply health = https.get("/v1/sys/health", null);
                assertEquals(500, health.status(), health.body());
                JsonNode h = new ObjectMapper().readTree(health.body());
                assertTrue(h.path("storage_error").asText().contains("full"), health.body());

                Files.delete(filler);
                // No restart: the next writes succeed by themselves.
                long deadline = System.nanoTime() + 10_000_000_000L;
                boolean resumed = false;
                StorageException last = null;
                while (!resumed && System.nanoTime() < deadline) {
                    try {
                        v.engine().secrets().write(c, "app/after", SecretData.of(Map.of("v", "resumed")), null);
                        resumed = true;
                    } catch (StorageException stillFailing) {
                        last = stillFailing;
                        Thread.sleep(200);
                    }
                }
                assertTrue(resumed, "writes resumed once space was freed: " + last);
                assertNull(v.engine().status().storageFailure());
                assertEquals(200, https.get("/v1/sys/health", null).status());
                assertEquals("kept", v.engine().secrets().read(c, "app/before", 0).data().field("v"));
                assertEquals("resumed", v.engine().secrets().read(c, "app/after", 0).data().field("v"));
                assertTrue(v.engine().audit().verify(c, null, null).ok());
            }
            // And after a restart everything acknowledged is still there.
            try (Engine e = TestVaults.open(home)) {
                TestVaults.unseal(e);
                Caller c = TestVaults.login(e).caller();
                assertEquals("resumed", e.secrets().read(c, "app/after", 0).data().field("v"));
                assertTrue(e.audit().verify(c, null, null).ok());
            }
        }
    }
}
