package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.engine.TestVaults;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

/** The drift gate and the boundary check: their exit codes, output and errors, against a real endpoint. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PolicyGateTest {
    @TempDir
    static Path dir;
    TestVaults.Opened vault;
    CliHarness harness;
    Map<String, String> env;

    CliHarness.Result cli(String... args) {
        return CliHarness.run(env, "", args);
    }

    Path file(String name, String content) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        return f;
    }

    @BeforeAll
    void start() {
        vault = TestVaults.initialised(dir.resolve("vault"));
        Caller a = vault.caller();
        Instant later = Instant.now().plus(Duration.ofDays(30));
        vault.engine().policies().put(a, new Policy("deploy", "the deploy pipeline", List.of(
                PolicyRule.grant("secret/app/*", EnumSet.of(Capability.READ, Capability.LIST), PolicyConditions.NONE,
                        "platform", "deploys read app config", later),
                PolicyRule.grant("secret/shared/ca", EnumSet.of(Capability.READ), PolicyConditions.NONE, "platform",
                        "TLS trust", later),
                PolicyRule.deny("secret/app/admin*", EnumSet.of(Capability.READ)))), "test");
        vault.engine().identities().putAppRole(a, IdentityService.AppRoleSpec.of("ci-deploy", List.of("deploy")));
        harness = new CliHarness(vault, dir.resolve("vault"), dir.resolve("client"));
        env = harness.env;
    }

    @AfterAll
    void stop() {
        harness.close();
        vault.close();
    }

    @Nested
    class Drift {
        @Test
        void inSyncExitsZeroDriftExitsOneWithTheDiff() throws Exception {
            Path exported = dir.resolve("policies.yaml");
            assertEquals(0, cli("policy", "export", "--out", exported.toString()).code());
            CliHarness.Result same = cli("policy", "drift", "--desired", exported.toString());
            assertEquals(Gate.OK, same.code(), same.err());
            assertTrue(same.out().startsWith("In sync with"), same.out());

            String yaml = Files.readString(exported).replace("deploys read app config", "deploys read config");
            Path edited = file("edited.yaml", yaml);
            CliHarness.Result drift = cli("policy", "drift", "--desired", edited.toString());
            assertEquals(Gate.FOUND, drift.code(), drift.out() + drift.err());
            assertTrue(drift.out().contains("change policy deploy"), drift.out());
            assertTrue(drift.out().contains("deploys read config"), drift.out());

            CliHarness.Result json = cli("-o", "json", "policy", "drift", "--desired", edited.toString());
            assertEquals(Gate.FOUND, json.code());
            assertTrue(json.out().contains("\"in_sync\" : false"), json.out());
            assertEquals(1, vault.engine().policies().read(vault.caller(), "deploy").version(), "a dry run only");
        }

        @Test
        void errorsExitTwoWithTheReason() throws Exception {
            assertEquals(0, cli("policy", "export", "--out", dir.resolve("policies.yaml").toString()).code());
            CliHarness.Result malformed = cli("policy", "drift", "--desired", file("bad.yaml", "policies:\n  - name: [x\n")
                    .toString());
            assertEquals(Gate.ERROR, malformed.code());
            assertTrue(malformed.err().contains("line "), malformed.err());

            CliHarness.Result missing = cli("policy", "drift", "--desired", dir.resolve("none.yaml").toString());
            assertEquals(Gate.ERROR, missing.code());
            assertTrue(missing.err().contains("does not exist"), missing.err());

            Path bin = dir.resolve("bin.yaml");
            Files.write(bin, new byte[] {'a', 0, 'b'});
            CliHarness.Result binary = cli("policy", "drift", "--desired", bin.toString());
            assertEquals(Gate.ERROR, binary.code());
            assertTrue(binary.err().contains("is a binary file"), binary.err());

            assertEquals(Gate.ERROR, cli("policy", "drift").code(), "--desired is required");

            Map<String, String> saved = env;
            env = new HashMap<>(env);
            env.put("KEYWARD_TOKEN", "nope");
            try {
                CliHarness.Result denied = cli("policy", "drift", "--desired", dir.resolve("policies.yaml").toString());
                assertEquals(Gate.ERROR, denied.code(), "denied is an error, not drift");
                assertTrue(denied.err().contains("permission denied"), denied.err());
            } finally {
                env = saved;
            }
        }
    }

    @Nested
    class Check {
        @Test
        void exactlyAsDeclaredExitsZero() throws Exception {
            Path needs = file("needs-exact.yaml", """
                    identity: approle:ci-deploy
                    needs:
                      - path: secret/app/*
                        capabilities: [read, list]
                      - path: secret/shared/ca
                        capabilities: [read]
                    """);
            CliHarness.Result r = cli("policy", "check", "--identity", "approle:ci-deploy", "--needs", needs.toString());
            assertEquals(Gate.OK, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("has exactly what"), r.out());
        }

        @Test
        void moreThanDeclaredExitsOneAndNamesTheGrant() throws Exception {
            Path needs = file("needs-less.yaml", """
                    needs:
                      - path: secret/app/*
                        capabilities: [read]
                      - path: secret/shared/*
                        capabilities: [read]
                    """);
            CliHarness.Result r = cli("policy", "check", "--identity", "approle:ci-deploy", "--needs", needs.toString());
            assertEquals(Gate.FOUND, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("has more than it declares:\n  + list on secret/app/*  (granted by deploy@v1"
                    + "#secret/app/* but not declared)"), r.out());
            assertTrue(r.out().contains("has less than it declares:\n  - read on secret/shared/*  (declared, but no live"
                    + " grant covers it)"), "only shared/ca is granted, not all of shared/*: " + r.out());
        }

        @Test
        void lessThanDeclaredExitsOneAndSaysWhy() throws Exception {
            Path needs = file("needs-more.yaml", """
                    needs:
                      - path: secret/app/*
                        capabilities: [read, list]
                      - path: secret/shared/ca
                        capabilities: [read]
                      - path: secret/payments/key
                        capabilities: [read]
                      - path: secret/app/admin-token
                        capabilities: [read]
                    """);
            CliHarness.Result r = cli("-o", "json", "policy", "check", "--identity", "approle:ci-deploy", "--needs",
                    needs.toString());
            assertEquals(Gate.FOUND, r.code(), r.err());
            CliHarness.Result text = cli("policy", "check", "--identity", "approle:ci-deploy", "--needs", needs.toString());
            assertTrue(text.out().contains("- read on secret/payments/key  (declared, but no live grant covers it)"),
                    text.out());
            assertTrue(text.out().contains("- read on secret/app/admin-token  (denied by deploy@v1#deny:secret/app"
                    + "/admin*)"), text.out());
        }

        @Test
        void aMalformedNeedsFileIsAClearErrorExitTwo() throws Exception {
            Map<String, String> cases = Map.of(
                    "needs:\n  - path: secret/a\n    capabilities: [read\n", "not valid YAML",
                    "needs:\n  - path: secret/a\n    caps: [read]\n", "unknown field 'caps'",
                    "needs:\n  - path: secret/a\n    capabilities: [raed]\n", "needs[1] (secret/a): Unknown capability 'raed'",
                    "needs:\n  - capabilities: [read]\n", "needs[1]: a need has a path",
                    "identity: approle:ci-deploy\n", "has no 'needs:' list",
                    "", "the needs file is empty",
                    "needs: secret/a\n", "wrong shape",
                    "needs:\n  - path: secret/a*b\n    capabilities: [read]\n", "'*' may only come last");
            int i = 0;
            for (Map.Entry<String, String> c : cases.entrySet()) {
                Path f = file("needs-bad-" + i++ + ".yaml", c.getKey());
                CliHarness.Result r = cli("policy", "check", "--identity", "approle:ci-deploy", "--needs", f.toString());
                assertEquals(Gate.ERROR, r.code(), c.getKey());
                assertTrue(r.err().contains(c.getValue()), c.getKey() + " -> " + r.err());
                assertTrue(!r.err().contains("Exception") && !r.err().contains("\tat "), r.err());
            }
        }

        @Test
        void aWrongIdentityIsAnError() throws Exception {
            Path needs = file("needs-other.yaml", "identity: approle:other\nneeds:\n  - path: secret/a\n"
                    + "    capabilities: [read]\n");
            CliHarness.Result r = cli("policy", "check", "--identity", "approle:ci-deploy", "--needs", needs.toString());
            assertEquals(Gate.ERROR, r.code());
            assertTrue(r.err().contains("The needs file is for approle:other, not approle:ci-deploy."), r.err());
            CliHarness.Result unknown = cli("policy", "check", "--identity", "approle:nobody", "--needs",
                    file("n.yaml", "needs: []\n").toString());
            assertEquals(Gate.ERROR, unknown.code());
            CliHarness.Result shape = cli("policy", "check", "--identity", "nobody", "--needs", dir.resolve("n.yaml").toString());
            assertEquals(Gate.ERROR, shape.code());
            assertTrue(shape.err().contains("TYPE:NAME"), shape.err());
        }
    }
}
