package dev.keyward.vault.server;

import dev.keyward.vault.api.ApprovalService;
import dev.keyward.vault.api.ApprovalService.BreakGlassSpec;
import dev.keyward.vault.api.ApprovalService.Gate;
import dev.keyward.vault.api.ApprovalService.RequestSpec;
import dev.keyward.vault.api.ApprovalService.Threshold;
import dev.keyward.vault.api.ApprovalService.Track;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Vault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Approval routes under {@code /v1/kw/approvals/}: requests, signed reviews, grants, elevations,
 * break-glass, notices, tracks and gates. Each call goes through the guarded door.
 */
final class ApprovalRoutes {
    private final Vault vault;

    ApprovalRoutes(Vault vault) {
        this.vault = vault;
    }

    record RequestBody(String operation, String resource, String change, String author, String justification,
                       String duration, String pendingTtl, Integer uses) {
    }

    record VoteBody(String reason, String passphrase, String signature) {
        @Override
        public String toString() {
            return "VoteBody[passphrase=***]";
        }
    }

    record ReasonBody(String reason) {
    }

    record BreakGlassBody(String operation, String resource, String reason, String duration) {
    }

    record TrackBody(String name, List<String> operators, List<String> roles) {
    }

    record ThresholdBody(String track, Integer approve) {
    }

    record GateBody(String id, String operation, String resource, List<ThresholdBody> thresholds, Integer deny,
                    Boolean breakGlass, String maxDuration, String pendingTtl) {
    }

    record KeyBody(String passphrase, String publicKey) {
        @Override
        public String toString() {
            return "KeyBody[passphrase=***]";
        }
    }

    private static Duration duration(String s) {
        return s == null || s.isBlank() ? null : Durations.parse(s);
    }

    private static char[] chars(String s) {
        return s == null ? null : s.toCharArray();
    }

    ApiResponse handle(ApiRequest r, String rest, Caller caller) {
        try {
            return route(r, rest, caller);
        } catch (dev.keyward.vault.api.NotFoundException e) {
            // Keyward's own routes say what was not found (the Vault-compatible ones answer an empty list).
            throw new ApiException(404, e.getMessage() == null ? "Not found." : e.getMessage());
        } catch (dev.keyward.vault.api.AccessDeniedException e) {
            // The approval rules' refusals say why (your own request, not eligible, wrong passphrase).
            String m = e.getMessage();
            throw new ApiException(403, m == null || m.isBlank() ? "permission denied" : m);
        }
    }

    private ApiResponse route(ApiRequest r, String rest, Caller caller) {
        ApprovalService ap = vault.approvals();
        String m = r.method();
        boolean get = m.equals("GET");
        boolean post = m.equals("POST") || m.equals("PUT");
        String[] parts = rest.split("/", -1);
        switch (parts[0]) {
            case "inbox" -> {
                GovernanceRoutes.require(get);
                return ok(Map.of("requests", ap.waitingForMe(caller)));
            }
            case "mine" -> {
                GovernanceRoutes.require(get);
                return ok(Map.of("requests", ap.mine(caller)));
            }
            case "history" -> {
                GovernanceRoutes.require(get);
                String limit = r.query().get("limit");
                int n;
                try {
                    n = limit == null ? 200 : Integer.parseInt(limit);
                } catch (NumberFormatException e) {
                    throw new InvalidRequestException("limit is a number.");
                }
                return ok(Map.of("requests", ap.history(caller, n)));
            }
            case "grants" -> {
                GovernanceRoutes.require(get);
                return ok(Map.of("grants", ap.grants(caller)));
            }
            case "notices" -> {
                GovernanceRoutes.require(get);
                return ok(Map.of("notices", ap.notices(caller)));
            }
            case "requests" -> {
                return requests(r, parts, caller, ap, get, post);
            }
            case "elevations" -> {
                if (parts.length == 1) {
                    GovernanceRoutes.require(get);
                    return ok(Map.of("elevations", ap.elevations(caller)));
                }
                GovernanceRoutes.require(post && parts.length == 3);
                return switch (parts[2]) {
                    case "start" -> ok(ap.startElevation(caller, parts[1]));
                    case "end" -> ok(ap.endElevation(caller, parts[1]));
                    default -> throw VaultApi.unsupportedPath();
                };
            }
            case "break-glass" -> {
                GovernanceRoutes.require(post);
                BreakGlassBody b = VaultApi.body(r, BreakGlassBody.class);
                return ok(ap.breakGlass(caller, new BreakGlassSpec(b.operation(), b.resource(), b.reason(),
                        duration(b.duration()))));
            }
            case "tracks" -> {
                if (parts.length == 2 && m.equals("DELETE")) {
                    ap.deleteTrack(caller, parts[1]);
                    return ApiResponse.NO_CONTENT;
                }
                if (get) {
                    return ok(Map.of("tracks", ap.listTracks(caller)));
                }
                GovernanceRoutes.require(post);
                TrackBody b = VaultApi.body(r, TrackBody.class);
                return ok(ap.putTrack(caller, new Track(b.name(), b.operators(), b.roles())));
            }
            case "gates" -> {
                if (parts.length == 2 && m.equals("DELETE")) {
                    ap.deleteGate(caller, parts[1]);
                    return ApiResponse.NO_CONTENT;
                }
                if (get) {
                    return ok(Map.of("gates", ap.listGates(caller)));
                }
                GovernanceRoutes.require(post);
                GateBody b = VaultApi.body(r, GateBody.class);
                List<Threshold> th = new ArrayList<>();
                if (b.thresholds() != null) {
                    for (ThresholdBody t : b.thresholds()) {
                        if (t == null || t.track() == null || t.approve() == null) {
                            throw new InvalidRequestException("Each threshold names a track and an approve count.");
                        }
                        th.add(new Threshold(t.track(), t.approve()));
                    }
                }
                if (b.operation() == null) {
                    throw new InvalidRequestException("A gate names an operation.");
                }
                return ok(ap.putGate(caller, new Gate(b.id(), b.operation(), b.resource(), th,
                        b.deny() == null ? 1 : b.deny(), Boolean.TRUE.equals(b.breakGlass()), duration(b.maxDuration()),
                        duration(b.pendingTtl()))));
            }
            case "key" -> {
                GovernanceRoutes.require(post);
                KeyBody b = VaultApi.body(r, KeyBody.class);
                char[] pass = chars(b.passphrase());
                try {
                    if (parts.length == 2 && parts[1].equals("register")) {
                        return ok(ap.registerSigningKey(caller, b.publicKey(), pass));
                    }
                    return ok(ap.signingKey(caller, pass));
                } finally {
                    if (pass != null) {
                        Arrays.fill(pass, '\0');
                    }
                }
            }
            default -> throw VaultApi.unsupportedPath();
        }
    }

    private ApiResponse requests(ApiRequest r, String[] parts, Caller caller, ApprovalService ap, boolean get,
                                 boolean post) {
        if (parts.length == 1) {
            if (get) {
                return ok(Map.of("requests", ap.mine(caller)));
            }
            GovernanceRoutes.require(post);
            RequestBody b = VaultApi.body(r, RequestBody.class);
            String why = b.justification() != null ? b.justification() : caller.justification();
            return ok(ap.request(caller, new RequestSpec(b.operation(), b.resource(), b.change(), b.author(), why,
                    duration(b.duration()), duration(b.pendingTtl()), b.uses() == null ? 1 : b.uses())));
        }
        String id = parts[1];
        if (parts.length == 2) {
            GovernanceRoutes.require(get);
            return ok(ap.show(caller, id));
        }
        String action = parts[2];
        if (action.equals("signing-message")) {
            GovernanceRoutes.require(get);
            String decision = r.query().getOrDefault("decision", "approve");
            if (!decision.equals("approve") && !decision.equals("deny")) {
                throw new InvalidRequestException("decision is approve or deny.");
            }
            return ok(Map.of("message", ap.signingMessage(caller, id, decision.equals("approve"),
                    r.query().get("reason"))));
        }
        GovernanceRoutes.require(post);
        switch (action) {
            case "approve", "deny" -> {
                VoteBody b = VaultApi.body(r, VoteBody.class);
                boolean approve = action.equals("approve");
                if (b.signature() != null) {
                    return ok(ap.signedVote(caller, id, approve, b.reason(), b.signature()));
                }
                char[] pass = chars(b.passphrase());
                try {
                    return ok(approve ? ap.approve(caller, id, b.reason(), pass) : ap.deny(caller, id, b.reason(), pass));
                } finally {
                    if (pass != null) {
                        Arrays.fill(pass, '\0');
                    }
                }
            }
            case "cancel" -> {
                return ok(ap.cancel(caller, id, VaultApi.body(r, ReasonBody.class).reason()));
            }
            default -> throw VaultApi.unsupportedPath();
        }
    }

    private static ApiResponse ok(Object data) {
        return GovernanceRoutes.ok(data);
    }
}
