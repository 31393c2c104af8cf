package dev.keyward.vault.server;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.GovernanceService;
import dev.keyward.vault.api.GovernanceService.ScanDocument;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.PolicyService;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.PolicyConditions;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
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

    record DriftRequestBody(String yaml, String reason) {
    }

    record DriftRequestDto(String requestId, String status, String operation, String resource, String change) {
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

    record BaselineBody(String yaml, String reason) {
    }

    record HoursBody(List<String> days, String from, String to, String zone) {
    }

    record ExceptionBody(String policy, String ruleId, String owner, String reason, String expiresAt,
                         Boolean extraLogging, HoursBody hours, Boolean approvalOnUse) {
    }

    record ReasonBody(String reason) {
    }

    record ScheduleBody(String every, String deadline, String onMissed, String firstAt) {
    }

    record OpenBody(String reason) {
    }

    record AttestBody(String policy, String ruleId, String decision, String reason) {
    }

    private ApiResponse reviews(ApiRequest r, String rest, Caller caller) {
        GovernanceService g = vault.governance();
        String m = r.method();
        if (rest.equals("reviews")) {
            if (m.equals("GET")) {
                return ok(Map.of("reviews", g.reviews(caller)));
            }
            require(m.equals("POST"));
            return ok(Map.of("reviews", g.openReviews(caller, VaultApi.body(r, OpenBody.class).reason())));
        }
        if (rest.equals("reviews/schedule")) {
            if (m.equals("GET")) {
                return ok(g.reviewSchedule(caller));
            }
            require(m.equals("POST"));
            ScheduleBody b = VaultApi.body(r, ScheduleBody.class);
            if (b.deadline() == null || b.onMissed() == null) {
                throw new InvalidRequestException("every, deadline (e.g. 14d) and on_missed (expire or alert) are "
                        + "required.");
            }
            GovernanceService.OnMissed onMissed;
            try {
                onMissed = GovernanceService.OnMissed.valueOf(b.onMissed().trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("on_missed is expire or alert.");
            }
            return ok(g.setReviewSchedule(caller, new GovernanceService.ReviewScheduleSpec(b.every(),
                    Durations.parse(b.deadline()), onMissed, b.firstAt() == null ? null
                    : instant(b.firstAt(), "first_at"))));
        }
        String[] parts = rest.split("/");
        if (parts.length == 2) {
            require(m.equals("GET"));
            return ok(g.review(caller, parts[1]));
        }
        if (parts.length == 3 && parts[2].equals("attest")) {
            require(m.equals("POST"));
            AttestBody b = VaultApi.body(r, AttestBody.class);
            if (b.policy() == null || b.ruleId() == null || b.decision() == null) {
                throw new InvalidRequestException("policy, rule_id, decision (keep, reduce or revoke) and reason are "
                        + "required.");
            }
            GovernanceService.Attestation d;
            try {
                d = GovernanceService.Attestation.valueOf(b.decision().trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("decision is keep, reduce or revoke.");
            }
            return ok(g.attest(caller, parts[1], b.policy(), b.ruleId(), d, b.reason()));
        }
        throw VaultApi.unsupportedPath();
    }

    record ReportBody(String from, String to, String format) {
    }

    record ReportDto(String format, byte[] content, String from, String to, int privilegeChanges, int policyChanges,
                     int unusedGrants, int exceptions, int reviews, long auditEntries, boolean auditVerified,
                     String headFingerprint) {
        @Override
        public String toString() {
            return "ReportDto[" + format + ", " + content.length + " bytes]";
        }
    }

    private ApiResponse report(ApiRequest r, Caller caller) {
        require(r.method().equals("POST"));
        ReportBody b = VaultApi.body(r, ReportBody.class);
        GovernanceService.ReportFormat format;
        try {
            format = GovernanceService.ReportFormat.valueOf((b.format() == null ? "pdf" : b.format()).trim()
                    .toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("format is pdf or html.");
        }
        GovernanceService g = vault.governance();
        GovernanceService.ComplianceReport rep = g.complianceReport(caller, instant(b.from(), "from"),
                instant(b.to(), "to"));
        byte[] content = g.renderComplianceReport(rep, format);
        return ok(new ReportDto(format.name().toLowerCase(Locale.ROOT), content, VaultApi.time(rep.from()),
                VaultApi.time(rep.to()), rep.privilegeChanges().size(), rep.policyChangelog().size(),
                rep.unusedGrants().size(), rep.exceptions().size(), rep.reviews().size(), rep.audit().entriesInPeriod(),
                rep.audit().verified(), rep.audit().headFingerprint()));
    }

    record DrillBody(String secret, String identity, List<String> keys) {
        @Override
        public String toString() {
            return "DrillBody[" + secret + ", keys=***]";
        }
    }

    private ApiResponse drills(ApiRequest r, Caller caller) {
        GovernanceService g = vault.governance();
        if (r.method().equals("GET")) {
            return ok(Map.of("drills", g.drills(caller)));
        }
        require(r.method().equals("POST"));
        DrillBody b = VaultApi.body(r, DrillBody.class);
        if (b.secret() == null || b.keys() == null || b.keys().isEmpty()) {
            throw new InvalidRequestException("secret and keys (the unseal passphrase, PIN or shares) are required.");
        }
        List<char[]> keys = new ArrayList<>();
        b.keys().forEach(k -> keys.add(k == null ? new char[0] : k.toCharArray()));
        return ok(g.drillCompromise(caller, b.secret(), b.identity(), keys));
    }

    ApiResponse handle(ApiRequest r, String rest, Caller caller) {
        if (rest.equals("drills")) {
            return drills(r, caller);
        }
        if (rest.equals("report")) {
            return report(r, caller);
        }
        if (rest.equals("reviews") || rest.startsWith("reviews/")) {
            return reviews(r, rest, caller);
        }
        if (rest.equals("baseline") || rest.startsWith("baseline/") || rest.equals("exceptions")
                || rest.startsWith("exceptions/")) {
            return exceptions(r, rest, caller);
        }
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
        if (rest.equals("drift/request")) {
            require(m.equals("POST"));
            DriftRequestBody b = VaultApi.body(r, DriftRequestBody.class);
            if (b.yaml() == null || b.reason() == null) {
                throw new InvalidRequestException("yaml (the desired policies) and reason are required.");
            }
            dev.keyward.vault.api.ApprovalService.Request req = g.requestPolicyApply(caller, b.yaml(), b.reason());
            return ok(new DriftRequestDto(req.id(), req.status(), req.operation(), req.resource(), req.change()));
        }
        if (rest.equals("check")) {
            require(m.equals("POST"));
            CheckBody b = VaultApi.body(r, CheckBody.class);
            if (b.identity() == null || b.needsYaml() == null) {
                throw new InvalidRequestException("identity (TYPE:NAME) and needs_yaml are required.");
            }
            GovernanceService.BoundaryReport rep = g.checkBoundaryYaml(caller, identity(b.identity()), b.needsYaml());
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

    private ApiResponse exceptions(ApiRequest r, String rest, Caller caller) {
        GovernanceService g = vault.governance();
        String m = r.method();
        switch (rest) {
            case "baseline" -> {
                if (m.equals("GET")) {
                    return ok(g.baseline(caller));
                }
                require(m.equals("POST"));
                BaselineBody b = VaultApi.body(r, BaselineBody.class);
                return ok(g.setBaseline(caller, b.yaml(), b.reason()));
            }
            case "baseline/outside" -> {
                require(m.equals("GET"));
                return ok(Map.of("grants", g.outsideBaseline(caller)));
            }
            case "exceptions" -> {
                if (m.equals("GET")) {
                    return ok(Map.of("exceptions", g.exceptions(caller)));
                }
                require(m.equals("POST"));
                ExceptionBody b = VaultApi.body(r, ExceptionBody.class);
                return ok(g.addException(caller, new GovernanceService.ExceptionSpec(b.policy(), b.ruleId(), b.owner(),
                        b.reason(), instant(b.expiresAt(), "expires_at"), new GovernanceService.Controls(
                        Boolean.TRUE.equals(b.extraLogging()), hours(b.hours()),
                        Boolean.TRUE.equals(b.approvalOnUse())))));
            }
            default -> {
                String[] parts = rest.split("/");
                if (parts.length == 3 && parts[2].equals("revoke")) {
                    require(m.equals("POST"));
                    return ok(g.revokeException(caller, parts[1], VaultApi.body(r, ReasonBody.class).reason()));
                }
                if (parts.length == 3 && parts[2].equals("uses")) {
                    require(m.equals("GET"));
                    return ok(Map.of("uses", g.exceptionUses(caller, parts[1])));
                }
                throw VaultApi.unsupportedPath();
            }
        }
    }

    static Instant instant(String s, String name) {
        if (s == null || s.isBlank()) {
            throw new InvalidRequestException(name + " is required (an RFC 3339 time or a date, e.g. 2027-01-31).");
        }
        try {
            return s.length() == 10 ? LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException(name + " is an RFC 3339 time or a date, e.g. 2027-01-31.");
        }
    }

    private static PolicyConditions.TimeWindow hours(HoursBody h) {
        if (h == null) {
            return null;
        }
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        try {
            if (h.days() != null) {
                for (String d : h.days()) {
                    days.add(DayOfWeek.valueOf(d.trim().toUpperCase(Locale.ROOT)));
                }
            }
            if (h.from() == null || h.to() == null) {
                throw new InvalidRequestException("hours needs from and to (HH:MM).");
            }
            return new PolicyConditions.TimeWindow(days, LocalTime.parse(h.from()), LocalTime.parse(h.to()), h.zone());
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new InvalidRequestException("hours: days are MONDAY..SUNDAY, from and to are HH:MM.");
        }
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

    /** Service records as JSON (snake case, times as RFC 3339). */
    static final com.fasterxml.jackson.databind.ObjectMapper OUT = Dto.JSON.copy()
            .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    static ApiResponse ok(Object data) {
        return ApiResponse.ok(VaultApi.envelope(data == null ? null : OUT.valueToTree(data)));
    }

    static void require(boolean ok) {
        if (!ok) {
            throw VaultApi.methodNotAllowed();
        }
    }
}
