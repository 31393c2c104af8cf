package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's walkthrough from {@code init} to a pipeline reading a secret, run as printed: each
 * {@code bin/keyward ...} line is the CLI in its own process, in a directory holding the files the
 * README names; the {@code serve ... &} line stays in the background. The endpoint listens on a
 * port of its own (KEYWARD_PORT=0, so nothing but endpoint.json tells the other commands where).
 */
class ReadmeWalkthroughTest {
    @TempDir
    Path dir;

    record Block(String yaml, List<String> lines) {
    }

    static Block walkthrough() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int from = readme.indexOf("<!-- walkthrough -->");
        int to = readme.indexOf("<!-- /walkthrough -->");
        assertTrue(from > 0 && to > from, "README.md has the walkthrough");
        String section = readme.substring(from, to);
        String yaml = section.substring(section.indexOf("```yaml\n") + 8, section.indexOf("```", section.indexOf("```yaml\n") + 8));
        int sh = section.indexOf("```sh\n") + 6;
        List<String> lines = section.substring(sh, section.indexOf("```", sh)).lines().toList();
        return new Block(yaml, lines);
    }

    Map<String, String> env = new HashMap<>();

    List<String> command(String line) {
        String[] words = line.trim().split("\\s+");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), KeywardCli.class.getName()));
        for (int i = 1; i < words.length && !words[i].equals("&"); i++) {
            cmd.add(words[i]);
        }
        return cmd;
    }

    ProcessBuilder process(List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYWARD_") || k.startsWith("VAULT_"));
        pb.environment().putAll(env);
        return pb;
    }

    String run(String line) throws Exception {
        Process p = process(command(line)).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), line);
        assertEquals(0, p.exitValue(), line + "\n" + out);
        return out;
    }

    @Test
    void fromInitToAPipelineReadingASecret() throws Exception {
        Block b = walkthrough();
        Files.writeString(dir.resolve("ci-read.yaml"), b.yaml());
        Files.writeString(dir.resolve("unseal.txt"), "a long unseal passphrase for the readme\n");
        Files.writeString(dir.resolve("admin.txt"), "the admin's own passphrase\n");
        env.put("KEYWARD_PORT", "0");
        Path home = null;
        Process serve = null;
        List<String> outputs = new ArrayList<>();
        try {
            for (String raw : b.lines()) {
                String line = raw.contains("  #") ? raw.substring(0, raw.indexOf("  #")) : raw;
                if (line.isBlank() || line.trim().startsWith("#")) {
                    continue;
                }
                if (line.startsWith("export ")) {
                    String[] kv = line.substring(7).trim().split("=", 2);
                    String value = kv[1].replace("~", dir.resolve("user-home").toString());
                    env.put(kv[0], value);
                    home = Path.of(value);
                    continue;
                }
                assertTrue(line.startsWith("bin/keyward "), "only keyward commands: " + line);
                if (line.trim().endsWith("&")) {
                    serve = process(command(line)).redirectOutput(dir.resolve("serve.log").toFile()).start();
                    Path endpoint = home.resolve(EndpointFile.NAME);
                    for (int i = 0; i < 600 && !Files.exists(endpoint) && serve.isAlive(); i++) {
                        Thread.sleep(100);
                    }
                    assertTrue(Files.exists(endpoint), "serve wrote endpoint.json: "
                            + Files.readString(dir.resolve("serve.log")));
                    continue;
                }
                outputs.add(run(line));
            }
            assertTrue(outputs.get(0).contains("First admin operator: admin"), outputs.get(0));
            assertEquals("s3cret", outputs.get(outputs.size() - 1).trim(), "the pipeline read the secret");

            // endpoint.json named a port other than 8210, and the CA serve wrote.
            JsonNode info = VaultClient.JSON.readTree(Files.readString(home.resolve(EndpointFile.NAME)));
            assertFalse(info.path("address").asText().endsWith(":8210"), info.toString());
            assertEquals(home.resolve("tls/ca.pem").toAbsolutePath().toString(), info.path("ca_cert").asText());
            assertEquals(Files.readString(home.resolve("tls/ca.pem")), Files.readString(dir.resolve("ca.pem")));
            int port = Integer.parseInt(info.path("address").asText().replaceAll(".*:", ""));

            // No ffdhe2048: a client offering only that group gets no TLS 1.3 handshake; x25519 does.
            assertFalse(openssl(port, "ffdhe2048").contains("Protocol version: TLSv1.3"));
            assertTrue(openssl(port, "X25519").contains("Protocol version: TLSv1.3"));
        } finally {
            if (serve != null) {
                serve.destroy(); // SIGTERM: the shutdown hook closes the endpoint and removes endpoint.json
                assertTrue(serve.waitFor(30, TimeUnit.SECONDS));
            }
        }
        assertFalse(Files.exists(home.resolve(EndpointFile.NAME)), "endpoint.json is removed on stop");
        assertEquals(ExitCodes.UNAVAILABLE, process(command("bin/keyward status")).start().waitFor(),
                "without endpoint.json, status tries the default address and says it is unreachable");
    }

    String openssl(int port, String group) throws Exception {
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-tls1_3", "-groups", group,
                "-CAfile", dir.resolve("ca.pem").toString(), "-brief").redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    @Test
    void listenTakesAddressAndPort() {
        ServeCommand.Listen l = ServeCommand.Listen.parse(List.of("127.0.0.1:8443", "[::1]:8443"));
        assertEquals(8443, l.port());
        assertEquals(2, l.addresses().size());
        assertEquals(ExitCodes.USAGE, assertThrowsCli(() -> ServeCommand.Listen.parse(List.of("127.0.0.1:1", "[::1]:2"))));
        assertEquals(ExitCodes.USAGE, assertThrowsCli(() -> ServeCommand.Listen.parse(List.of("127.0.0.1"))));
    }

    static int assertThrowsCli(Runnable r) {
        try {
            r.run();
        } catch (CliException e) {
            return e.exitCode();
        }
        throw new AssertionError("no CliException");
    }
}
