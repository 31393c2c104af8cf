package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.RotationService.RotationConfig;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.engine.TestVaults;
import dev.keyward.vault.testing.TestPostgres;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyward check credentials} over a real endpoint against real PostgreSQL roles: every
 * configured rotator's read-only check, a non-zero exit on any failure, nothing changed, no value
 * in the output or the audit log.
 */
class CheckCredentialsTest {
    @TempDir
    Path dir;
    @TempDir
    Path clientHome;
    TestPostgres pg;
    TestVaults.Opened vault;
    CliHarness cli;
    final List<String> passwords = new ArrayList<>();
    String bad;

    @BeforeEach
    void setUp() {
        pg = TestPostgres.connect();
        vault = TestVaults.initialised(dir);
        cli = new CliHarness(vault, dir, clientHome);
        Caller c = vault.caller();
        String good = pg.createRole("good", pw(), null);
        String a = pg.createRole("alt_a", pw(), null);
        String b = pg.createRole("alt_b", pw(), null);
        bad = pg.createRole("bad", pw(), null);
        String rotPass = pw();
        String rotator = pg.createRotationRole(rotPass, good, a, b, bad);
        put(c, "db/rotator", rotator, rotPass);
        put(c, "db/good", good, passwords.get(0));
        put(c, "db/alt", a, passwords.get(1));
        put(c, "db/bad", bad, passwords.get(3));
        put(c, "other/app", good, passwords.get(0));
        configure(c, "db/good", Map.of("username", good));
        configure(c, "db/alt", Map.of("mode", "alternating", "username", a, "alternate_username", b));
        configure(c, "db/bad", Map.of("username", bad));
        configure(c, "other/app", Map.of("username", good));
        // Someone changed db/bad's password behind the vault's back.
        pg.exec("ALTER ROLE " + bad + " PASSWORD '" + pw() + "'");
    }

    @AfterEach
    void tearDown() {
        if (cli != null) {
            cli.close();
        }
        if (vault != null) {
            vault.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    private String pw() {
        String p = "pw-" + TestPostgres.uniqueName("c");
        passwords.add(p);
        return p;
    }

    private void put(Caller c, String path, String user, String password) {
        vault.engine().secrets().write(c, path, SecretData.of(Map.of("username", user, "password", password)), null);
    }

    private void configure(Caller c, String path, Map<String, String> params) {
        Map<String, String> p = new java.util.HashMap<>(pg.params(params));
        p.put("rotation_credential", "db/rotator");
        vault.engine().rotation().configure(c, path, new RotationConfig("postgres", p, null, null, null, null, null,
                null, null, null, null));
    }

    @Test
    void aFailingCheckExitsNonZeroAndNamesTheSecretAndTheCause() {
        CliHarness.Result r = cli.cli("check", "credentials");
        assertEquals(ExitCodes.REFUSED, r.code(), r.out() + r.err());
        assertTrue(r.out().matches("(?s).*ok\\s+db/alt\\s+postgres.*"), r.out());
        assertTrue(r.out().matches("(?s).*ok\\s+db/good\\s+postgres.*"), r.out());
        assertTrue(r.out().matches("(?s).*failed\\s+db/bad\\s+postgres.*PostgresLoginRefusedException: PostgreSQL .*"
                + "login refused for role \"" + bad + "\".*"), r.out());
        assertTrue(r.out().contains("4 checked, 1 failed, 0 skipped"), r.out());
        assertNoPassword(r.out() + r.err());
    }

    @Test
    void aPrefixChecksOnlyItsSecretsAndPassesWhenTheyWork() {
        CliHarness.Result r = cli.cli("check", "credentials", "--path", "db/good");
        assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("1 checked, 0 failed"), r.out());
        CliHarness.Result other = cli.cli("check", "credentials", "--path", "other/");
        assertEquals(ExitCodes.OK, other.code(), other.out());
        assertTrue(other.out().contains("other/app"), other.out());
        assertFalse(other.out().contains("db/"), other.out());
    }

    @Test
    void jsonOutputAndTheAuditLogCarryTheOutcomeButNoValue() throws Exception {
        CliHarness.Result r = cli.cli("-o", "json", "check", "credentials", "--path", "db/");
        assertEquals(ExitCodes.REFUSED, r.code(), r.out() + r.err());
        JsonNode d = VaultClient.JSON.readTree(r.out());
        assertFalse(d.path("ok").asBoolean());
        assertEquals(3, d.path("checked").asInt());
        assertEquals(1, d.path("failed").asInt());
        assertEquals("PostgresLoginRefusedException", d.path("checks").get(1).path("error_class").asText());
        assertNoPassword(r.out());
        List<AuditRecord> checks = TestVaults.auditEntries(vault.engine()).stream()
                .filter(e -> e.operation().equals("rotation.check")).toList();
        assertEquals(2, checks.size(), "the request and its outcome");
        assertEquals("3", checks.get(0).details().get("count"));
        assertEquals("1", checks.get(1).details().get("failed"));
        assertTrue(checks.get(1).details().get("failures").contains("db/bad (PostgresLoginRefusedException)"));
        for (AuditRecord e : TestVaults.auditEntries(vault.engine())) {
            assertNoPassword(e.toString() + e.details());
        }
    }

    @Test
    void nothingIsChanged() {
        int before = vault.engine().secrets().read(vault.caller(), "db/good", 0).metadata().version();
        cli.cli("check", "credentials");
        assertEquals(before, vault.engine().secrets().read(vault.caller(), "db/good", 0).metadata().version());
        assertTrue(pg.canLogin(vault.engine().secrets().read(vault.caller(), "db/good", 0).data().field("username"),
                passwords.get(0)), "the role's password is as it was");
        assertEquals(0, vault.engine().rotation().history(vault.caller(), "db/good", 10).size(), "no rotation ran");
    }

    @Test
    void aBadPrefixIsRefusedClearly() {
        CliHarness.Result r = cli.cli("check", "credentials", "--path", "db//x");
        assertEquals(ExitCodes.REFUSED, r.code());
        assertTrue(r.err().contains("empty segment"), r.err());
    }

    private void assertNoPassword(String text) {
        for (String p : passwords) {
            assertFalse(text.contains(p), "a password was shown");
        }
    }
}
