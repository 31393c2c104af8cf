package dev.keyward.vault.server;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.GovernanceService;
import dev.keyward.vault.api.GovernanceService.ScanDocument;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.PolicyService;
import dev.keyward.vault.api.Vault;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Governance routes under {@code /v1/kw/governance/}: the leak scan, boundary checks, exceptions,
 * access reviews and the compliance report, for pipelines and the CLI. Each call goes through the
 * guarded door.
 */
final class GovernanceRoutes {
    private final Vault vault;

    GovernanceRoutes(Vault vault) {
        this.vault = vault;
    }

    record DocumentBody(String id, Long offset, byte[] data, Boolean more) {
        @Override
        public String toString() {
            return "DocumentBody[" + id + "]";
        }
    }

    record ScanBody(List<DocumentBody> documents) {
    }

    record StartDto(String scanId, int values, int tooShort, int minLength, int maxRequestBytes, String expiresAt) {
    }

    record HitDto(String documentId, long offset, int length, String path, String field, int version,
                  boolean current) {
    }

    record ScanDto(List<HitDto> hits, long bytes) {
    }

    record TotalsDto(String scanId, long documents, long bytes, long hits) {
    }

    record DriftBody(String yaml) {
    }

    record CheckBody(String identity, String needsYaml) {
    }

    record GapDto(String path, String capability, String policy, int policyVersion, String ruleId, String reason) {
        static GapDto of(GovernanceService.BoundaryGap g) {
            return new GapDto(g.path(), g.capability().id(), g.policy(), g.policyVersion(), g.ruleId(), g.reason());
        }
    }

    record CheckDto(String identity, boolean matches, List<String> policies, List<GapDto> extra,
                    List<GapDto> missing) {
    }

    ApiResponse handle(ApiRequest r, String rest, Caller caller) {
        String m = r.method();
        GovernanceService g = vault.governance();
        if (rest.equals("drift")) {
            require(m.equals("POST"));
            DriftBody b = VaultApi.body(r, DriftBody.class);
            if (b.yaml() == null) {
                throw new InvalidRequestException("yaml is required: the desired policies as a policy-as-code file.");
            }
            PolicyService.ApplyResult res = vault.policies().drift(caller, b.yaml());
            List<KeywardRoutes.ChangeDto> changes = res.changes().stream().map(c -> new KeywardRoutes.ChangeDto(
                    c.kind(), c.name(), c.action().name().toLowerCase(Locale.ROOT), c.diff())).toList();
            return ok(new KeywardRoutes.ApplyDto(true, changes));
        }
        if (rest.equals("check")) {
            require(m.equals("POST"));
            CheckBody b = VaultApi.body(r, CheckBody.class);
            if (b.identity() == null || b.needsYaml() == null) {
                throw new InvalidRequestException("identity (TYPE:NAME) and needs_yaml are required.");
            }
            GovernanceService.BoundaryReport rep = g.checkBoundary(caller, identity(b.identity()), b.needsYaml());
            return ok(new CheckDto(rep.identity(), rep.matches(), rep.policies(),
                    rep.extra().stream().map(GapDto::of).toList(), rep.missing().stream().map(GapDto::of).toList()));
        }
        if (rest.equals("scan")) {
            require(m.equals("POST"));
            GovernanceService.ScanStart s = g.startScan(caller);
            return ok(new StartDto(s.id(), s.values(), s.tooShort(), s.minLength(), s.maxRequestBytes(),
                    VaultApi.time(s.expiresAt())));
        }
        if (rest.startsWith("scan/")) {
            String id = rest.substring("scan/".length());
            if (m.equals("DELETE")) {
                GovernanceService.ScanTotals t = g.endScan(caller, id);
                return ok(new TotalsDto(t.id(), t.documents(), t.bytes(), t.hits()));
            }
            require(m.equals("POST"));
            ScanBody b = VaultApi.body(r, ScanBody.class);
            if (b.documents() == null) {
                throw new InvalidRequestException("documents is required: a list of {id, offset, data, more}.");
            }
            List<ScanDocument> docs = new ArrayList<>();
            for (DocumentBody d : b.documents()) {
                if (d == null || d.id() == null || d.data() == null) {
                    throw new InvalidRequestException("Each document needs an id and data (base64).");
                }
                docs.add(new ScanDocument(d.id(), d.offset() == null ? 0 : d.offset(), d.data(),
                        Boolean.TRUE.equals(d.more())));
            }
            GovernanceService.ScanResult res = g.scan(caller, id, docs);
            List<HitDto> hits = res.hits().stream().map(h -> new HitDto(h.documentId(), h.offset(), h.length(),
                    h.path(), h.field(), h.version(), h.current())).toList();
            return ok(new ScanDto(hits, res.bytes()));
        }
        throw VaultApi.unsupportedPath();
    }

    /** TYPE:NAME, e.g. approle:ci-deploy. */
    static PolicyService.IdentityRef identity(String s) {
        int colon = s.indexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new InvalidRequestException("An identity is TYPE:NAME, e.g. approle:ci-deploy.");
        }
        try {
            return new PolicyService.IdentityRef(PolicyService.IdentityRef.Type.valueOf(s.substring(0, colon).trim()
                    .toUpperCase(Locale.ROOT)), s.substring(colon + 1).trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("An identity's type is operator, approle or cert.");
        }
    }

    static ApiResponse ok(Object data) {
        return ApiResponse.ok(VaultApi.envelope(data));
    }

    static void require(boolean ok) {
        if (!ok) {
            throw VaultApi.methodNotAllowed();
        }
    }
}
