package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.testing.SoftHsm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's HSM example, run exactly as printed (the keyward CLI in its own process, as
 * bin/keyward starts it) against a fresh SoftHSM2 token of its own, and the plain message for a
 * slot id that the library does not have.
 */
class ReadmeHsmExampleTest {
    @TempDir
    Path dir;

    /** The command after "bin/keyward" on the README's "HSM seal:" line. */
    static List<String> readmeArgs() throws Exception {
        Path readme = Path.of("..", "README.md");
        for (String line : Files.readAllLines(readme, StandardCharsets.UTF_8)) {
            int at = line.indexOf("HSM seal:");
            if (at >= 0 && line.contains("bin/keyward init")) {
                String cmd = line.substring(line.indexOf("bin/keyward") + "bin/keyward".length()).trim();
                return new ArrayList<>(Arrays.asList(cmd.split("\\s+")));
            }
        }
        throw new AssertionError("README.md has no HSM seal example");
    }

    /** A SoftHSM2 configuration with one fresh token, as a new user's machine would have. */
    private Path ownToken() throws Exception {
        SoftHsm.get(); // skips (or fails in CI) without softhsm2
        Path tokens = Files.createDirectories(dir.resolve("tokens"));
        Path conf = dir.resolve("softhsm2.conf");
        Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\n");
        ProcessBuilder pb = new ProcessBuilder("softhsm2-util", "--init-token", "--free", "--label", "keyward",
                "--so-pin", SoftHsm.SO_PIN, "--pin", SoftHsm.PIN).redirectErrorStream(true);
        pb.environment().put("SOFTHSM2_CONF", conf.toString());
        Process init = pb.start();
        String out = new String(init.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(init.waitFor(60, TimeUnit.SECONDS) && init.exitValue() == 0, out);
        return conf;
    }

    private String[] keyward(Path conf, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), KeywardCli.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("SOFTHSM2_CONF", conf.toString());
        pb.environment().put("KEYWARD_HOME", dir.resolve("vault").toString());
        pb.environment().put("KEYWARD_ADMIN_PASSPHRASE", "admin passphrase 1");
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new String[] {Integer.toString(p.exitValue()), out};
    }

    @Test
    void theReadmeHsmExampleInitialisesAVault() throws Exception {
        Path conf = ownToken();
        Files.writeString(dir.resolve("pin.txt"), SoftHsm.PIN + "\n");
        List<String> args = readmeArgs();
        assertEquals("init", args.get(0));
        String[] r = keyward(conf, args);
        assertEquals("0", r[0], r[1]);
        assertTrue(r[1].contains("pkcs11 seal (sealed)"), r[1]);
    }

    @Test
    void aSlotIdTheLibraryDoesNotHaveIsSaidPlainly() throws Exception {
        Path conf = ownToken();
        Files.writeString(dir.resolve("pin.txt"), SoftHsm.PIN + "\n");
        String[] r = keyward(conf, List.of("init", "--hsm-library", SoftHsm.get().library().toString(), "--hsm-slot",
                "0", "--pin-file", "pin.txt"));
        assertEquals("3", r[0], r[1]);
        assertTrue(r[1].contains("no token in slot id 0") && r[1].contains("--hsm-slot-index"), r[1]);
        assertTrue(Files.notExists(dir.resolve("vault")), "the failed init left nothing behind to clean up");
    }
}
