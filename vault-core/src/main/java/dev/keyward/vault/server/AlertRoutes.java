package dev.keyward.vault.server;

import dev.keyward.vault.api.AlertService;
import dev.keyward.vault.api.AlertService.AlertFilter;
import dev.keyward.vault.api.AlertService.AlertState;
import dev.keyward.vault.api.AlertSeverity;
import dev.keyward.vault.api.AlertSpec;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Vault;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Alert routes under {@code /v1/kw/alerts}: list, show, evidence proofs, acknowledge, resolve, mark
 * a false positive, raise, containment status and undo, the detector configuration. Each call goes
 * through the guarded door.
 */
final class AlertRoutes {
    private final Vault vault;

    AlertRoutes(Vault vault) {
        this.vault = vault;
    }

    record ReasonBody(String reason) {
    }

    record ConfigBody(String yaml) {
    }

    record RaiseBody(String detector, String severity, String identity, String resource, String summary,
                     List<Long> evidence, Map<String, String> details) {
    }

    record RaisedDto(String id) {
    }

    ApiResponse handle(ApiRequest r, String rest, Caller caller) {
        AlertService a = vault.alerts();
        String m = r.method();
        boolean post = m.equals("POST") || m.equals("PUT");
        if (rest.isEmpty()) {
            if (post) {
                RaiseBody b = VaultApi.body(r, RaiseBody.class);
                if (b.detector() == null || b.severity() == null || b.summary() == null) {
                    throw new InvalidRequestException("detector, severity and summary are required.");
                }
                return GovernanceRoutes.ok(new RaisedDto(a.raise(caller, new AlertSpec(b.detector(),
                        severity(b.severity()), b.identity(), b.resource(), b.summary(), b.evidence(), b.details()))));
            }
            GovernanceRoutes.require(m.equals("GET") || m.equals("LIST"));
            Map<String, String> q = r.query();
            int limit = 0;
            if (q.get("limit") != null) {
                try {
                    limit = Integer.parseInt(q.get("limit"));
                } catch (NumberFormatException e) {
                    throw new InvalidRequestException("limit is a number (1 to 10000).");
                }
            }
            AlertFilter f = new AlertFilter(q.get("state") == null ? null : state(q.get("state")), q.get("detector"),
                    q.get("identity"), q.get("min_severity") == null ? null : severity(q.get("min_severity")),
                    q.get("since") == null ? null : GovernanceRoutes.instant(q.get("since"), "since"), limit);
            return GovernanceRoutes.ok(Map.of("alerts", a.listAlerts(caller, f)));
        }
        if (rest.equals("containment")) {
            GovernanceRoutes.require(m.equals("GET"));
            return GovernanceRoutes.ok(a.containmentStatus(caller));
        }
        if (rest.equals("config")) {
            if (post) {
                ConfigBody b = VaultApi.body(r, ConfigBody.class);
                if (b.yaml() == null) {
                    throw new InvalidRequestException("yaml (the detector configuration) is required.");
                }
                return GovernanceRoutes.ok(a.applyDetectorConfig(caller, b.yaml()));
            }
            GovernanceRoutes.require(m.equals("GET"));
            return GovernanceRoutes.ok(a.detectorConfig(caller));
        }
        String[] parts = rest.split("/");
        if (parts.length == 3 && parts[0].equals("containment") && parts[2].equals("undo")) {
            GovernanceRoutes.require(post);
            return GovernanceRoutes.ok(a.undoContainment(caller, parts[1], VaultApi.body(r, ReasonBody.class)
                    .reason()));
        }
        if (parts.length == 1) {
            GovernanceRoutes.require(m.equals("GET"));
            return GovernanceRoutes.ok(a.showAlert(caller, parts[0]));
        }
        if (parts.length == 2) {
            String id = parts[0];
            switch (parts[1]) {
                case "proofs" -> {
                    GovernanceRoutes.require(m.equals("GET"));
                    return GovernanceRoutes.ok(Map.of("proofs", a.proveEvidence(caller, id)));
                }
                case "ack" -> {
                    GovernanceRoutes.require(post);
                    return GovernanceRoutes.ok(a.acknowledge(caller, id, VaultApi.body(r, ReasonBody.class).reason()));
                }
                case "resolve" -> {
                    GovernanceRoutes.require(post);
                    return GovernanceRoutes.ok(a.resolve(caller, id, VaultApi.body(r, ReasonBody.class).reason()));
                }
                case "false-positive" -> {
                    GovernanceRoutes.require(post);
                    return GovernanceRoutes.ok(a.markFalsePositive(caller, id, VaultApi.body(r, ReasonBody.class)
                            .reason()));
                }
                default -> {
                    throw VaultApi.unsupportedPath();
                }
            }
        }
        throw VaultApi.unsupportedPath();
    }

    static AlertSeverity severity(String s) {
        try {
            return AlertSeverity.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("severity is info, low, medium, high or critical.");
        }
    }

    static AlertState state(String s) {
        try {
            return AlertState.valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("state is open, acknowledged, resolved or false-positive.");
        }
    }
}
