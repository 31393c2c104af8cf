package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.GovernanceService;
import dev.keyward.vault.api.GovernanceService.DrillRun;
import dev.keyward.vault.api.GovernanceService.DrillStep;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.SecretData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A compromise drill plays on a scratch copy and leaves the real vault as it was. */
class CompromiseDrillTest {
    static final String CANARY = "canary-drill-0a9b8c7d";

    @TempDir
    Path dir;
    TestVaults.Opened vault;
    GovernanceService gov;
    Caller robot;

    @BeforeEach
    void setUp() {
        vault = TestVaults.initialised(dir.resolve("vault"));
        gov = vault.engine().governance();
        Caller a = vault.caller();
        vault.engine().policies().put(a, new Policy("ci", "", List.of(PolicyRule.grant("secret/app/*",
                EnumSet.of(Capability.READ), PolicyConditions.NONE, "ci-team", "deploys",
                Instant.now().plus(Duration.ofDays(30))))), "t");
        vault.engine().identities().putAppRole(a, IdentityService.AppRoleSpec.of("ci", List.of("ci")));
        vault.engine().secrets().write(a, "app/db", SecretData.of(Map.of("password", CANARY, "user", "svc")), null);
        String roleId = vault.engine().identities().roleId(a, "ci");
        String secretId = vault.engine().identities().issueSecretId(a, "ci", IdentityService.SecretIdSpec.defaults())
                .secretId();
        robot = vault.engine().loginAppRole(roleId, secretId, "127.0.0.1").caller();
    }

    @AfterEach
    void tearDown() {
        vault.close();
    }

    private static long scratchDirs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("keyward-drill-")).count();
        }
    }

    @Test
    void everyStepRunsTimedInTheCopyAndTheRealVaultIsUnchanged() throws IOException {
        long dirsBefore = scratchDirs();
        Map<String, Object> before = state();
        DrillRun run = gov.drillCompromise(vault.caller(), "app/db", null,
                List.of(TestVaults.UNSEAL.toCharArray()));
        assertTrue(run.ok(), run.steps().toString());
        assertEquals(List.of("snapshot", "open scratch copy", "rotate", "revoke tokens", "contain identity",
                "verify response", "verify audit", "cleanup"), run.steps().stream().map(DrillStep::name).toList());
        assertTrue(run.steps().stream().allMatch(s -> s.millis() >= 0 && s.ok()));
        assertTrue(run.steps().get(3).detail().startsWith("2 tokens of 2 identities"), run.steps().get(3).detail());
        assertTrue(run.steps().get(4).detail().contains("approle:ci has no policy left"), run.steps().get(4).detail());
        assertTrue(run.steps().get(5).detail().contains("version 2 is current"), run.steps().get(5).detail());
        assertEquals(before, state(), "the real vault's secret, identities and tokens are as they were");
        assertEquals(CANARY, vault.engine().secrets().read(robot, "app/db", 0).data().field("password"),
                "the robot's token still works in the real vault");
        assertEquals(dirsBefore, scratchDirs(), "the scratch copy is gone");
        assertEquals(run.id(), gov.drills(vault.caller()).get(0).id(), "kept for the report");
        assertFalse(run.toString().contains(CANARY));
        assertTrue(TestVaults.auditEntries(vault.engine()).stream().anyMatch(e -> e.operation()
                .equals("governance.drill") && "result".equals(e.details().get("step"))
                && "true".equals(e.details().get("ok"))));
    }

    @Test
    void oneIdentityCanBeContainedAndWrongUnsealMaterialFailsCleanly() throws IOException {
        DrillRun one = gov.drillCompromise(vault.caller(), "app/db", "approle:ci",
                List.of(TestVaults.UNSEAL.toCharArray()));
        assertTrue(one.ok(), one.steps().toString());
        assertEquals("approle:ci has no policy left (the containment service is not part of this vault yet)",
                one.steps().get(4).detail());

        long dirsBefore = scratchDirs();
        DrillRun bad = gov.drillCompromise(vault.caller(), "app/db", null, List.of("wrong".toCharArray()));
        assertFalse(bad.ok());
        DrillStep open = bad.steps().get(1);
        assertEquals("open scratch copy", open.name());
        assertFalse(open.ok());
        assertEquals("cleanup", bad.steps().get(bad.steps().size() - 1).name());
        assertTrue(bad.steps().get(bad.steps().size() - 1).ok());
        assertEquals(dirsBefore, scratchDirs());
        assertEquals(1, vault.engine().secrets().readMetadata(vault.caller(), "app/db").currentVersion());
    }

    private Map<String, Object> state() {
        Caller a = vault.caller();
        return Map.of("version", vault.engine().secrets().readMetadata(a, "app/db").currentVersion(),
                "value", vault.engine().secrets().read(a, "app/db", 0).data().fields(),
                "approle", vault.engine().identities().readAppRole(a, "ci").spec().policies(),
                "tokens", vault.engine().identities().listTokens(a, null).size(),
                "operators", vault.engine().identities().listOperators(a).stream().map(o -> o.name() + o.disabled())
                        .toList());
    }
}
