package dev.keyward.vault.remote;

import dev.keyward.vault.api.ServiceUnavailableException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@code keyward serve} for a vault directory as a process of its own, so that the vault
 * stays served after the program that started it (the console) exits. The unseal credential goes
 * to the new process on its standard input, never on its command line or in its environment; its
 * output goes to {@code <home>/serve.log}. For a service that starts with the machine, install
 * the systemd unit instead (docs/installers.md).
 */
public final class ServiceLauncher {
    /** The log the started service writes (its own messages; never a secret). */
    public static final String LOG = "serve.log";

    private ServiceLauncher() {
    }

    /** How the service unseals: the passphrase seal or the HSM's PIN (Shamir shares are entered with keyward unseal). */
    public enum Credential { PASSPHRASE, PIN }

    /**
     * Starts the service and waits until it serves (its log says so) or ends.
     *
     * @param home       the vault directory; no other process may own it
     * @param kind       what {@code secret} is
     * @param secret     the unseal passphrase or PIN; zeroed here once handed over
     * @param classPath  the class path that holds vault-core and its dependencies
     * @param wait       how long to wait for the service to serve
     * @return the running service's process
     * @throws ServiceUnavailableException when it ended or did not serve in time, with the last
     *                                     line it wrote (a sentence of its own, never a secret)
     */
    public static Process start(Path home, Credential kind, char[] secret, String classPath, Duration wait) {
        Path log = home.resolve(LOG);
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-cp", classPath, "dev.keyward.vault.cli.KeywardCli",
                "serve", "--home", home.toString(), kind == Credential.PIN ? "--pin-file" : "--passphrase-file", "-"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        dev.keyward.vault.cli.ChildEnvironment.prepare(pb.environment(), Map.of());
        long offset;
        Process p;
        try {
            offset = Files.exists(log) ? Files.size(log) : 0;
            p = pb.start();
        } catch (IOException e) {
            throw new ServiceUnavailableException("keyward serve could not be started: " + e.getMessage(), e);
        }
        try (OutputStream in = p.getOutputStream()) {
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(secret));
            byte[] b = new byte[bytes.remaining()];
            bytes.get(b);
            in.write(b);
            in.write('\n');
            Arrays.fill(b, (byte) 0);
            Arrays.fill(bytes.array(), (byte) 0);
        } catch (IOException e) {
            // the process ended before it read its input: its log says why
        } finally {
            Arrays.fill(secret, '\0');
        }
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                List<String> lines = linesSince(log, offset);
                if (lines.stream().anyMatch(l -> l.startsWith("Serving "))) {
                    return p;
                }
                if (p.waitFor(200, TimeUnit.MILLISECONDS)) {
                    List<String> last = linesSince(log, offset);
                    throw new ServiceUnavailableException("keyward serve stopped (exit " + p.exitValue() + ")"
                            + (last.isEmpty() ? "." : ": " + last.get(last.size() - 1)));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p.destroy();
        throw new ServiceUnavailableException("keyward serve did not start serving within " + wait.toSeconds()
                + " s; see " + log + ".");
    }

    private static List<String> linesSince(Path log, long offset) {
        try {
            byte[] all = Files.readAllBytes(log);
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The class path this program runs with: the URLs of the loader that loaded vault-core (a
     * plugin such as exec:java runs the program in a loader of its own), else java.class.path.
     */
    public static String currentClassPath() {
        ClassLoader loader = ServiceLauncher.class.getClassLoader();
        if (loader instanceof java.net.URLClassLoader u && u.getURLs().length > 0) {
            List<String> parts = new ArrayList<>();
            for (java.net.URL url : u.getURLs()) {
                try {
                    parts.add(Path.of(url.toURI()).toString());
                } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                    // not a file: nothing a child JVM could load
                }
            }
            return String.join(java.io.File.pathSeparator, parts);
        }
        return System.getProperty("java.class.path");
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
