package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AlertService;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.RotationService;
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
        String rotate = run.steps().get(2).detail();
        assertTrue(rotate.startsWith("compromise rotation ") && rotate.contains("through the rotation service"), rotate);
        assertTrue(rotate.contains("no rotation is configured for it, so a generated rotation of field password"),
                rotate);
        assertTrue(rotate.contains("version 2 is current"), rotate);
        assertTrue(run.steps().get(3).detail().startsWith("2 tokens of 2 identities"), run.steps().get(3).detail());
        String contain = run.steps().get(4).detail();
        assertTrue(contain.contains("approle:ci: revoke-tokens (0 tokens revoked), lock (identity locked) by "
                + "containment of alert al-"), contain);
        assertTrue(contain.contains("operator:admin: revoke-tokens ("), contain);
        String verify = run.steps().get(5).detail();
        assertTrue(verify.startsWith("2 identities locked by containment; with a fresh secret_id, 1 AppRole(s) could"
                + " not read it"), verify);
        assertTrue(verify.contains("version 2 is current"), verify);
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
        assertTrue(one.steps().get(4).detail().startsWith("approle:ci: revoke-tokens"), one.steps().get(4).detail());
        assertFalse(one.steps().get(4).detail().contains("operator:admin"), "only the one named");

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

    private Object rotationState(Caller a) {
        return vault.engine().rotation().schedules(a, "").stream().map(st -> st.path() + " " + st.rotator() + " "
                + vault.engine().rotation().history(a, st.path(), 100).size()).toList();
    }

    @Test
    void aConfiguredRotatorThatStaysInTheVaultIsTheOneTheDrillRuns() {
        vault.engine().rotation().configure(vault.caller(), "app/db", new RotationService.RotationConfig("generated",
                Map.of("field", "password", "length", "40"), null, null, null, true, 3, null, null, null, null));
        Map<String, Object> before = state();
        DrillRun run = gov.drillCompromise(vault.caller(), "app/db", "approle:ci",
                List.of(TestVaults.UNSEAL.toCharArray()));
        assertTrue(run.ok(), run.steps().toString());
        assertTrue(run.steps().get(2).detail().contains("with its configured generated rotator: version 2 is"
                + " current"), run.steps().get(2).detail());
        assertEquals(before, state(), "the real vault ran no rotation and raised no alert");
    }

    @Test
    void aRotatorThatChangesATargetOutsideTheVaultIsNotRunFromTheCopy() throws IOException {
        Path hook = dir.resolve("hook.sh");
        Path touched = dir.resolve("hook-ran");
        Files.writeString(hook, "#!/bin/sh\ncat > /dev/null\necho \"$1\" >> '" + touched + "'\nexit 0\n");
        Files.setPosixFilePermissions(hook, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        vault.engine().rotation().configure(vault.caller(), "app/db", new RotationService.RotationConfig("hook",
                Map.of("command", hook.toString()), null, null, null, true, 3, null, null, null, null));
        Map<String, Object> before = state();
        DrillRun run = gov.drillCompromise(vault.caller(), "app/db", null, List.of(TestVaults.UNSEAL.toCharArray()));
        assertTrue(run.ok(), run.steps().toString());
        assertTrue(run.steps().get(2).detail().contains("its hook rotator changes a target outside the vault, which a"
                + " scratch copy must not touch, so a generated rotation of field password"),
                run.steps().get(2).detail());
        assertFalse(Files.exists(touched), "the hook (the target) was never called");
        assertEquals(before, state());
        assertEquals("hook", vault.engine().rotation().readConfig(vault.caller(), "app/db").rotator());
    }

    private Map<String, Object> state() {
        Caller a = vault.caller();
        return Map.of("version", vault.engine().secrets().readMetadata(a, "app/db").currentVersion(),
                "value", vault.engine().secrets().read(a, "app/db", 0).data().fields(),
                "approle", vault.engine().identities().readAppRole(a, "ci").spec().policies(),
                "tokens", vault.engine().identities().listTokens(a, null).size(),
                "operators", vault.engine().identities().listOperators(a).stream().map(o -> o.name() + o.disabled())
                        .toList(),
                "rotation", rotationState(a),
                "alerts", vault.engine().alerts().listAlerts(a, AlertService.AlertFilter.all()).size(),
                "containment", vault.engine().alerts().containmentStatus(a).identities());
    }
}
