package dev.keyward.console;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real SoftHSM2 token for the console tests of this JVM, under target/softhsm (the same
 * approach as vault-core's tests). SoftHSM reads SOFTHSM2_CONF when the PKCS#11 library first
 * initialises and sees only the tokens that exist then, so the token is created here before any
 * provider loads. Surefire sets SOFTHSM2_CONF (app/pom.xml).
 *
 * <p>Without softhsm2 these tests are skipped on a developer machine but fail in CI (environment
 * variable CI set).
 */
public final class SoftHsmToken {
    public static final String PIN = "1234";
    public static final String SO_PIN = "12345678";
    public static final String LABEL = "kw-console";
    private static final List<Path> LIBRARIES = List.of(Path.of("/usr/lib/softhsm/libsofthsm2.so"),
            Path.of("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
            Path.of("/usr/local/lib/softhsm/libsofthsm2.so"));
    private static SoftHsmToken instance;

    private final Path library;
    private final long slot;

    private SoftHsmToken(Path library, long slot) {
        this.library = library;
        this.slot = slot;
    }

    public static synchronized SoftHsmToken get() {
        if (instance == null) {
            instance = create();
        }
        return instance;
    }

    public Path library() {
        return library;
    }

    public long slot() {
        return slot;
    }

    /** A key label no other test used. */
    public static String uniqueLabel() {
        return "c-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static void unavailable(String why) {
        if (System.getenv("CI") != null) {
            fail("PKCS#11 tests must run in CI, but " + why);
        }
        Assumptions.abort("PKCS#11 tests skipped: " + why);
    }

    private static SoftHsmToken create() {
        Path library = LIBRARIES.stream().filter(Files::isRegularFile).findFirst().orElse(null);
        if (library == null) {
            unavailable("softhsm2 is not installed (apt-get install softhsm2)");
        }
        String confEnv = System.getenv("SOFTHSM2_CONF");
        if (confEnv == null) {
            unavailable("SOFTHSM2_CONF is not set for this JVM (run the tests through Maven)");
        }
        Path conf = Path.of(confEnv).toAbsolutePath();
        Path tokens = conf.resolveSibling("tokens");
        try {
            if (Files.exists(tokens)) {
                try (Stream<Path> walk = Files.walk(tokens)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(tokens);
            Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\n"
                    + "log.level = ERROR\nslots.removable = false\n");
        } catch (IOException e) {
            throw new IllegalStateException("SoftHSM setup failed", e);
        }
        run("softhsm2-util", "--init-token", "--free", "--label", LABEL, "--so-pin", SO_PIN, "--pin", PIN);
        Long slot = null;
        Long current = null;
        for (String line : run("softhsm2-util", "--show-slots").split("\n")) {
            String l = line.trim();
            if (l.matches("Slot [0-9]+")) {
                current = Long.parseLong(l.substring(5));
            } else if (l.startsWith("Label:") && l.substring(6).trim().equals(LABEL)) {
                slot = current;
            }
        }
        if (slot == null) {
            fail("SoftHSM token " + LABEL + " was not created");
        }
        return new SoftHsmToken(library, slot);
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                fail(command[0] + " " + command[1] + " failed: " + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            unavailable(command[0] + " could not run: " + e.getMessage());
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
