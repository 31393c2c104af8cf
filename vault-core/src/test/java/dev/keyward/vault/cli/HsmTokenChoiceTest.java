package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.testing.SoftHsm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token is chosen by its label and serial, found among the library's slots: with a second
 * SoftHSM2 token added after init ({@code softhsm2-util --init-token --free --label other}), a
 * restarted {@code keyward serve} finds its own token; when its token is gone it says so plainly;
 * a seal.json from before (slotListIndex) keeps working and is rewritten to name the token.
 * Each keyward runs in its own process (SoftHSM2 sees the tokens that exist when it starts).
 */
class HsmTokenChoiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path conf;

    private Path softHsm() throws Exception {
        SoftHsm.get(); // skips (or fails in CI) without softhsm2
        Path tokens = Files.createDirectories(dir.resolve("tokens"));
        conf = dir.resolve("softhsm2.conf");
        Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
        Files.writeString(dir.resolve("pin.txt"), SoftHsm.PIN + "\n");
        Files.writeString(dir.resolve("other-pin.txt"), "5678\n");
        return tokens;
    }

    private String tool(String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true);
        pb.environment().put("SOFTHSM2_CONF", conf.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        return out;
    }

    private void token(String label, String pin) throws Exception {
        tool("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", SoftHsm.SO_PIN, "--pin", pin);
    }

    /** The labels in the library's slot order. */
    private List<String> slotOrder() throws Exception {
        List<String> labels = new ArrayList<>();
        for (String line : tool("softhsm2-util", "--show-slots").split("\n")) {
            String l = line.trim();
            if (l.startsWith("Label:") && !l.substring(6).isBlank()) {
                labels.add(l.substring(6).trim());
            }
        }
        return labels;
    }

    private ProcessBuilder keyward(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), KeywardCli.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("SOFTHSM2_CONF", conf.toString());
        pb.environment().put("KEYWARD_HOME", dir.resolve("vault").toString());
        pb.environment().put("KEYWARD_ADMIN_PASSPHRASE", "admin passphrase 1");
        pb.environment().remove("KEYWARD_PIN");
        return pb;
    }

    private String[] run(String... args) throws Exception {
        Process p = keyward(List.of(args)).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new String[] {Integer.toString(p.exitValue()), out};
    }

    /** Starts keyward serve; returns "serving" once it listens (then stops it), else its exit code and output. */
    private String[] serve(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("serve", "--port", "0", "--pin-file", "pin.txt"));
        args.addAll(List.of(extra));
        Process p = keyward(args).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.append(line).append('\n');
                if (line.startsWith("Serving ")) {
                    p.destroy();
                    p.waitFor(30, TimeUnit.SECONDS);
                    return new String[] {"serving", out.toString()};
                }
            }
        } finally {
            p.destroyForcibly();
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new String[] {Integer.toString(p.exitValue()), out.toString()};
    }

    private JsonNode sealJson() throws Exception {
        return JSON.readTree(Files.readString(dir.resolve("vault").resolve("seal.json"))).path("params");
    }

    @Test
    void theVaultFindsItsOwnTokenAfterAnotherIsAddedAndSaysPlainlyWhenItIsGone() throws Exception {
        Path tokens = softHsm();
        token("keyward", SoftHsm.PIN);
        String[] init = run("init", "--hsm-library", SoftHsm.get().library().toString(), "--pin-file", "pin.txt");
        assertEquals("0", init[0], init[1]);
        JsonNode params = sealJson();
        assertEquals("keyward", params.path("tokenLabel").asText(), params.toString());
        assertTrue(params.path("tokenSerial").asText().length() > 0, params.toString());
        assertFalse(params.has("slotListIndex") || params.has("slot"), "chosen by label, not by place: " + params);

        // Other tokens come and take slots, possibly ahead of the vault's own (SoftHSM2 orders them by directory).
        List<String> order = slotOrder();
        for (int i = 0; i < 5 && order.get(0).equals("keyward"); i++) {
            token("other" + (i == 0 ? "" : Integer.toString(i)), "5678");
            order = slotOrder();
        }
        assertTrue(order.size() >= 2, order.toString());
        String[] restart = serve();
        assertEquals("serving", restart[0], "slot order " + order + ": " + restart[1]);

        // The other token's PIN: it is the vault's token that is logged in to, which refuses that PIN.
        Files.writeString(dir.resolve("pin.txt"), "5678\n");
        String[] wrong = serve();
        assertEquals(Integer.toString(ExitCodes.DENIED), wrong[0], wrong[1]);
        assertTrue(wrong[1].contains("refused the PIN"), wrong[1]);
        assertFalse(wrong[1].contains("no AES key"), wrong[1]);
        Files.writeString(dir.resolve("pin.txt"), SoftHsm.PIN + "\n");

        // The vault's token goes away: said plainly, with the tokens that are there.
        Path own = tokenDirectory(tokens, "keyward");
        deleteTree(own);
        String[] gone = serve();
        assertEquals(Integer.toString(ExitCodes.UNAVAILABLE), gone[0], gone[1]);
        assertTrue(gone[1].contains("The HSM token 'keyward' (serial " + params.path("tokenSerial").asText()
                + ") is not present"), gone[1]);
        assertTrue(gone[1].contains("'other'"), "names the tokens that are there: " + gone[1]);
        assertFalse(gone[1].contains("Exception") || gone[1].contains("\tat "), "no stack trace: " + gone[1]);
    }

    @Test
    void aSealJsonThatNamesASlotListIndexStillUnsealsAndThenNamesItsToken() throws Exception {
        softHsm();
        token("keyward", SoftHsm.PIN);
        String[] init = run("init", "--hsm-library", SoftHsm.get().library().toString(), "--hsm-slot-index", "0",
                "--pin-file", "pin.txt");
        assertEquals("0", init[0], init[1]);
        // seal.json as versions before token labels wrote it
        Path file = dir.resolve("vault").resolve("seal.json");
        ObjectNode root = (ObjectNode) JSON.readTree(Files.readString(file));
        ObjectNode p = (ObjectNode) root.get("params");
        String serial = p.path("tokenSerial").asText();
        p.remove(List.of("tokenLabel", "tokenSerial"));
        p.put("slotListIndex", 0);
        Files.writeString(file, JSON.writeValueAsString(root));

        String[] first = serve();
        assertEquals("serving", first[0], first[1]);
        JsonNode migrated = sealJson();
        assertEquals("keyward", migrated.path("tokenLabel").asText(), migrated.toString());
        assertEquals(serial, migrated.path("tokenSerial").asText());
        assertFalse(migrated.has("slotListIndex"), migrated.toString());

        token("other", "5678");
        String[] second = serve();
        assertEquals("serving", second[0], "slots " + slotOrder() + ": " + second[1]);
    }

    @Test
    void serveCanNameTheTokenAndATokenThatIsNotThereIsSaidPlainly() throws Exception {
        softHsm();
        token("keyward", SoftHsm.PIN);
        String[] init = run("init", "--hsm-library", SoftHsm.get().library().toString(), "--hsm-token-label",
                "keyward", "--pin-file", "pin.txt");
        assertEquals("0", init[0], init[1]);
        String[] named = serve("--hsm-token-label", "keyward");
        assertEquals("serving", named[0], named[1]);
        String[] missing = serve("--hsm-token-label", "nowhere");
        assertEquals(Integer.toString(ExitCodes.UNAVAILABLE), missing[0], missing[1]);
        assertTrue(missing[1].contains("The HSM token 'nowhere' is not present") && missing[1].contains("'keyward'"),
                missing[1]);
        String[] badSerial = serve("--hsm-token-serial", "123");
        assertEquals(Integer.toString(ExitCodes.USAGE), badSerial[0], badSerial[1]);
    }

    private static Path tokenDirectory(Path tokens, String label) throws Exception {
        String padded = String.format("%-32s", label);
        try (Stream<Path> dirs = Files.list(tokens)) {
            for (Path d : dirs.toList()) {
                Path obj = d.resolve("token.object");
                if (Files.isRegularFile(obj)
                        && new String(Files.readAllBytes(obj), StandardCharsets.ISO_8859_1).contains(padded)) {
                    return d;
                }
            }
        }
        throw new AssertionError("no directory for token " + label);
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
