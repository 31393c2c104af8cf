package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.anomaly.Detectors;
import dev.keyward.vault.api.AlertService.AlertFilter;
import dev.keyward.vault.api.IdentityService.AppRoleSpec;
import dev.keyward.vault.api.IdentityService.SecretIdSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Baselines, alerts and containment survive a restart; the detectors resume where they stopped (no rescan). */
class AnomalyRestartTest {

    @Test
    void theDetectorsResumeFromTheLastSequenceAfterARestart(@TempDir Path home) throws Exception {
        MutableClock clock = new MutableClock(ContainmentTest.T0);
        String roleId;
        String sid;
        long processed;
        try (TestVaults.Opened v = TestVaults.initialised(TestVaults.config(home, clock))) {
            v.engine().alerts().applyDetectorConfig(v.caller(), ContainmentTest.QUICK_LEARNING);
            v.engine().identities().putAppRole(v.caller(), AppRoleSpec.of("ci", List.of("default")));
            roleId = v.engine().identities().roleId(v.caller(), "ci");
            sid = v.engine().identities().issueSecretId(v.caller(), "ci", SecretIdSpec.defaults()).secretId();
            for (int i = 0; i < 6; i++) {
                clock.advance(Duration.ofMinutes(1));
                v.engine().loginAppRole(roleId, sid, "10.0.0.5");
            }
            var log = TestVaults.auditEntries(v.engine());
            processed = log.get(log.size() - 1).sequence();
            assertTrue(v.engine().alertDesk().settle(processed, Duration.ofSeconds(10)));
        }
        Engine e = Engine.open(TestVaults.config(home, clock));
        try {
            TestVaults.unseal(e);
            assertTrue(e.alertDesk().job().processed() >= processed,
                    "the state came back with its last sequence: " + e.alertDesk().job().processed());
            var admin = TestVaults.login(e).caller();
            clock.advance(Duration.ofMinutes(1));
            e.loginAppRole(roleId, sid, "10.0.0.5");
            clock.advance(Duration.ofMinutes(1));
            e.loginAppRole(roleId, sid, "198.51.100.1");
            var log = TestVaults.auditEntries(e);
            assertTrue(e.alertDesk().settle(log.get(log.size() - 1).sequence(), Duration.ofSeconds(10)));
            var alerts = e.alerts().listAlerts(admin, new AlertFilter(null, Detectors.NEW_SOURCE, "ci", null, null, 0));
            assertEquals(1, alerts.size(), "the known address stays known; the new one is news: " + alerts);
            assertEquals("198.51.100.1", alerts.get(0).resource());
            assertEquals(ContainmentTest.QUICK_LEARNING, e.alerts().detectorConfig(admin).yaml(),
                    "the configuration survived too");
        } finally {
            e.close();
        }
    }
}
