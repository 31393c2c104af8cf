package dev.keyward.vault.cli;

import dev.keyward.vault.engine.TestVaults;
import dev.keyward.vault.server.KeywardServer;
import dev.keyward.vault.server.ServerConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** A real endpoint for a test vault and the {@code keyward} CLI talking to it over HTTPS with the admin's token. */
final class CliHarness implements AutoCloseable {
    record Result(int code, String out, String err) {
    }

    final KeywardServer server;
    /** The CLI's environment: home, address, CA and the admin's token. */
    final Map<String, String> env = new HashMap<>();

    /** Serves {@code vault}, whose directory is {@code vaultDir}; the CLI's home is {@code clientHome}. */
    CliHarness(TestVaults.Opened vault, Path vaultDir, Path clientHome) {
        Path ca = vaultDir.resolve("tls/ca.pem");
        server = KeywardServer.start(vault.engine(), ServerConfig.ephemeral().withRateLimits(0, 0), Clock.systemUTC(),
                ca);
        env.put("KEYWARD_HOME", clientHome.toString());
        env.put("KEYWARD_ADDRESS", server.urls().get(0));
        env.put("KEYWARD_CA_CERT", ca.toString());
        env.put("KEYWARD_TOKEN", vault.session().token());
    }

    static Result run(Map<String, String> env, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = KeywardCli.run(env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Result cli(String... args) {
        return run(env, "", args);
    }

    /** The same CLI with one variable changed (e.g. another token). */
    Result with(String name, String value, String... args) {
        Map<String, String> e = new HashMap<>(env);
        e.put(name, value);
        return run(e, "", args);
    }

    @Override
    public void close() {
        server.close();
    }
}
