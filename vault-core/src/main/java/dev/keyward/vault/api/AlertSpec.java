package dev.keyward.vault.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An alert to raise. The anomaly detectors raise their own; other features raise one through
 * {@link AlertService#raise} (a rotation that needs attention, a break-glass use).
 *
 * @param detector what raised it, e.g. {@code rotation.needs-attention}, {@code break-glass},
 *                 {@code new-source}
 * @param severity how bad
 * @param identity the identity concerned (e.g. {@code approle:ci}), or null
 * @param resource the path or object concerned, or null
 * @param summary  one sentence for people; never a secret value
 * @param evidence audit sequence numbers behind it (may be empty)
 * @param details  more facts by name (never a secret value)
 */
public record AlertSpec(String detector, AlertSeverity severity, String identity, String resource, String summary,
                        List<Long> evidence, Map<String, String> details) {
    public AlertSpec {
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(summary, "summary");
        if (detector.isBlank() || detector.length() > 64) {
            throw new InvalidRequestException("A detector name is 1 to 64 characters.");
        }
        if (summary.length() > 1024) {
            throw new InvalidRequestException("An alert summary is at most 1024 characters.");
        }
        evidence = evidence == null ? List.of() : List.copyOf(evidence);
        details = details == null ? Map.of() : Map.copyOf(details);
    }
}
