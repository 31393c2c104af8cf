package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.anomaly.Detectors;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weeks of synthetic traffic with labelled anomalies replayed through the real engine: every
 * injected kind is detected, recall is at least 0.95, and at most one false positive comes per
 * 10,000 normal requests. (bench/anomaly.sh prints the same numbers for more weeks.)
 */
class DetectionQualityTest {

    @Test
    void everyInjectedKindIsDetectedWithFewFalsePositives(@TempDir Path home) throws Exception {
        TrafficGenerator g = new TrafficGenerator(3, 20261102L);
        TrafficGenerator.Result r = g.run(home);
        System.out.println(g + ": " + r.normalRequests() + " normal requests, " + r.anomalousRequests()
                + " anomalous, " + r.alerts().size() + " alerts in " + String.format("%.1f s", r.seconds()));
        System.out.print(r.table());
        r.falsePositives().forEach(a -> System.out.println("false positive: " + a.detector() + " " + a.identity()
                + " " + a.raisedAt() + " " + a.summary()));
        r.missed().forEach(l -> System.out.println("missed: " + l));
        Set<String> detected = r.labels().stream().filter(l -> !r.missed().contains(l)).map(TrafficGenerator.Label::kind)
                .collect(Collectors.toSet());
        assertEquals(Set.copyOf(Detectors.names()), r.labels().stream().map(TrafficGenerator.Label::kind)
                .collect(Collectors.toSet()), "every detector's kind is injected");
        assertEquals(Set.copyOf(Detectors.names()), detected, "every injected kind is detected");
        assertTrue(r.recall() >= 0.95, "recall " + r.recall());
        assertTrue(r.falsePositivesPer10k() <= 1.0, r.falsePositives().size() + " false positives in "
                + r.normalRequests() + " normal requests");
        assertTrue(r.normalRequests() > 10_000, "weeks of traffic: " + r.normalRequests());
    }
}
