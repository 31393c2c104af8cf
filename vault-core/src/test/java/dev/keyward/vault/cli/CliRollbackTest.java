package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.engine.RollbackTestFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A vault directory restored from an older copy, seen from the CLI: the newest head this user saw
 * is kept outside the vault directory, so audit head and audit verify say the vault is older; with
 * a witness file configured, serve refuses to unseal until the rollback is accepted.
 */
class CliRollbackTest {
    @TempDir
    Path dir;
    Path home;
    Path pass;
    Map<String, String> env;

    record Result(int code, String out, String err) {
    }

    @BeforeEach
    void setUp() throws Exception {
        home = dir.resolve("vault");
        env = new HashMap<>();
        env.put("KEYWARD_HOME", home.toString());
        env.put("KEYWARD_LISTEN", "127.0.0.1");
        env.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
        pass = dir.resolve("pass.txt");
        Files.writeString(pass, "unseal passphrase for the rollback test\n");
        Files.writeString(dir.resolve("admin.txt"), "admin passphrase 1\n");
        assertEquals(0, cli("init", "--passphrase-file", pass.toString(), "--admin-passphrase-file",
                dir.resolve("admin.txt").toString(), "--insecure-fast-kdf").code());
    }

    Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = KeywardCli.run(env, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    ServeCommand.Running serve(String... args) {
        KeywardCli root = new KeywardCli(env, new ByteArrayInputStream(new byte[0]), System.out, System.err);
        List<String> all = new ArrayList<>(List.of("serve", "--port", "0", "--passphrase-file", pass.toString()));
        all.addAll(List.of(args));
        CommandLine.ParseResult parsed = new CommandLine(root).parseArgs(all.toArray(String[]::new));
        ServeCommand.Running running = ((ServeCommand) parsed.subcommand().commandSpec().userObject()).start();
        env.put("KEYWARD_ADDRESS", running.server().urls().get(0));
        assertEquals(0, cli("login", "operator", "--name", "admin", "--passphrase-file",
                dir.resolve("admin.txt").toString()).code());
        return running;
    }

    /** Writes and a signed head the CLI sees, a copy of the stopped directory, then more of both. */
    Path olderCopy() throws Exception {
        try (ServeCommand.Running s = serve()) {
            assertEquals(0, cli("kv", "put", "app/a", "v=1").code());
            Result head = cli("audit", "head", "--issue");
            assertEquals(0, head.code(), head.err());
        }
        Path old = dir.resolve("old");
        RollbackTestFiles.copy(home, old);
        try (ServeCommand.Running s = serve()) {
            for (int i = 0; i < 3; i++) {
                assertEquals(0, cli("kv", "put", "app/b" + i, "v=2").code());
            }
            assertEquals(0, cli("audit", "head", "--issue").code());
        }
        RollbackTestFiles.delete(home);
        RollbackTestFiles.copy(old, home);
        return old;
    }

    @Test
    void theCliSaysTheVaultIsOlderThanTheHeadItSawBefore() throws Exception {
        olderCopy();
        try (ServeCommand.Running s = serve()) {
            Result head = cli("audit", "head");
            assertEquals(ExitCodes.REFUSED, head.code(), head.toString());
            assertTrue(head.err().contains("WARNING") && head.err().contains("rolled back"), head.err());
            Result verify = cli("audit", "verify");
            assertEquals(ExitCodes.REFUSED, verify.code(), verify.toString());
            assertTrue(verify.out().contains("ok: false") && verify.out().contains("ROLLED_BACK"), verify.out());
            // Accepted on purpose: this head is the newest seen from now on.
            assertEquals(0, cli("audit", "head", "--accept-rollback").code());
            assertEquals(0, cli("audit", "head").code());
        }
    }

    @Test
    void withAWitnessFileServeRefusesToUnsealUntilTheRollbackIsAccepted() throws Exception {
        Path witness = dir.resolve("witness/heads.jsonl");
        Files.createDirectories(home);
        Files.writeString(home.resolve("keyward.properties"), "audit_witness_file = " + witness + "\n");
        olderCopy();
        Result refused = cli("serve", "--port", "0", "--passphrase-file", pass.toString());
        assertEquals(ExitCodes.REFUSED, refused.code(), refused.toString());
        assertTrue(refused.err().contains("older") && refused.err().contains("--accept-rollback"), refused.err());
        try (ServeCommand.Running s = serve("--accept-rollback")) {
            assertEquals(0, cli("kv", "put", "app/c", "v=3").code());
        }
        try (ServeCommand.Running s = serve()) {
            assertEquals(0, cli("kv", "get", "app/c").code(), "the accepted state is the new baseline");
        }
    }
}
