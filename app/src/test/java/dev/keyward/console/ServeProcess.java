package dev.keyward.console;

import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.InitRequest;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code keyward serve} in a child JVM owning a vault directory, on a free port written to the
 * directory's {@code keyward.properties} (where the console looks for it).
 */
public final class ServeProcess implements AutoCloseable {
    private final Process process;
    private final URI address;
    private final List<String> output = new ArrayList<>();

    private ServeProcess(Process process, URI address) {
        this.process = process;
        this.address = address;
    }

    /** Initialises a vault in {@code home} (cheap KDF) without serving it. */
    public static void init(Path home) {
        try (Vault v = Keyward.open(VaultOptions.at(home));
             InitRequest req = new InitRequest(new PassphraseSealSpec(TestConsoles.UNSEAL.toCharArray(),
                     Argon2Parameters.insecureForTests()), TestConsoles.ADMIN, TestConsoles.ADMIN_PASS.toCharArray(),
                     Argon2Parameters.insecureForTests())) {
            v.lifecycle().init(req);
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts {@code keyward serve} for the initialised vault in {@code home}; returns once it listens. */
    public static ServeProcess start(Path home) throws Exception {
        int port = freePort();
        Files.writeString(home.resolve("keyward.properties"), "port = " + port + "\nlisten = 127.0.0.1\n");
        Path pass = Files.createTempFile(home.getParent(), "unseal", ".txt");
        Files.writeString(pass, TestConsoles.UNSEAL);
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.keyward.vault.cli.KeywardCli", "serve", "--home",
                home.toString(), "--passphrase-file", pass.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ServeProcess s = new ServeProcess(p, URI.create("https://127.0.0.1:" + port));
        CompletableFuture<Boolean> serving = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (s.output) {
                        s.output.add(line);
                    }
                    if (line.startsWith("Serving ")) {
                        serving.complete(true);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            serving.complete(false);
        }, "serve-output");
        reader.setDaemon(true);
        reader.start();
        if (!serving.get(60, TimeUnit.SECONDS)) {
            s.close();
            throw new IllegalStateException("keyward serve did not start: " + s.output());
        }
        Files.delete(pass);
        return s;
    }

    public URI address() {
        return address;
    }

    public boolean alive() {
        return process.isAlive();
    }

    public List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
