package dev.keyward.vault.anomaly;

import dev.keyward.vault.api.AlertSeverity;
import java.util.List;
import java.util.Map;

/**
 * What a detector found: becomes an alert.
 *
 * @param detector   the detector's name
 * @param severity   how bad
 * @param identityId the identity concerned, or null (a source address's failures)
 * @param identity   its name, or null
 * @param resource   the path or address concerned, or null
 * @param summary    one sentence (never a secret value)
 * @param evidence   the audit entries behind it, by sequence number
 * @param details    more facts by name
 */
public record Finding(String detector, AlertSeverity severity, String identityId, String identity, String resource,
                      String summary, List<Long> evidence, Map<String, String> details) {
    public Finding {
        evidence = List.copyOf(evidence);
        details = details == null ? Map.of() : Map.copyOf(details);
    }
}
