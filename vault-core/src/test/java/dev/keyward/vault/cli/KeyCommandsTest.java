package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.engine.TestVaults;
import dev.keyward.vault.server.KeywardServer;
import dev.keyward.vault.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keyward key rotate | status | rewrap over HTTPS (sys/rotate, sys/key-status, kw/key/rewrap), audited. */
class KeyCommandsTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    @Test
    void rotateStatusAndRewrapThroughTheEndpoint() throws Exception {
        try (TestVaults.Opened v = TestVaults.initialised(dir.resolve("vault"));
             KeywardServer server = KeywardServer.start(v.engine(), ServerConfig.ephemeral().withRateLimits(0, 0),
                     Clock.systemUTC(), dir.resolve("ca.pem"))) {
            for (int i = 0; i < 40; i++) {
                v.engine().secrets().write(v.caller(), "app/s" + i, SecretData.of(Map.of("v", "x" + i)), null);
            }
            Map<String, String> env = Map.of("KEYWARD_ADDRESS", server.urls().get(0), "KEYWARD_CA_CERT",
                    dir.resolve("ca.pem").toString(), "KEYWARD_HOME", dir.resolve("client").toString(),
                    "KEYWARD_TOKEN", v.session().token());
            ObjectMapper json = new ObjectMapper();
            Result st = cli(env, "-o", "json", "key", "status");
            assertEquals(0, st.code(), st.err());
            assertEquals(1, json.readTree(st.out()).path("term").asInt());

            Result rot = cli(env, "key", "rotate");
            assertEquals(0, rot.code(), rot.err());
            assertTrue(rot.out().contains("key term 2"), rot.out());

            Result rw = cli(env, "-o", "json", "key", "rewrap");
            assertEquals(0, rw.code(), rw.err());
            JsonNode d = json.readTree(rw.out());
            assertEquals("done", d.path("state").asText());
            assertEquals(2, d.path("target_term").asInt());
            assertTrue(d.path("examined").asLong() <= d.path("total").asLong(), d.toString());
            assertTrue(d.path("rewrapped").asLong() >= 40, d.toString());

            List<String> ops = TestVaults.auditEntries(v.engine()).stream().map(AuditRecord::operation).toList();
            assertTrue(ops.contains("key.rotate") && ops.contains("key.rewrap") && ops.contains("key.status"), ops.toString());
            Result denied = cli(Map.of("KEYWARD_ADDRESS", server.urls().get(0), "KEYWARD_CA_CERT",
                    dir.resolve("ca.pem").toString(), "KEYWARD_HOME", dir.resolve("client").toString(),
                    "KEYWARD_TOKEN", "not-a-token"), "key", "rotate");
            assertEquals(ExitCodes.DENIED, denied.code(), denied.toString());
        }
    }

    private static Result cli(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = KeywardCli.run(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
