package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.engine.TestVaults;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code keyward scan} against a real endpoint, over real files and a real git repository. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScanCommandTest {
    static final String DB_PASSWORD = "canary-db-9f8e7d6c5b";
    static final String API_TOKEN_OLD = "canary-old-token-4b1c2a";
    static final String API_TOKEN = "canary-api-token-77aa31";
    static final String PASSPHRASE = "canary horse battery staple";
    static final String SHORT = "abc123"; // too short to look for

    @TempDir
    static Path dir;
    TestVaults.Opened vault;
    CliHarness harness;
    Map<String, String> env;

    CliHarness.Result withInput(String stdin, String... args) {
        return CliHarness.run(env, stdin, args);
    }

    CliHarness.Result cli(String... args) {
        return CliHarness.run(env, "", args);
    }

    @BeforeAll
    void start() throws Exception {
        vault = TestVaults.initialised(dir.resolve("vault"));
        Caller a = vault.caller();
        vault.engine().secrets().write(a, "app/db", SecretData.of(Map.of("password", DB_PASSWORD, "user", "svc")),
                null);
        vault.engine().secrets().write(a, "ci/api", SecretData.of(Map.of("token", API_TOKEN_OLD)), null);
        vault.engine().secrets().write(a, "ci/api", SecretData.of(Map.of("token", API_TOKEN)), null);
        vault.engine().secrets().write(a, "team/wifi", SecretData.of(Map.of("passphrase", PASSPHRASE, "pin", SHORT)),
                null);
        harness = new CliHarness(vault, dir.resolve("vault"), dir.resolve("client"));
        env = harness.env;
    }

    @AfterAll
    void stop() {
        harness.close();
        vault.close();
    }

    static void git(Path repo, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", repo.toString(), "-c", "user.name=Test",
                "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }

    /** A repository whose history holds values that its working tree no longer does. */
    Path repository() throws Exception {
        Path repo = Files.createDirectories(dir.resolve("repo-" + System.nanoTime()));
        git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve("README.md"), "A project.\n");
        Files.writeString(repo.resolve("config.env"), "DB_USER=svc\nDB_PASSWORD=" + DB_PASSWORD + "\n");
        git(repo, "add", ".");
        git(repo, "commit", "-q", "-m", "first");
        Files.writeString(repo.resolve("config.env"), "DB_USER=svc\nDB_PASSWORD=${DB_PASSWORD}\n");
        Files.writeString(repo.resolve("deploy.sh"), "#!/bin/sh\ncurl -H 'Authorization: Bearer "
                + API_TOKEN_OLD + "' https://ci.example.org\n");
        git(repo, "add", ".");
        git(repo, "commit", "-q", "-m", "read the password from the environment");
        Files.writeString(repo.resolve("deploy.sh"), "#!/bin/sh\ncurl -H \"Authorization: Bearer $TOKEN\" x\n");
        git(repo, "commit", "-q", "-am", "token from the environment");
        git(repo, "checkout", "-q", "-b", "feature");
        Files.writeString(repo.resolve("notes.txt"), "wifi: " + PASSPHRASE + "\n");
        git(repo, "add", ".");
        git(repo, "commit", "-q", "-m", "notes");
        git(repo, "checkout", "-q", "main");
        return repo;
    }

    private static void assertNoValue(CliHarness.Result r) {
        for (String v : List.of(DB_PASSWORD, API_TOKEN_OLD, API_TOKEN, PASSPHRASE)) {
            assertFalse(r.out().contains(v) || r.err().contains(v), "a found value was printed");
        }
    }

    @Test
    void findsPlantedValuesInAGitHistoryIncludingOnesOnlyInHistory() throws Exception {
        Path repo = repository();
        CliHarness.Result r = cli("scan", repo.toString());
        assertEquals(Gate.FOUND, r.code(), r.out() + r.err());
        assertNoValue(r);
        List<String> leaks = r.out().lines().filter(l -> l.startsWith("LEAK ")).toList();
        assertEquals(3, leaks.size(), r.out());
        assertTrue(leaks.stream().anyMatch(l -> l.matches("LEAK commit [0-9a-f]{12} config.env:2:13  app/db#password"
                + " \\(version 1, current\\)")), r.out());
        assertTrue(leaks.stream().anyMatch(l -> l.matches("LEAK commit [0-9a-f]{12} deploy.sh:2:32  ci/api#token"
                + " \\(version 1, an earlier version\\)")), r.out());
        assertTrue(leaks.stream().anyMatch(l -> l.contains("notes.txt:1:7  team/wifi#passphrase")), r.out());
        assertTrue(r.out().contains("Rotate these secrets (their current values are exposed): app/db, team/wifi"),
                r.out());

        CliHarness.Result tree = cli("scan", "--no-history", repo.toString());
        assertEquals(Gate.OK, tree.code(), "the working tree itself is clean: " + tree.out());
    }

    @Test
    void theCommitNamedIsTheOneThatBroughtTheValueIn() throws Exception {
        Path repo = repository();
        CliHarness.Result r = cli("-o", "json", "scan", repo.toString());
        assertEquals(Gate.FOUND, r.code(), r.err());
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        Process p = new ProcessBuilder("git", "-C", repo.toString(), "rev-list", "--max-parents=0", "HEAD").start();
        String first = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        boolean seen = false;
        for (var f : json.path("findings")) {
            if (f.path("secret").asText().equals("app/db")) {
                assertEquals(first, f.path("commit").asText());
                assertEquals(2, f.path("line").asInt());
                seen = true;
            }
        }
        assertTrue(seen, r.out());
        assertNoValue(r);
    }

    @Test
    void findsNothingInACorpusOfOrdinaryFiles() {
        // The project's own sources and docs: ordinary text of every kind, no stored value in it.
        Path corpus = Path.of("src/main").toAbsolutePath();
        CliHarness.Result r = cli("scan", corpus.toString());
        assertEquals(Gate.OK, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("0 found"), r.out());
        assertTrue(r.out().contains("stored values are shorter than 8 bytes"), r.out());
    }

    @Test
    void findsValuesInLogsGzippedLogsAndStandardInput() throws Exception {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Files.writeString(logs.resolve("app.log"), "2026-12-01 INFO start\n2026-12-01 DEBUG token=" + API_TOKEN
                + " sent\n");
        try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(logs.resolve("app.log.1.gz")))) {
            gz.write(("old line\nconnecting with password " + DB_PASSWORD + "\n").getBytes(StandardCharsets.UTF_8));
        }
        CliHarness.Result r = cli("scan", logs.toString());
        assertEquals(Gate.FOUND, r.code(), r.err());
        assertTrue(r.out().contains("app.log:2:24  ci/api#token (version 2, current)"), r.out());
        assertTrue(r.out().contains("app.log.1.gz:2:26  app/db#password"), r.out());
        assertNoValue(r);

        CliHarness.Result in = withInput("line one\nthe " + PASSPHRASE + " here\n", "scan", "-");
        assertEquals(Gate.FOUND, in.code(), in.err());
        assertTrue(in.out().contains("<stdin>:2:5  team/wifi#passphrase"), in.out());
    }

    @Test
    void theStagedFilesOfACommitAreScannedAndTheHookRefusesTheCommit() throws Exception {
        Path repo = Files.createDirectories(dir.resolve("hooked"));
        git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve("ok.txt"), "nothing here\n");
        git(repo, "add", ".");
        assertEquals(Gate.OK, cli("scan", "--staged", repo.toString()).code());
        Files.writeString(repo.resolve("app.properties"), "db.password=" + DB_PASSWORD + "\n");
        git(repo, "add", ".");
        CliHarness.Result staged = cli("scan", "--staged", repo.toString());
        assertEquals(Gate.FOUND, staged.code(), staged.out() + staged.err());
        assertTrue(staged.out().contains("app.properties (staged):1:13  app/db#password"), staged.out());

        CliHarness.Result installed = cli("scan", "--install-hook", repo.toString());
        assertEquals(Gate.OK, installed.code(), installed.err());
        Path hook = repo.resolve(".git/hooks/pre-commit");
        assertEquals(ScanCommand.hookScript(), Files.readString(hook));
        assertEquals(Gate.ERROR, cli("scan", "--install-hook", repo.toString()).code(), "an existing hook is kept");

        // The hook runs the real CLI (this JVM's class path) when git commits.
        Path wrapper = dir.resolve("keyward-wrapper.sh");
        Files.writeString(wrapper, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -cp '" + System.getProperty("java.class.path") + "' dev.keyward.vault.cli.KeywardCli \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        List<String> cmd = List.of("git", "-C", repo.toString(), "-c", "user.name=T", "-c", "user.email=t@e.org",
                "commit", "-q", "-m", "add config");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put("KEYWARD_CLI", wrapper.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), "the hook refuses the commit: " + out);
        assertTrue(out.contains("app/db#password"), out);
        assertFalse(out.contains(DB_PASSWORD));
    }

    @Test
    void badInputGetsAClearErrorAndExitTwo() throws IOException {
        Path bin = dir.resolve("image.png");
        Files.write(bin, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13, 1, 2, 3});
        CliHarness.Result b = cli("scan", bin.toString());
        assertEquals(Gate.ERROR, b.code());
        assertTrue(b.err().contains(bin + " is a binary file: not scanned"), b.err());

        CliHarness.Result missing = cli("scan", dir.resolve("nope.txt").toString());
        assertEquals(Gate.ERROR, missing.code());
        assertTrue(missing.err().contains("nope.txt does not exist"), missing.err());

        Path locked = dir.resolve("locked");
        Files.createDirectories(locked);
        Files.writeString(locked.resolve("a.txt"), "x");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            if (!Files.isReadable(locked)) { // root reads everything: then only the other cases apply
                CliHarness.Result u = cli("scan", locked.toString());
                assertEquals(Gate.ERROR, u.code());
                assertTrue(u.err().contains("cannot be read (permission denied)"), u.err());
            }
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }

        CliHarness.Result none = cli("scan");
        assertEquals(Gate.ERROR, none.code());
        assertTrue(none.err().contains("Name at least one PATH"), none.err());

        CliHarness.Result notRepo = cli("scan", "--staged", dir.resolve("logs-none").toString());
        assertEquals(Gate.ERROR, notRepo.code());

        Map<String, String> saved = env;
        env = new HashMap<>(env);
        env.put("KEYWARD_TOKEN", "not-a-token");
        try {
            CliHarness.Result denied = cli("scan", bin.toString());
            assertEquals(Gate.ERROR, denied.code());
            assertTrue(denied.err().contains("permission denied"), denied.err());
        } finally {
            env = saved;
        }
    }

    @Test
    void aBinaryFileInADirectoryIsSkippedOrScannedOnRequest() throws IOException {
        Path d = Files.createDirectories(dir.resolve("mixed"));
        byte[] blob = ("\0\0binary" + API_TOKEN + "\0").getBytes(StandardCharsets.UTF_8);
        Files.write(d.resolve("data.bin"), blob);
        CliHarness.Result skipped = cli("scan", d.toString());
        assertEquals(Gate.OK, skipped.code(), skipped.err());
        assertTrue(skipped.out().contains("1 binary files skipped"), skipped.out());
        CliHarness.Result scanned = cli("scan", "--binary", d.toString());
        assertEquals(Gate.FOUND, scanned.code());
        assertTrue(scanned.out().contains("data.bin:1:9  ci/api#token"), scanned.out());
    }

    @Test
    void everyScanCallIsAuditedWithCountsAndNoValue() throws Exception {
        Path f = dir.resolve("one.txt");
        Files.writeString(f, "x " + DB_PASSWORD);
        assertEquals(Gate.FOUND, cli("scan", f.toString()).code());
        List<AuditRecord> scans = TestVaults.auditEntries(vault.engine()).stream()
                .filter(e -> e.operation().equals("governance.scan")).toList();
        assertTrue(scans.size() >= 3, "start, documents, end");
        assertTrue(scans.stream().anyMatch(e -> "1".equals(e.details().get("hits"))));
        for (AuditRecord e : scans) {
            assertFalse(e.toString().contains(DB_PASSWORD));
            assertFalse(e.details().toString().contains(DB_PASSWORD));
        }
    }
}
