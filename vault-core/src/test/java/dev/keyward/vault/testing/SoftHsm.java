package dev.keyward.vault.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.keyward.vault.api.Pkcs11SealSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real SoftHSM2 token directory for the tests of this JVM, under target/softhsm. SoftHSM reads
 * SOFTHSM2_CONF when the PKCS#11 library initialises (the first SunPKCS11 provider of the JVM)
 * and sees only the tokens that exist at that moment, so every token is created here, before
 * any provider loads. Surefire sets SOFTHSM2_CONF (vault-core/pom.xml).
 *
 * <p>Without softhsm2 the PKCS#11 tests are skipped on a developer machine, but fail in CI
 * (environment variable CI set): there they must run.
 */
public final class SoftHsm {
    public static final String PIN = "1234";
    public static final String SO_PIN = "12345678";
    /** Shared by most tests (each uses its own key labels). */
    public static final String MAIN = "kw-main";
    /** Taken away mid-run by the HSM-loss test. */
    public static final String DOOMED = "kw-loss";
    private static final List<String> TOKENS = List.of(MAIN, DOOMED);
    private static final List<Path> LIBRARIES = List.of(Path.of("/usr/lib/softhsm/libsofthsm2.so"),
            Path.of("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
            Path.of("/usr/local/lib/softhsm/libsofthsm2.so"));

    private static SoftHsm instance;

    private final Path library;
    private final Path conf;
    private final Path tokenRoot;
    private final Map<String, Long> slots;

    private SoftHsm(Path library, Path conf, Path tokenRoot, Map<String, Long> slots) {
        this.library = library;
        this.conf = conf;
        this.tokenRoot = tokenRoot;
        this.slots = slots;
    }

    /** The token set of this JVM, created on first use; skips (or fails in CI) without softhsm2. */
    public static synchronized SoftHsm get() {
        if (instance == null) {
            instance = create();
        }
        return instance;
    }

    private static void unavailable(String why) {
        if (System.getenv("CI") != null) {
            fail("PKCS#11 tests must run in CI, but " + why);
        }
        Assumptions.abort("PKCS#11 tests skipped: " + why);
    }

    private static SoftHsm create() {
        Path library = LIBRARIES.stream().filter(Files::isRegularFile).findFirst().orElse(null);
        if (library == null || !onPath("softhsm2-util")) {
            unavailable("softhsm2 is not installed (apt-get install softhsm2 opensc)");
        }
        String confEnv = System.getenv("SOFTHSM2_CONF");
        if (confEnv == null) {
            unavailable("SOFTHSM2_CONF is not set for this JVM (run the tests through Maven)");
        }
        Path conf = Path.of(confEnv).toAbsolutePath();
        Path tokenRoot = conf.resolveSibling("tokens");
        try {
            deleteTree(tokenRoot);
            Files.createDirectories(tokenRoot);
            Files.writeString(conf, "directories.tokendir = " + tokenRoot + "\nobjectstore.backend = file\n"
                    + "log.level = ERROR\nslots.removable = false\n");
            for (String label : TOKENS) {
                run(List.of("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", SO_PIN,
                        "--pin", PIN));
            }
            Map<String, Long> slots = parseSlots(run(List.of("softhsm2-util", "--show-slots")));
            for (String label : TOKENS) {
                if (!slots.containsKey(label)) {
                    fail("SoftHSM token " + label + " was not created");
                }
            }
            return new SoftHsm(library, conf, tokenRoot, slots);
        } catch (IOException e) {
            throw new IllegalStateException("SoftHSM setup failed", e);
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static Map<String, Long> parseSlots(String out) {
        Map<String, Long> slots = new HashMap<>();
        Long current = null;
        for (String line : out.split("\n")) {
            String l = line.trim();
            if (l.matches("Slot [0-9]+")) {
                current = Long.parseLong(l.substring(5));
            } else if (l.startsWith("Label:") && current != null) {
                String label = l.substring(6).trim();
                if (!label.isEmpty()) {
                    slots.put(label, current);
                }
            }
        }
        return slots;
    }

    /** Runs a tool with this JVM's SOFTHSM2_CONF; returns stdout, fails on a non-zero exit. */
    public static String run(List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                fail(String.join(" ", command.subList(0, Math.min(2, command.size()))) + " failed: "
                        + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Path library() {
        return library;
    }

    public long slot(String token) {
        return slots.get(token);
    }

    /** A seal spec on a token with a fresh key label (so tests sharing a token do not collide). */
    public Pkcs11SealSpec spec(String token) {
        return spec(token, uniqueLabel());
    }

    public Pkcs11SealSpec spec(String token, String keyLabel) {
        return new Pkcs11SealSpec(library, slot(token), 0, keyLabel, PIN.toCharArray());
    }

    public static String uniqueLabel() {
        return "k-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The directory SoftHSM keeps one token in. */
    public Path tokenDirectory(String token) {
        return tokenDirectory(tokenRoot, token);
    }

    /** The directory in {@code tokenRoot} (a SoftHSM2 token directory) that keeps the token labelled {@code token}. */
    public static Path tokenDirectory(Path tokenRoot, String token) {
        String padded = String.format("%-32s", token);
        try (Stream<Path> dirs = Files.list(tokenRoot)) {
            for (Path d : dirs.toList()) {
                Path obj = d.resolve("token.object");
                if (Files.isRegularFile(obj)
                        && new String(Files.readAllBytes(obj), StandardCharsets.ISO_8859_1).contains(padded)) {
                    return d;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no directory for token " + token);
    }

    public Path conf() {
        return conf;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
