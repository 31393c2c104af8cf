package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The JSON-lines audit sink for a SIEM is a setting: {@code audit_file} in keyward.properties,
 * {@code KEYWARD_AUDIT_FILE}, or {@code serve --audit-file}, each overriding the one before.
 */
class AuditSinkSettingTest {
    @TempDir
    Path dir;
    Path home;
    Map<String, String> env;
    Path pass;

    @BeforeEach
    void initialised() throws Exception {
        home = dir.resolve("vault");
        env = new HashMap<>();
        env.put("KEYWARD_HOME", home.toString());
        env.put("KEYWARD_LISTEN", "127.0.0.1");
        pass = dir.resolve("pass.txt");
        Files.writeString(pass, "unseal passphrase for the sink test\n");
        Files.writeString(dir.resolve("admin.txt"), "admin passphrase 1\n");
        assertEquals(0, cli("init", "--passphrase-file", pass.toString(), "--admin-passphrase-file",
                dir.resolve("admin.txt").toString(), "--insecure-fast-kdf").code());
    }

    record Result(int code, String out, String err) {
    }

    Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = KeywardCli.run(env, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** serve ARGS, a login and one write through the endpoint, then stop. */
    void serveAndWrite(String... args) {
        KeywardCli root = new KeywardCli(env, new ByteArrayInputStream(new byte[0]), System.out, System.err);
        List<String> all = new ArrayList<>(List.of("serve", "--port", "0", "--passphrase-file", pass.toString()));
        all.addAll(List.of(args));
        CommandLine.ParseResult parsed = new CommandLine(root).parseArgs(all.toArray(String[]::new));
        try (ServeCommand.Running running = ((ServeCommand) parsed.subcommand().commandSpec().userObject()).start()) {
            env.put("KEYWARD_ADDRESS", running.server().urls().get(0));
            Result login = cli("login", "operator", "--name", "admin", "--passphrase-file",
                    dir.resolve("admin.txt").toString());
            assertEquals(0, login.code(), login.err());
            Result put = cli("kv", "put", "app/db", "password=canary-sink-3f1e");
            assertEquals(0, put.code(), put.err());
        }
    }

    private static List<String> lines(Path f) throws Exception {
        return Files.readAllLines(f, StandardCharsets.UTF_8);
    }

    @Test
    void theSettingsFileEnablesTheSinkWithAFileOnlyItsOwnerReads() throws Exception {
        Files.createDirectories(home);
        Files.writeString(home.resolve("keyward.properties"), "audit_file = siem/keyward-audit.jsonl\n");
        serveAndWrite();
        Path f = home.resolve("siem/keyward-audit.jsonl");
        assertTrue(Files.isRegularFile(f), "a relative audit_file is under the vault directory");
        List<String> lines = lines(f);
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"operation\":\"secret.write\"")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"operation\":\"vault.unseal\"")), lines.toString());
        assertFalse(Files.readString(f).contains("canary-sink-3f1e"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void theEnvironmentOverridesTheFileAndTheFlagOverridesBoth() throws Exception {
        Files.createDirectories(home);
        Files.writeString(home.resolve("keyward.properties"), "audit_file = " + dir.resolve("from-file.jsonl") + "\n");
        env.put("KEYWARD_AUDIT_FILE", dir.resolve("from-env.jsonl").toString());
        serveAndWrite();
        assertFalse(Files.exists(dir.resolve("from-file.jsonl")));
        assertFalse(lines(dir.resolve("from-env.jsonl")).isEmpty());
        serveAndWrite("--audit-file", dir.resolve("from-flag.jsonl").toString());
        assertFalse(lines(dir.resolve("from-flag.jsonl")).isEmpty());
    }
}
