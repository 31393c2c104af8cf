package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.AlertService;
import dev.keyward.vault.api.AlertService.Alert;
import dev.keyward.vault.api.AlertService.AlertFilter;
import dev.keyward.vault.api.AlertService.AlertState;
import dev.keyward.vault.api.AlertSeverity;
import dev.keyward.vault.api.AlertSpec;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.IdentityService.AppRoleSpec;
import dev.keyward.vault.api.IdentityService.SecretIdSpec;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.anomaly.Detectors;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detection and containment through the real engine: alerts raised from the audit stream, actions, undo. */
class ContainmentTest {
    static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
    static final String QUICK_LEARNING = "version: 1\nlearning:\n  period: 0s\n  min_events: 4\n";

    @TempDir
    Path home;
    MutableClock clock;
    TestVaults.Opened v;
    Caller admin;
    AlertService alerts;
    String roleId;

    @BeforeEach
    void open() {
        clock = new MutableClock(T0);
        v = TestVaults.initialised(TestVaults.config(home, clock));
        admin = v.caller();
        alerts = v.engine().alerts();
        alerts.applyDetectorConfig(admin, QUICK_LEARNING);
        v.engine().policies().put(admin, new Policy("ci-rw", "", List.of(PolicyRule.grant("secret/ci/*",
                EnumSet.of(Capability.READ, Capability.LIST, Capability.CREATE, Capability.UPDATE), null, "platform",
                "deploys", T0.plus(Duration.ofDays(365))))), "ci pipelines");
        v.engine().secrets().write(admin, "ci/db", SecretData.of(Map.of("password", "canary-containment-1")), null);
        v.engine().identities().putAppRole(admin, AppRoleSpec.of("ci", List.of("ci-rw")));
        roleId = v.engine().identities().roleId(admin, "ci");
    }

    @AfterEach
    void close() {
        v.close();
    }

    private String secretId() {
        return v.engine().identities().issueSecretId(admin, "ci", SecretIdSpec.defaults()).secretId();
    }

    private Session login(String secretId, String source) {
        clock.advance(Duration.ofSeconds(30));
        return v.engine().loginAppRole(roleId, secretId, source);
    }

    private void settle() throws InterruptedException {
        long last = TestVaults.auditEntries(v.engine()).get(TestVaults.auditEntries(v.engine()).size() - 1).sequence();
        assertTrue(v.engine().alertDesk().settle(last, Duration.ofSeconds(10)), "the detectors kept up");
    }

    private List<Alert> alertsOf(String detector) {
        return alerts.listAlerts(admin, new AlertFilter(null, detector, null, null, null, 0));
    }

    @Test
    void aStolenSecretIdUsedFromANewSourceRevokesTheIdentitysTokens() throws Exception {
        String sid = secretId();
        for (int i = 0; i < 5; i++) {
            Session s = login(sid, "10.0.0.5");
            v.engine().secrets().read(s.caller().withSource("10.0.0.5"), "ci/db", 0);
        }
        settle();
        assertEquals(List.of(), alertsOf(Detectors.NEW_SOURCE), "learned: nothing to say yet");
        Session stolen = login(sid, "203.0.113.9");
        settle();
        List<Alert> found = alertsOf(Detectors.NEW_SOURCE);
        assertEquals(1, found.size());
        Alert a = found.get(0);
        assertEquals(AlertSeverity.HIGH, a.severity());
        assertEquals("ci", a.identity());
        assertFalse(a.evidence().isEmpty());
        assertFalse(a.runbook().isBlank());
        assertEquals(2, a.actions().size(), "revoke-tokens and risk by default");
        assertThrows(AccessDeniedException.class,
                () -> v.engine().secrets().read(stolen.caller().withSource("203.0.113.9"), "ci/db", 0));
        assertTrue(TestVaults.auditEntries(v.engine()).stream()
                .anyMatch(r -> r.operation().equals("containment.revoke-tokens")));
        assertFalse(TestVaults.auditEntries(v.engine()).stream().anyMatch(r -> r.toString()
                .contains("canary-containment-1") || r.toString().contains(sid)), "no value, no secret_id");

        Alert acked = alerts.acknowledge(admin, a.id(), "looking");
        assertEquals(AlertState.ACKNOWLEDGED, acked.state());
        Alert resolved = alerts.resolve(admin, a.id(), "secret_id rotated");
        assertEquals(AlertState.RESOLVED, resolved.state());
        assertEquals("admin", resolved.history().get(resolved.history().size() - 1).by());
        assertThrows(InvalidRequestException.class, () -> alerts.markFalsePositive(admin, a.id(), "late"));
        assertTrue(TestVaults.auditEntries(v.engine()).stream().anyMatch(r -> r.operation().equals("alert.ack")));
        assertEquals(a.evidence().size(), alerts.proveEvidence(admin, a.id()).size());
    }

    @Test
    void aStreakOfFailedLoginsPutsTheIdentityInReadOnlyModeUntilUndone() throws Exception {
        String sid = secretId();
        for (int i = 0; i < 5; i++) {
            login(sid, "10.0.0.5");
        }
        for (int i = 0; i < 5; i++) {
            assertThrows(AuthenticationFailedException.class, () -> login("wrong-secret-id", "10.0.0.5"));
        }
        settle();
        List<Alert> found = alertsOf(Detectors.AUTH_FAILURES);
        assertEquals(1, found.size());
        Session s = login(sid, "10.0.0.5");
        Caller ci = s.caller().withSource("10.0.0.5");
        assertEquals("canary-containment-1", v.engine().secrets().read(ci, "ci/db", 0).data().fields().get("password"),
                "reads are still served");
        AccessDeniedException refused = assertThrows(AccessDeniedException.class,
                () -> v.engine().secrets().write(ci, "ci/db", SecretData.of(Map.of("password", "x")), null));
        assertTrue(refused.getMessage().contains("read-only"), refused.getMessage());
        var status = alerts.containmentStatus(admin);
        assertTrue(status.identities().stream().anyMatch(r -> r.readOnly() && "ci".equals(r.identity())));
        String actionId = found.get(0).actions().get(0);
        assertThrows(InvalidRequestException.class, () -> alerts.undoContainment(admin, actionId, " "));
        alerts.undoContainment(admin, actionId, "the client was fixed");
        v.engine().secrets().write(ci, "ci/db", SecretData.of(Map.of("password", "y")), null);
        assertThrows(InvalidRequestException.class, () -> alerts.undoContainment(admin, actionId, "again"));
    }

    @Test
    void otherFeaturesRaiseThroughTheServiceAndBadConfigurationIsRefusedClearly() {
        String id = alerts.raise(admin, new AlertSpec(Detectors.ROTATION_NEEDS_ATTENTION, AlertSeverity.HIGH, null,
                "secret/ci/db", "rotation of ci/db rolled back", List.of(), Map.of("run", "r1")));
        Alert a = alerts.showAlert(admin, id);
        assertEquals(AlertState.OPEN, a.state());
        assertTrue(a.runbook().contains("rotation"));
        InvalidRequestException bad = assertThrows(InvalidRequestException.class, () -> alerts.applyDetectorConfig(admin,
                "version: 1\ndetectors:\n  moon-phase:\n    enabled: true\n"));
        assertTrue(bad.getMessage().contains("Unknown detector 'moon-phase'"), bad.getMessage());
        InvalidRequestException action = assertThrows(InvalidRequestException.class,
                () -> alerts.applyDetectorConfig(admin, "containment:\n  new-source:\n    high: [nuke]\n"));
        assertTrue(action.getMessage().contains("Unknown containment action 'nuke'"), action.getMessage());
        assertEquals(1, alerts.detectorConfig(admin).version(), "the configuration in force is unchanged");
    }
}
