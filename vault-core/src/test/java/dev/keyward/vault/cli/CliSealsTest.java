package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.vault.testing.SoftHsm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * keyward init, serve and unseal for each seal type, in a temporary vault directory, over real
 * HTTPS, with a real SoftHSM2 token for the HSM seal.
 */
class CliSealsTest {
    static final String ADMIN_PASS = "admin passphrase 1";
    static final String CANARY = "canary-seals-8e2f";

    @TempDir
    Path dir;
    Path home;
    Map<String, String> env;

    record Result(int code, String out, String err) {
    }

    @BeforeEach
    void setUp() throws Exception {
        home = dir.resolve("vault");
        env = new HashMap<>();
        env.put("KEYWARD_HOME", home.toString());
        env.put("KEYWARD_LISTEN", "127.0.0.1");
        Files.writeString(dir.resolve("admin.txt"), ADMIN_PASS + "\n");
    }

    Result cliIn(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream((stdin == null ? "" : stdin).getBytes(StandardCharsets.UTF_8));
        int code = KeywardCli.run(env, in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Result cli(String... args) {
        return cliIn(null, args);
    }

    /** Runs 'keyward serve ARGS' up to the point where it would block, and returns what it started. */
    ServeCommand.Running serve(String stdin, String... args) {
        KeywardCli root = new KeywardCli(env, new ByteArrayInputStream((stdin == null ? "" : stdin)
                .getBytes(StandardCharsets.UTF_8)), System.out, System.err);
        List<String> all = new ArrayList<>(List.of("serve", "--port", "0"));
        all.addAll(List.of(args));
        CommandLine.ParseResult parsed = new CommandLine(root).parseArgs(all.toArray(String[]::new));
        ServeCommand.Running running = ((ServeCommand) parsed.subcommand().commandSpec().userObject()).start();
        env.put("KEYWARD_ADDRESS", running.server().urls().get(0));
        return running;
    }

    Path file(String name, String content) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        return f;
    }

    void loginSealAndCheckSealed() throws Exception {
        Result login = cli("login", "operator", "--name", "admin", "--passphrase-file", dir.resolve("admin.txt").toString());
        assertEquals(0, login.code(), login.err());
        assertEquals(0, cli("kv", "put", "app/db", "password=" + CANARY).code());
        assertEquals(0, cli("seal").code());
        assertEquals(ExitCodes.UNAVAILABLE, cli("status").code());
        assertEquals(ExitCodes.UNAVAILABLE, cli("kv", "get", "app/db").code());
    }

    void assertNothingSecretOnDisk(List<String> secrets) throws Exception {
        try (Stream<Path> files = Files.walk(home)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                for (String s : secrets) {
                    assertFalse(bytes.contains(s), "found in " + f);
                }
            }
        }
    }

    @Test
    void passphraseInitServeSealUnseal() throws Exception {
        Path pass = file("pass.txt", "unseal passphrase for the cli test\n");
        Result init = cli("init", "--passphrase-file", pass.toString(), "--admin-passphrase-file",
                dir.resolve("admin.txt").toString(), "--insecure-fast-kdf");
        assertEquals(0, init.code(), init.err());
        assertTrue(init.out().contains("passphrase seal (sealed)"), init.out());
        try (ServeCommand.Running s = serve(null, "--passphrase-file", pass.toString())) {
            loginSealAndCheckSealed();
            assertEquals(ExitCodes.DENIED, cli("unseal", "--passphrase-file", file("wrong.txt", "wrong one").toString())
                    .code());
            Result ok = cli("-o", "json", "unseal", "--passphrase-file", pass.toString());
            assertEquals(0, ok.code(), ok.err());
            assertFalse(VaultClientJson.read(ok.out()).get("sealed").asBoolean());
            assertEquals(CANARY + "\n", cli("kv", "get", "app/db", "--field", "password").out());
        }
        assertNothingSecretOnDisk(List.of(CANARY, "unseal passphrase for the cli test"));
    }

    @Test
    void shamirInitPrintsSharesOnceThenServeAndUnsealShareByShare() throws Exception {
        Result init = cli("-o", "json", "init", "--shares", "3", "--threshold", "2", "--admin-passphrase-file",
                dir.resolve("admin.txt").toString(), "--insecure-fast-kdf");
        assertEquals(0, init.code(), init.err());
        JsonNode j = VaultClientJson.read(init.out());
        assertEquals("shamir", j.get("seal_type").asText());
        assertEquals(2, j.get("threshold").asInt());
        List<String> shares = new ArrayList<>();
        j.get("shares").forEach(n -> shares.add(n.asText()));
        assertEquals(3, shares.size());
        assertTrue(shares.stream().allMatch(x -> x.startsWith("kw1-")), shares.toString());
        assertNothingSecretOnDisk(shares);
        assertEquals(ExitCodes.REFUSED, cli("init", "--shares", "3", "--threshold", "2", "--admin-passphrase-file",
                dir.resolve("admin.txt").toString(), "--insecure-fast-kdf").code(), "initialised once");

        // Too few shares: serve stops, still sealed, and says how many are missing.
        CliException few = assertThrows(CliException.class,
                () -> serve(null, "--share-file", file("one.txt", shares.get(0) + "\n").toString()));
        assertEquals(ExitCodes.UNAVAILABLE, few.exitCode());
        assertTrue(few.getMessage().contains("1 more share"), few.getMessage());

        try (ServeCommand.Running s = serve(shares.get(0) + "\n" + shares.get(2) + "\n", "--share-file", "-")) {
            loginSealAndCheckSealed();
            // One holder after another; the endpoint keeps the progress.
            Result first = cli("unseal", "--share-file", file("s2.txt", shares.get(1)).toString());
            assertEquals(ExitCodes.UNAVAILABLE, first.code(), first.err());
            assertTrue(first.err().contains("Share accepted: 1 of 2."), first.err());
            assertTrue(first.err().contains("1 more share(s) needed"), first.err());
            Result reset = cli("unseal", "--reset");
            assertEquals(ExitCodes.UNAVAILABLE, reset.code(), reset.err());
            assertTrue(reset.out().contains("progress: 0"), reset.out());
            assertEquals(ExitCodes.UNAVAILABLE, cli("unseal", "--share-file", dir.resolve("s2.txt").toString()).code());
            String mistyped = shares.get(2).substring(0, shares.get(2).length() - 1)
                    + (shares.get(2).endsWith("A") ? "B" : "A");
            Result bad = cliIn(mistyped + "\n", "unseal");
            assertEquals(ExitCodes.DENIED, bad.code(), bad.err() + bad.out());
            assertFalse(bad.err().contains(mistyped) || bad.out().contains(mistyped));
            Result second = cliIn(shares.get(2) + "\n", "-o", "json", "unseal");
            assertEquals(0, second.code(), second.err());
            assertFalse(VaultClientJson.read(second.out()).get("sealed").asBoolean());
            assertEquals(CANARY + "\n", cli("kv", "get", "app/db", "--field", "password").out());
            for (String share : shares) {
                assertFalse(first.out().contains(share) || first.err().contains(share));
                assertFalse(second.out().contains(share) || second.err().contains(share));
            }
        }
    }

    @Test
    void hsmInitServeSealUnsealWithPin() throws Exception {
        SoftHsm hsm = SoftHsm.get();
        String label = SoftHsm.uniqueLabel();
        Path pin = file("pin.txt", SoftHsm.PIN + "\n");
        Result wrongPin = cli("init", "--hsm-library", hsm.library().toString(), "--hsm-slot",
                Long.toString(hsm.slot(SoftHsm.MAIN)), "--hsm-key-label", label, "--pin-file",
                file("bad-pin.txt", "99999").toString(), "--admin-passphrase-file", dir.resolve("admin.txt").toString(),
                "--insecure-fast-kdf");
        assertEquals(ExitCodes.DENIED, wrongPin.code(), wrongPin.err() + wrongPin.out());
        Result init = cli("-o", "json", "init", "--hsm-library", hsm.library().toString(), "--hsm-slot",
                Long.toString(hsm.slot(SoftHsm.MAIN)), "--hsm-key-label", label, "--pin-file", pin.toString(),
                "--admin-passphrase-file", dir.resolve("admin.txt").toString(), "--insecure-fast-kdf");
        assertEquals(0, init.code(), init.err());
        assertEquals("pkcs11", VaultClientJson.read(init.out()).get("seal_type").asText());
        assertFalse(init.out().contains("shares"));

        try (ServeCommand.Running s = serve(null, "--pin-file", pin.toString())) {
            loginSealAndCheckSealed();
            assertEquals(ExitCodes.DENIED, cli("unseal", "--pin-file", file("wrong-pin.txt", "4321").toString()).code());
            Result ok = cli("unseal", "--pin-file", pin.toString());
            assertEquals(0, ok.code(), ok.err());
            assertTrue(ok.out().contains("type: pkcs11"), ok.out());
            assertEquals(CANARY + "\n", cli("kv", "get", "app/db", "--field", "password").out());
        }
        assertNothingSecretOnDisk(List.of(CANARY));
    }

    @Test
    void initRefusesMixedOrIncompleteSealOptions() {
        String admin = dir.resolve("admin.txt").toString();
        assertEquals(ExitCodes.USAGE, cli("init", "--shares", "3", "--admin-passphrase-file", admin).code());
        assertEquals(ExitCodes.USAGE, cli("init", "--hsm-slot", "1", "--admin-passphrase-file", admin).code());
        assertEquals(ExitCodes.USAGE, cli("init", "--shares", "3", "--threshold", "2", "--hsm-library",
                "/usr/lib/softhsm/libsofthsm2.so", "--admin-passphrase-file", admin).code());
        Result tooMany = cli("init", "--shares", "20", "--threshold", "2", "--admin-passphrase-file", admin);
        assertEquals(ExitCodes.USAGE, tooMany.code());
        assertTrue(tooMany.err().contains("threshold"), tooMany.err());
        assertEquals(ExitCodes.USAGE, cli("init", "--hsm-library", "relative/lib.so", "--pin-file", admin,
                "--admin-passphrase-file", admin).code());
        assertFalse(Files.exists(home.resolve("seal.json")), "nothing was initialised");
    }

    /** JSON parsing for the assertions. */
    static final class VaultClientJson {
        static JsonNode read(String s) {
            try {
                return VaultClient.JSON.readTree(s);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + s, e);
            }
        }
    }
}
