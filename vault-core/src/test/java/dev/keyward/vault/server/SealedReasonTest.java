package dev.keyward.vault.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.cli.KeywardCli;
import dev.keyward.vault.engine.EngineConfig;
import dev.keyward.vault.engine.TestVaults;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Why the vault sealed itself is told to clients: in the error of every refused call, in
 * sys/seal-status (sealed_reason) and by the CLI. (The HSM-loss reason comes through the same
 * path; HsmSealTest checks the engine gives it.)
 */
class SealedReasonTest {
    @TempDir
    Path dir;

    @Test
    void theReasonIsInTheErrorTheSealStatusAndTheCli() throws Exception {
        EngineConfig cfg = EngineConfig.defaults(new dev.keyward.vault.api.VaultOptions(dir.resolve("vault"),
                Clock.systemUTC(), Duration.ofSeconds(1)));
        try (TestVaults.Opened v = TestVaults.initialised(cfg);
             KeywardServer server = KeywardServer.start(v.engine(), ServerConfig.ephemeral().withRateLimits(0, 0),
                     Clock.systemUTC(), dir.resolve("ca.pem"))) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!v.engine().status().sealed() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Https https = new Https(dir.resolve("ca.pem"), server.urls().get(0));
            Https.Reply read = https.get("/v1/secret/data/app/db", v.session().token());
            assertEquals(503, read.status());
            String error = read.json().path("errors").get(0).asText();
            assertTrue(error.startsWith("Vault is sealed: ") && error.contains("without activity"), error);
            Https.Reply st = https.get("/v1/sys/seal-status", null);
            assertTrue(st.json().path("sealed_reason").asText().contains("without activity"), st.body());

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Map<String, String> env = Map.of("KEYWARD_ADDRESS", server.urls().get(0), "KEYWARD_CA_CERT",
                    dir.resolve("ca.pem").toString(), "KEYWARD_HOME", dir.resolve("client").toString(),
                    "KEYWARD_TOKEN", v.session().token());
            int code = KeywardCli.run(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), "status");
            assertEquals(3, code);
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("sealed_reason: sealed after 1 s without activity"),
                    out.toString(StandardCharsets.UTF_8));
            code = KeywardCli.run(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), "kv", "get", "app/db");
            assertEquals(3, code);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("Vault is sealed: sealed after"),
                    err.toString(StandardCharsets.UTF_8));
            // A wrong passphrase is exit 4 every time, the third (which starts the backoff) too.
            Map<String, String> wrong = new java.util.HashMap<>(env);
            wrong.put("KEYWARD_PASSPHRASE", "not the passphrase");
            for (int i = 1; i <= 4; i++) {
                ByteArrayOutputStream e2 = new ByteArrayOutputStream();
                code = KeywardCli.run(wrong, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        new PrintStream(e2, true, StandardCharsets.UTF_8), "unseal");
                assertEquals(4, code, "attempt " + i + ": " + e2.toString(StandardCharsets.UTF_8));
            }
        }
    }
}
