package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.TokenInfo;
import dev.keyward.vault.engine.TestVaults;
import dev.keyward.vault.server.KeywardServer;
import dev.keyward.vault.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The keyward CLI against a real endpoint over HTTPS. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeywardCliTest {
    static final String CANARY = "canary-cli-7f3a9";

    @TempDir
    static Path dir;
    TestVaults.Opened vault;
    KeywardServer server;
    Map<String, String> env;
    String roleId;

    record Result(int code, String out, String err) {
    }

    Result cli(Map<String, String> e, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = KeywardCli.run(e, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Result cli(String... args) {
        return cli(env, args);
    }

    @BeforeAll
    void start() throws Exception {
        vault = TestVaults.initialised(dir.resolve("vault"));
        Caller a = vault.caller();
        vault.engine().policies().put(a, new Policy("ci", "pipeline", List.of(PolicyRule.grant("secret/app/*",
                EnumSet.of(Capability.READ, Capability.CREATE, Capability.UPDATE, Capability.LIST), PolicyConditions.NONE,
                "ci-team", "pipeline", Instant.now().plus(Duration.ofDays(1))))), "test");
        vault.engine().identities().putAppRole(a, IdentityService.AppRoleSpec.of("ci", List.of("ci")));
        roleId = vault.engine().identities().roleId(a, "ci");
        String secretId = vault.engine().identities().issueSecretId(a, "ci", IdentityService.SecretIdSpec.defaults()).secretId();
        vault.engine().secrets().write(a, "app/db", SecretData.of(Map.of("password", CANARY, "user", "svc")), null);
        Path caPem = dir.resolve("vault/tls/ca.pem");
        server = KeywardServer.start(vault.engine(), ServerConfig.ephemeral().withRateLimits(0, 0), Clock.systemUTC(), caPem);
        env = new HashMap<>();
        env.put("KEYWARD_HOME", dir.resolve("client").toString());
        env.put("KEYWARD_ADDRESS", server.urls().get(0));
        env.put("KEYWARD_CA_CERT", caPem.toString());
        env.put("KEYWARD_SECRET_ID", secretId);
        env.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
    }

    @AfterAll
    void stop() {
        server.close();
        vault.close();
    }

    private List<TokenInfo> appRoleTokens() {
        return vault.engine().identities().listTokens(vault.caller(), null).stream()
                .filter(t -> t.path().contains("approle")).toList();
    }

    @Nested
    class Run {
        @Test
        void childGetsTheValueMaskedInItsOutputAndTheTokenIsRevoked() {
            int before = appRoleTokens().size();
            Result r = cli("run", "--role-id", roleId, "--env", "DB_PASS=kw://app/db#password", "--",
                    "sh", "-c", "echo \"value=$DB_PASS\"; echo \"length=${#DB_PASS}\"; echo \"secret_id=${KEYWARD_SECRET_ID:-unset}\"; exit 7");
            assertEquals(7, r.code(), r.err());
            assertTrue(r.out().contains("value=*****"), r.out());
            assertTrue(r.out().contains("length=" + CANARY.length()), r.out());
            assertTrue(r.out().contains("secret_id=unset"), r.out());
            assertFalse(r.out().contains(CANARY) || r.err().contains(CANARY));
            assertEquals(before, appRoleTokens().size(), "the run's token is revoked when the child exits");
        }

        @Test
        void theChildInheritsNoneOfTheVaultsCredentialVariables() throws Exception {
            // A separate CLI process, so the variables are in the environment the child inherits.
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                    KeywardCli.class.getName(), "run", "--role-id", roleId, "--no-masking",
                    "--env", "DB_USER=kw://app/db#user", "--", "env");
            Map<String, String> e = pb.environment();
            e.putAll(env);
            String[] credentials = {"KEYWARD_PASSPHRASE", "KEYWARD_OPERATOR_PASSPHRASE", "KEYWARD_ADMIN_PASSPHRASE",
                "KEYWARD_PIN", "KEYWARD_TOKEN", "KEYWARD_SECRET_ID", "KEYWARD_ROLE_ID", "KEYWARD_SOMETHING_NEW"};
            for (String c : credentials) {
                if (!c.equals("KEYWARD_SECRET_ID") && !c.equals("KEYWARD_TOKEN")) {
                    e.put(c, "canary-env-" + c.toLowerCase(java.util.Locale.ROOT).replace("keyward_", ""));
                }
            }
            e.put("UNRELATED_VARIABLE", "kept");
            Process p = pb.redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            assertTrue(out.contains("DB_USER=svc\n"), out);
            assertTrue(out.contains("UNRELATED_VARIABLE=kept\n"), "the rest of the environment is inherited");
            for (String c : credentials) {
                assertFalse(out.contains(c + "="), c + " reached the child: " + out);
            }
            assertFalse(out.contains("canary-env-"), out);
            assertTrue(out.contains("KEYWARD_ADDRESS=") && out.contains("KEYWARD_CA_CERT="),
                    "where the vault is stays, for a child that calls keyward itself");
        }

        @Test
        void noMaskingPassesOutputThrough() throws Exception {
            Path f = dir.resolve("env.list");
            Files.writeString(f, "# comment\nDB_USER=kw://app/db#user\n");
            Result r = cli("run", "--role-id", roleId, "--env-file", f.toString(), "--no-masking", "--",
                    "sh", "-c", "test \"$DB_USER\" = svc");
            assertEquals(0, r.code(), r.err());
        }

        @Test
        void aMissingSecretStopsBeforeTheChildStarts() {
            Path marker = dir.resolve("started");
            Result r = cli("run", "--role-id", roleId, "--env", "X=kw://app/absent#f", "--", "touch", marker.toString());
            assertEquals(ExitCodes.REFUSED, r.code());
            assertFalse(Files.exists(marker));
            assertTrue(r.err().startsWith("keyward: "), r.err());
        }
    }

    @Test
    void injectRendersIntoA0600File() throws Exception {
        Path tpl = dir.resolve("app.conf.tpl");
        Files.writeString(tpl, "user={{ kw://app/db#user }}\npassword={{kw://app/db#password@1}}\n");
        Path out = dir.resolve("out/app.conf");
        Result r = cli("inject", "--role-id", roleId, "-i", tpl.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("user=svc\npassword=" + CANARY + "\n", Files.readString(out));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
    }

    @Test
    void loginKvAndTokenCommands() {
        Result login = cli("login", "approle", "--role-id", roleId);
        assertEquals(0, login.code(), login.err());
        assertFalse(login.out().contains("kws."), "the token itself is not printed");
        Result put = cli("kv", "put", "app/cli", "k=v1");
        assertEquals(0, put.code(), put.err());
        assertEquals("v1\n", cli("kv", "get", "app/cli", "--field", "k").out());
        assertTrue(cli("-o", "json", "kv", "get", "app/cli").out().contains("\"version\" : 1"));
        assertTrue(cli("kv", "list", "app").out().contains("cli"));
        Result cas = cli("kv", "put", "--cas", "0", "app/cli", "k=v2");
        assertEquals(ExitCodes.REFUSED, cas.code());
        assertTrue(cas.err().contains("check-and-set"), cas.err());
        assertEquals(ExitCodes.DENIED, cli("kv", "get", "other/x").code());
        Result undelete = cli("kv", "undelete", "app/cli", "--versions", "1");
        assertEquals(0, undelete.code(), undelete.err());
        assertTrue(undelete.err().contains("Restored."), undelete.err());
        assertEquals(ExitCodes.DENIED, cli("kv", "destroy", "app/cli", "--versions", "1").code(),
                "the policy grants no destroy");
        assertEquals("v1\n", cli("kv", "get", "app/cli", "--field", "k").out());
        assertEquals(0, cli("token", "lookup").code());
        assertEquals(0, cli("token", "revoke").code());
        assertEquals(ExitCodes.DENIED, cli("kv", "get", "app/cli").code());
    }

    @Test
    void statusHelpUsageAndUnreachable() {
        Result st = cli("status");
        assertEquals(0, st.code(), st.err());
        assertTrue(st.out().contains("sealed: false"));
        Result help = cli("kv", "put", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("Exit codes"));
        assertEquals(ExitCodes.USAGE, cli("kv", "get").code());
        for (String group : new String[] {"kv", "login", "token", "policy", "audit", "cert"}) {
            Result usage = cli(group);
            assertEquals(ExitCodes.USAGE, usage.code(), group);
            assertTrue(usage.out().contains("Usage: keyward " + group), group + ": " + usage.out());
        }
        assertEquals(ExitCodes.USAGE, cli("kv", "get", "a/../b").code());
        Map<String, String> away = new HashMap<>(env);
        away.put("KEYWARD_ADDRESS", "https://127.0.0.1:1");
        assertEquals(ExitCodes.UNAVAILABLE, cli(away, "status").code());
        Result completion = cli("generate-completion");
        assertEquals(0, completion.code());
        assertTrue(completion.out().contains("complete -F"));
    }

    @Test
    void policyExplainAndClientCertificateLogin() throws Exception {
        String admin = vault.session().token();
        Result allowed = cli("--token", admin, "policy", "explain", "--identity", "approle:ci", "--operation",
                "secret.read", "--path", "secret/app/db");
        assertEquals(0, allowed.code(), allowed.err() + allowed.out());
        assertTrue(allowed.out().contains("allowed: true"), allowed.out());
        assertEquals(ExitCodes.DENIED, cli("--token", admin, "policy", "explain", "--identity", "approle:ci",
                "--operation", "secret.read", "--path", "secret/other/db").code());
        assertTrue(cli("--token", admin, "policy", "export").out().contains("ci"));
        assertTrue(cli("--token", admin, "-o", "json", "policy", "export").out().contains("\"yaml\" : "));

        Path certs = dir.resolve("certs");
        Result issued = cli("--token", admin, "cert", "issue", "agent-1", "--policies", "ci", "--out-dir", certs.toString());
        assertEquals(0, issued.code(), issued.err());
        Result issuedJson = cli("--token", admin, "-o", "json", "cert", "issue", "agent-3", "--policies", "ci",
                "--out-dir", certs.toString());
        assertEquals(0, issuedJson.code(), issuedJson.err());
        assertTrue(issuedJson.out().contains("\"key_file\" : ") && !issuedJson.out().contains("PRIVATE KEY"),
                issuedJson.out());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(certs.resolve("agent-1.key"))));
        Map<String, String> e = new HashMap<>(env);
        e.put("KEYWARD_HOME", dir.resolve("cert-client").toString());
        Result login = cli(e, "login", "cert", "--cert", certs.resolve("agent-1.crt").toString(), "--key",
                certs.resolve("agent-1.key").toString());
        assertEquals(0, login.code(), login.err());
        assertEquals("svc\n", cli(e, "kv", "get", "app/db", "--field", "user").out());
        // Only an administrator may issue certificates.
        String ciToken = Files.readString(dir.resolve("cert-client/.token")).trim();
        assertEquals(ExitCodes.DENIED, cli("--token", ciToken, "cert", "issue", "agent-2", "--policies", "ci",
                "--out-dir", certs.toString()).code());
        assertFalse(Files.exists(certs.resolve("agent-2.key")));
    }

    @Test
    void auditHeadProofVerifyAndExport() throws Exception {
        String admin = vault.session().token();
        Result head = cli("--token", admin, "-o", "json", "audit", "head", "--issue");
        assertEquals(0, head.code(), head.err());
        assertTrue(head.out().contains("fingerprint"), head.out());
        Result proof = cli("--token", admin, "audit", "proof", "--sequence", "0");
        assertEquals(0, proof.code(), proof.err());
        assertTrue(proof.out().contains("leaf_hash"), proof.out());
        Result verify = cli("--token", admin, "audit", "verify");
        assertEquals(0, verify.code(), verify.err() + verify.out());
        assertTrue(verify.out().contains("ok: true"), verify.out());
        Path bundle = dir.resolve("evidence.bundle");
        assertEquals(0, cli("--token", admin, "audit", "export", "--out", bundle.toString()).code());
        assertTrue(Files.size(bundle) > 0);
        assertEquals(ExitCodes.REFUSED, cli("--token", admin, "audit", "export", "--out", bundle.toString()).code(),
                "an existing file is not overwritten");
    }

    @Test
    void caExportWritesThePem() throws Exception {
        Map<String, String> e = new HashMap<>(env);
        e.put("KEYWARD_HOME", dir.resolve("vault").toString());
        Path out = dir.resolve("exported-ca.pem");
        assertEquals(0, cli(e, "ca", "export", "--out", out.toString()).code());
        assertTrue(Files.readString(out).contains("BEGIN CERTIFICATE"));
        Result json = cli(e, "-o", "json", "ca", "export");
        assertTrue(json.out().contains("\"pem\" : \"-----BEGIN CERTIFICATE"), json.out());
        assertEquals(ExitCodes.USAGE, cli(e, "-o", "yaml", "ca", "export").code());
    }
}
