package dev.keyward.vault.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.audit.AuditEvent;
import dev.keyward.vault.identity.Records;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The detectors on hand-made audit entries: rules that the traffic replay cannot reach, and the state's round trip. */
class MonitorTest {
    static final Instant T0 = Instant.parse("2026-11-02T09:00:00Z");
    final AnomalyConfig quick = AnomalyConfig.parse("learning:\n  period: 0s\n  min_events: 3\n");
    long seq;

    AuditEvent event(Instant t, String identity, String source, String op, String resource, Map<String, String> d) {
        return new AuditEvent(t, "r" + seq, identity, identity, "TOKEN", source, op, resource,
                AuditEvent.Decision.ALLOW, "rule", null, null, AuditEvent.Outcome.SUCCESS, null, "h-" + identity, d);
    }

    List<Finding> feed(Monitor m, AuditEvent e) {
        return m.observe(seq++, e);
    }

    @Test
    void aPreviousVersionReadAfterARotationIsARetiredCredential() {
        Monitor m = new Monitor(null, quick);
        for (int i = 0; i < 5; i++) {
            feed(m, event(T0.plusSeconds(i), "app", "10.0.0.1", "secret.read", "secret/db",
                    Map.of("version", "1", "latest", "true")));
        }
        AuditEvent rotated = new AuditEvent(T0.plusSeconds(60), "r", "system:rotation", "system:rotation", "SYSTEM",
                "local", "secret.write", "secret/db", AuditEvent.Decision.ALLOW, "rule", null, null,
                AuditEvent.Outcome.SUCCESS, null, null, Map.of("version", "2"));
        assertEquals(List.of(), feed(m, rotated));
        assertEquals(List.of(), feed(m, event(T0.plusSeconds(61), "app", "10.0.0.1", "secret.read", "secret/db",
                Map.of("version", "2", "latest", "true"))), "the new version is fine");
        List<Finding> f = feed(m, event(T0.plusSeconds(62), "app", "10.0.0.1", "secret.read", "secret/db",
                Map.of("version", "1", "latest", "false")));
        assertEquals(1, f.size());
        assertEquals(Detectors.RETIRED_CREDENTIAL, f.get(0).detector());
        assertTrue(f.get(0).summary().contains("version 1"));
    }

    @Test
    void anElevationWithoutAnApprovalIsAnEscalation() {
        Monitor m = new Monitor(null, quick);
        for (int i = 0; i < 4; i++) {
            feed(m, event(T0.plusSeconds(i), "bob", "10.0.0.2", "secret.read", "secret/a", Map.of()));
        }
        List<Finding> f = feed(m, event(T0.plusSeconds(10), "bob", "10.0.0.2", "approval.elevation.start",
                "sys/approvals/elevation", Map.of()));
        assertEquals(1, f.size());
        assertEquals(Detectors.PRIVILEGE_ESCALATION, f.get(0).detector());
    }

    @Test
    void nothingSpeaksWhileTheVaultLearnsAndTheStateSurvivesEncoding() {
        Monitor m = new Monitor(null, AnomalyConfig.parse("learning:\n  period: 1d\n  min_events: 3\n"));
        List<Finding> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            all.addAll(feed(m, event(T0.plusSeconds(i), "ci", "10.0.0." + i, "secret.read", "secret/x" + i, Map.of())));
        }
        assertEquals(List.of(), all, "learning: new sources and paths are learned, not alerted");
        Monitor.State back = Records.decode(Records.encode(m.state()), Monitor.State.class);
        Monitor again = new Monitor(back, m.config());
        assertEquals(seq - 1, back.lastSequence);
        assertEquals(List.of(), again.observe(seq - 1, event(T0, "ci", "9.9.9.9", "secret.read", "secret/y", Map.of())),
                "an entry told again after a restart is skipped");
        AuditEvent nextWeek = new AuditEvent(T0.plus(Duration.ofDays(7)), "r", "ci", "ci", "TOKEN", "9.9.9.9",
                "secret.read", "secret/x1", AuditEvent.Decision.ALLOW, "rule", null, null, AuditEvent.Outcome.SUCCESS,
                null, "a-new-token", Map.of());
        List<Finding> later = again.observe(seq++, nextWeek);
        assertEquals(List.of(Detectors.NEW_SOURCE), later.stream().map(Finding::detector).toList(),
                "the learned baseline came back: only the address is new");
    }
}
