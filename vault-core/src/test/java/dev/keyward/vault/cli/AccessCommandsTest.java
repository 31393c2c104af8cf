package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.engine.TestVaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** approle, policy and operator commands, the secret/ prefix of kv and the VAULT_* variables, over HTTPS. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessCommandsTest {
    @TempDir
    static Path dir;
    TestVaults.Opened vault;
    CliHarness h;

    static final String POLICY = """
            keyward: 1
            policies:
            - name: ci-read
              description: pipelines read their secrets
              rules:
              - id: read-ci
                path: secret/ci/*
                capabilities: [read]
                owner: platform-team
                justification: pipelines read their secrets
                expires: 2099-01-01T00:00:00Z
            """;

    @BeforeAll
    void start() {
        vault = TestVaults.initialised(dir.resolve("vault"));
        h = new CliHarness(vault, dir.resolve("vault"), dir.resolve("client"));
    }

    @AfterAll
    void stop() {
        h.close();
        vault.close();
    }

    CliHarness.Result ok(String... args) {
        CliHarness.Result r = h.cli(args);
        assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err() + r.out());
        return r;
    }

    @Test
    void policyWriteReadListDelete() throws Exception {
        Path f = dir.resolve("ci-read.yaml");
        Files.writeString(f, POLICY);
        assertTrue(ok("policy", "write", "ci-read", f.toString()).out().contains("version: "));
        assertTrue(ok("policy", "list").out().lines().anyMatch(l -> l.startsWith("ci-read  v")));
        assertTrue(ok("policy", "list").out().contains("admin  (built-in)"));
        String read = ok("policy", "read", "ci-read").out();
        assertTrue(read.contains("path: secret/ci/*") || read.contains("path: \"secret/ci/*\""), read);
        // What read prints, write takes back: the same content is a new version.
        Path back = dir.resolve("back.yaml");
        Files.writeString(back, read);
        int before = vault.engine().policies().read(vault.caller(), "ci-read").version();
        ok("policy", "write", "ci-read", back.toString(), "--reason", "round trip");
        assertEquals(before + 1, vault.engine().policies().read(vault.caller(), "ci-read").version());
        CliHarness.Result wrongName = h.cli("policy", "write", "other", f.toString());
        assertEquals(ExitCodes.USAGE, wrongName.code());
        assertTrue(wrongName.err().contains("'ci-read', not 'other'"), wrongName.err());
        Path extra = dir.resolve("extra.yaml");
        Files.writeString(extra, POLICY + "approles: []\n");
        assertTrue(h.cli("policy", "write", "ci-read", extra.toString()).err().contains("policy apply"));

        ok("policy", "write", "gone", write("gone.yaml", POLICY.replace("ci-read", "gone")).toString());
        ok("policy", "delete", "gone");
        assertFalse(ok("policy", "list").out().contains("gone"));
    }

    Path write(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    @Test
    void appRoleLifecycleAndALoginWithWhatItPrints() throws Exception {
        ok("policy", "write", "ci-read", write("p.yaml", POLICY).toString());
        CliHarness.Result created = ok("approle", "create", "ci-deploy", "--policies", "ci-read", "--token-ttl", "30m",
                "--token-max-ttl", "1.5h", "--secret-id-num-uses", "2", "--owner", "platform-team");
        assertTrue(created.out().contains("token_ttl: 30m0s"), created.out());
        assertTrue(created.out().contains("token_max_ttl: 1h30m0s"), created.out());
        assertTrue(ok("approle", "list").out().lines().anyMatch(l -> l.equals("ci-deploy")));
        String roleId = ok("approle", "role-id", "ci-deploy").out().trim();
        assertEquals(vault.engine().identities().roleId(vault.caller(), "ci-deploy"), roleId);
        assertTrue(ok("approle", "read", "ci-deploy").out().contains("role_id: " + roleId));

        Path sid = dir.resolve("secret-id.txt");
        CliHarness.Result issued = ok("approle", "secret-id", "ci-deploy", "--out", sid.toString());
        assertEquals("", issued.out(), "the secret_id goes to the file only");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sid)));
        Path rid = dir.resolve("role-id.txt");
        ok("approle", "role-id", "ci-deploy", "--out", rid.toString());

        vault.engine().secrets().write(vault.caller(), "ci/db", dev.keyward.vault.api.SecretData.of(
                Map.of("password", "canary-approle-cli")), null);
        Map<String, String> pipeline = new HashMap<>(h.env);
        pipeline.remove("KEYWARD_TOKEN");
        pipeline.put("KEYWARD_HOME", dir.resolve("pipeline").toString());
        assertEquals(0, CliHarness.run(pipeline, "", "login", "approle", "--role-id-file", rid.toString(),
                "--secret-id-file", sid.toString()).code());
        CliHarness.Result read = CliHarness.run(pipeline, "", "kv", "get", "secret/ci/db", "--field", "password");
        assertEquals(0, read.code(), read.err());
        assertEquals("canary-approle-cli", read.out().trim(), "secret/ is the mount, as the Vault CLI writes it");
        assertEquals("canary-approle-cli", CliHarness.run(pipeline, "", "kv", "get", "ci/db", "--field", "password")
                .out().trim());

        // Wrapped: a wrapping token, not the secret_id; unwrapping it gives a working secret_id.
        String wrapped = ok("approle", "secret-id", "ci-deploy", "--wrap-ttl", "2m").out().trim();
        assertTrue(wrapped.startsWith("kww."), wrapped);
        IdentityService.SecretIdResult opened = vault.engine().identities().unwrap(wrapped, "test");
        assertTrue(opened.secretId() != null && !opened.secretId().equals(Files.readString(sid).trim()));

        ok("approle", "delete", "ci-deploy");
        assertFalse(ok("approle", "list").out().contains("ci-deploy"));
        assertEquals(ExitCodes.DENIED, CliHarness.run(pipeline, "", "kv", "get", "ci/db").code(),
                "its tokens are revoked with it");
        for (AuditRecord e : TestVaults.auditEntries(vault.engine())) {
            assertFalse(e.toString().contains(Files.readString(sid).trim()), e.toString());
        }
    }

    @Test
    void operatorCreatePasswdLockUnlock() throws Exception {
        Path p1 = write("op1.txt", "first passphrase for ops");
        Path p2 = write("op2.txt", "second passphrase for ops");
        assertTrue(ok("operator", "create", "dana", "--roles", "auditor", "--passphrase-file", p1.toString()).out()
                .contains("dana  roles=[\"auditor\"]"));
        Map<String, String> dana = new HashMap<>(h.env);
        dana.remove("KEYWARD_TOKEN");
        dana.put("KEYWARD_HOME", dir.resolve("dana").toString());
        assertEquals(0, CliHarness.run(dana, "", "login", "operator", "--name", "dana", "--passphrase-file",
                p1.toString()).code());
        ok("operator", "passwd", "dana", "--passphrase-file", p2.toString());
        assertTrue(CliHarness.run(dana, "", "login", "operator", "--name", "dana",
                "--passphrase-file", p1.toString()).code() != 0, "the old passphrase no longer works");
        assertEquals(0, CliHarness.run(dana, "", "login", "operator", "--name", "dana", "--passphrase-file",
                p2.toString()).code());
        ok("operator", "lock", "dana");
        assertTrue(ok("operator", "list").out().contains("dana  roles=[\"auditor\"]  locked"));
        assertTrue(CliHarness.run(dana, "", "login", "operator", "--name", "dana",
                "--passphrase-file", p2.toString()).code() != 0, "locked");
        ok("operator", "unlock", "dana");
        assertEquals(0, CliHarness.run(dana, "", "login", "operator", "--name", "dana", "--passphrase-file",
                p2.toString()).code());
        CliHarness.Result denied = CliHarness.run(dana, "", "operator", "create", "eve", "--roles", "admin",
                "--passphrase-file", p1.toString());
        assertEquals(ExitCodes.DENIED, denied.code(), "an auditor creates no operators: " + denied.err());
    }

    @Test
    void initHelpNamesTheDefaultAdmin() {
        CliHarness.Result help = h.cli("init", "--help");
        assertTrue(help.out().contains("The first admin operator's name (default: admin)"), help.out());
    }

    @Test
    void vaultVariablesAreHonouredWhenKeywardOnesAreNotSet() {
        Map<String, String> e = new HashMap<>();
        e.put("KEYWARD_HOME", dir.resolve("vault-vars").toString());
        e.put("VAULT_ADDR", h.env.get("KEYWARD_ADDRESS"));
        e.put("VAULT_CACERT", h.env.get("KEYWARD_CA_CERT"));
        e.put("VAULT_TOKEN", h.env.get("KEYWARD_TOKEN"));
        assertEquals(0, CliHarness.run(e, "", "status").code());
        assertEquals(0, CliHarness.run(e, "", "kv", "put", "vars/x", "a=1").code());
        // KEYWARD_* wins over VAULT_*.
        e.put("KEYWARD_TOKEN", "kvt.garbage");
        assertEquals(ExitCodes.DENIED, CliHarness.run(e, "", "kv", "get", "vars/x").code());
        e.put("KEYWARD_ADDRESS", "https://127.0.0.1:1");
        assertEquals(ExitCodes.UNAVAILABLE, CliHarness.run(e, "", "status").code());
    }

    @Test
    void aDryRunSaysInWordsWhichAppRolesAnApproleSectionRemoves() throws Exception {
        vault.engine().identities().putAppRole(vault.caller(), IdentityService.AppRoleSpec.of("legacy-bot", List.of()));
        Path f = write("only-new.yaml", """
                keyward: 1
                approles:
                - name: new-bot
                  policies: []
                """);
        CliHarness.Result dry = ok("policy", "apply", f.toString(), "--dry-run");
        assertTrue(dry.out().contains("every AppRole it does not list would be removed"), dry.out());
        assertTrue(dry.out().contains("legacy-bot"), dry.out());
        assertTrue(vault.engine().identities().listAppRoles(vault.caller()).stream()
                .anyMatch(a -> a.name().equals("legacy-bot")), "a dry run changes nothing");
    }
}
