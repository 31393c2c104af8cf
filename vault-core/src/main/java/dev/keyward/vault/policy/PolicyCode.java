package dev.keyward.vault.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.IdentityService.AppRoleSpec;
import dev.keyward.vault.api.IdentityService.CertIdentitySpec;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyFileException;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.PolicyService.Change;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Policy as code: policies, roles, operator bindings and machine identities (never a secret, a
 * secret_id or a role_id) as YAML in one stable, diff-friendly form: sections and names sorted,
 * empty fields left out, durations like {@code 1h}, times in UTC. Sections absent from a file are
 * left alone by apply; a section present is made to match exactly.
 */
public final class PolicyCode {
    public static final int FORMAT = 1;

    private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private PolicyCode() {
    }

    /** A role: a named set of policies. */
    public record Role(String name, List<String> policies, String description) {
        public Role {
            policies = List.copyOf(new TreeSet<>(policies));
            description = description == null ? "" : description;
        }
    }

    /**
     * The managed state. A null section means "not managed by this file".
     */
    public record State(List<Policy> policies, List<Role> roles, Map<String, List<String>> operators,
                        List<AppRoleSpec> approles, List<CertIdentitySpec> certs) {
        public State {
            policies = policies == null ? null : policies.stream().sorted(Comparator.comparing(Policy::name)).toList();
            roles = roles == null ? null : roles.stream().sorted(Comparator.comparing(Role::name)).toList();
            operators = operators == null ? null : new TreeMap<>(operators);
            approles = approles == null ? null
                    : approles.stream().sorted(Comparator.comparing(AppRoleSpec::name)).toList();
            certs = certs == null ? null : certs.stream().sorted(Comparator.comparing(CertIdentitySpec::name)).toList();
        }
    }

    // ------------------------------------------------------------ file form

    @JsonPropertyOrder({"keyward", "policies", "roles", "operators", "approles", "certs"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FileDto(@JsonProperty(value = "keyward", required = true) Integer keyward, List<PolicyDto> policies,
                   List<RoleDto> roles, List<OperatorDto> operators, List<AppRoleDto> approles,
                   List<CertDto> certs) {
        FileDto {
            if (keyward == null || keyward != FORMAT) {
                throw new IllegalArgumentException("the file must start with 'keyward: " + FORMAT + "'");
            }
        }
    }

    @JsonPropertyOrder({"name", "description", "rules"})
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record PolicyDto(String name, String description, List<RuleDto> rules) {
        PolicyDto {
            rules = rules == null ? List.of() : rules;
            toPolicy(name, description, rules);
        }
    }

    @JsonPropertyOrder({"id", "path", "capabilities", "deny", "owner", "justification", "expires", "conditions"})
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    record RuleDto(String id, String path, List<String> capabilities, boolean deny, String owner,
                   String justification, String expires, ConditionsDto conditions) {
        RuleDto {
            PolicyRule r = toRule(id, path, capabilities, deny, owner, justification, expires, conditions);
            String missing = r.missingGrantFields();
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("the grant '" + r.id() + "' needs an owner, a justification and an"
                        + " expiry; missing: " + missing);
            }
        }
    }

    @JsonPropertyOrder({"source_cidrs", "time_window", "max_token_ttl", "justification_required",
            "approvals_required", "max_risk"})
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    record ConditionsDto(@JsonProperty("source_cidrs") List<String> sourceCidrs,
                         @JsonProperty("time_window") WindowDto timeWindow,
                         @JsonProperty("max_token_ttl") String maxTokenTtl,
                         @JsonProperty("justification_required") boolean justificationRequired,
                         @JsonProperty("approvals_required") int approvalsRequired,
                         @JsonProperty("max_risk") Integer maxRisk) {
        ConditionsDto {
            toConditions(sourceCidrs, timeWindow, maxTokenTtl, justificationRequired, approvalsRequired)
                    .withMaxRisk(maxRisk);
        }

        ConditionsDto(List<String> sourceCidrs, WindowDto timeWindow, String maxTokenTtl,
                      boolean justificationRequired, int approvalsRequired) {
            this(sourceCidrs, timeWindow, maxTokenTtl, justificationRequired, approvalsRequired, null);
        }
    }

    @JsonPropertyOrder({"days", "from", "to", "zone"})
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record WindowDto(List<String> days, String from, String to, String zone) {
        WindowDto {
            toWindow(days, from, to, zone);
        }
    }

    @JsonPropertyOrder({"name", "policies", "description"})
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record RoleDto(String name, List<String> policies, String description) {
        RoleDto {
            policies = policies == null ? List.of() : policies;
            new Role(dev.keyward.vault.api.Names.validate("role", name), policies, description);
        }
    }

    @JsonPropertyOrder({"name", "roles"})
    record OperatorDto(String name, List<String> roles) {
        OperatorDto {
            dev.keyward.vault.api.OperatorNames.validate(name);
            roles = roles == null ? List.of() : List.copyOf(new TreeSet<>(roles));
        }
    }

    @JsonPropertyOrder({"name", "owner", "description", "policies", "token_ttl", "token_max_ttl", "token_num_uses",
            "token_bound_cidrs", "secret_id_ttl", "secret_id_num_uses", "secret_id_bound_cidrs"})
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    record AppRoleDto(String name, String owner, String description, List<String> policies,
                      @JsonProperty("token_ttl") String tokenTtl, @JsonProperty("token_max_ttl") String tokenMaxTtl,
                      @JsonProperty("token_num_uses") int tokenNumUses,
                      @JsonProperty("token_bound_cidrs") List<String> tokenBoundCidrs,
                      @JsonProperty("secret_id_ttl") String secretIdTtl,
                      @JsonProperty("secret_id_num_uses") int secretIdNumUses,
                      @JsonProperty("secret_id_bound_cidrs") List<String> secretIdBoundCidrs) {
        AppRoleDto {
            toAppRole(name, owner, description, policies, tokenTtl, tokenMaxTtl, tokenNumUses, tokenBoundCidrs,
                    secretIdTtl, secretIdNumUses, secretIdBoundCidrs);
        }
    }

    @JsonPropertyOrder({"name", "owner", "description", "policies", "pinned_sha256", "ca_certificate_pem",
            "token_ttl", "token_max_ttl", "bound_cidrs"})
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record CertDto(String name, String owner, String description, List<String> policies,
                   @JsonProperty("pinned_sha256") String pinnedSha256,
                   @JsonProperty("ca_certificate_pem") String caCertificatePem,
                   @JsonProperty("token_ttl") String tokenTtl, @JsonProperty("token_max_ttl") String tokenMaxTtl,
                   @JsonProperty("bound_cidrs") List<String> boundCidrs) {
        CertDto {
            toCert(name, owner, description, policies, pinnedSha256, caCertificatePem, tokenTtl, tokenMaxTtl,
                    boundCidrs);
        }
    }

    // ------------------------------------------------------------ conversions

    static Policy toPolicy(String name, String description, List<RuleDto> rules) {
        List<PolicyRule> rs = new ArrayList<>();
        for (RuleDto r : rules) {
            rs.add(toRule(r.id(), r.path(), r.capabilities(), r.deny(), r.owner(), r.justification(), r.expires(),
                    r.conditions()));
        }
        return new Policy(name, description, rs);
    }

    static PolicyRule toRule(String id, String path, List<String> caps, boolean deny, String owner,
                             String justification, String expires, ConditionsDto c) {
        if (path == null) {
            throw new IllegalArgumentException("a rule needs a path");
        }
        Set<Capability> cs = EnumSet.noneOf(Capability.class);
        for (String s : caps == null ? List.<String>of() : caps) {
            cs.add(Capability.parse(s));
        }
        Instant exp = null;
        if (expires != null) {
            try {
                exp = Instant.parse(expires);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + expires + "' is not a UTC time like 2027-01-31T00:00:00Z");
            }
        }
        return new PolicyRule(id, path, cs, deny, c == null ? null : toConditions(c), owner, justification, exp);
    }

    static PolicyConditions toConditions(ConditionsDto c) {
        return toConditions(c.sourceCidrs(), c.timeWindow(), c.maxTokenTtl(), c.justificationRequired(),
                c.approvalsRequired()).withMaxRisk(c.maxRisk());
    }

    static PolicyConditions toConditions(List<String> cidrs, WindowDto w, String maxTtl, boolean justification,
                                         int approvals) {
        return new PolicyConditions(cidrs, w == null ? null : toWindow(w.days(), w.from(), w.to(), w.zone()),
                maxTtl == null ? null : parseDuration(maxTtl), justification, approvals);
    }

    static PolicyConditions.TimeWindow toWindow(List<String> dayNames, String from, String to, String zone) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String d : dayNames == null ? List.<String>of() : dayNames) {
            days.add(day(d));
        }
        if (from == null || to == null) {
            throw new IllegalArgumentException("a time window needs 'from' and 'to' (HH:MM)");
        }
        try {
            return new PolicyConditions.TimeWindow(days, LocalTime.parse(from), LocalTime.parse(to), zone);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("a time window's 'from' and 'to' are times like 08:00");
        }
    }

    private static DayOfWeek day(String d) {
        String s = d.trim().toUpperCase(Locale.ROOT);
        for (DayOfWeek x : DayOfWeek.values()) {
            if (x.name().startsWith(s) && s.length() >= 3) {
                return x;
            }
        }
        throw new IllegalArgumentException("'" + d + "' is not a day (mon, tue, wed, thu, fri, sat, sun)");
    }

    static AppRoleSpec toAppRole(AppRoleDto a) {
        return toAppRole(a.name(), a.owner(), a.description(), a.policies(), a.tokenTtl(), a.tokenMaxTtl(),
                a.tokenNumUses(), a.tokenBoundCidrs(), a.secretIdTtl(), a.secretIdNumUses(), a.secretIdBoundCidrs());
    }

    static AppRoleSpec toAppRole(String name, String owner, String description, List<String> policies,
                                 String tokenTtl, String tokenMaxTtl, int tokenNumUses, List<String> tokenCidrs,
                                 String secretIdTtl, int secretIdNumUses, List<String> secretIdCidrs) {
        return new AppRoleSpec(name, policies == null ? List.of() : policies, dur(tokenTtl), dur(tokenMaxTtl),
                tokenNumUses, tokenCidrs, dur(secretIdTtl), secretIdNumUses, secretIdCidrs, owner, description);
    }

    static CertIdentitySpec toCert(CertDto c) {
        return toCert(c.name(), c.owner(), c.description(), c.policies(), c.pinnedSha256(), c.caCertificatePem(),
                c.tokenTtl(), c.tokenMaxTtl(), c.boundCidrs());
    }

    static CertIdentitySpec toCert(String name, String owner, String description, List<String> policies,
                                   String pinned, String caPem, String tokenTtl, String tokenMaxTtl,
                                   List<String> cidrs) {
        return new CertIdentitySpec(name, pinned, caPem, policies == null ? List.of() : policies, dur(tokenTtl),
                dur(tokenMaxTtl), cidrs, owner, description);
    }

    private static Duration dur(String s) {
        return s == null ? null : parseDuration(s);
    }

    private static final Pattern PART = Pattern.compile("(\\d+)(d|h|m|s)");

    /** {@code 90s}, {@code 15m}, {@code 1h30m}, {@code 7d}, a number of seconds, or ISO-8601 ({@code PT1H}). */
    public static Duration parseDuration(String s) {
        String t = s.trim();
        if (t.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(t));
        }
        if (t.startsWith("P") || t.startsWith("p")) {
            try {
                return Duration.parse(t);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + s + "' is not a duration (e.g. 90s, 15m, 1h, 7d)");
            }
        }
        Matcher m = PART.matcher(t);
        Duration d = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "d" -> Duration.ofDays(n);
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            });
            end = m.end();
        }
        if (end == 0 || end != t.length()) {
            throw new IllegalArgumentException("'" + s + "' is not a duration (e.g. 90s, 15m, 1h, 7d)");
        }
        return d;
    }

    public static String formatDuration(Duration d) {
        long s = d.getSeconds();
        if (s == 0) {
            return "0s";
        }
        if (s % 86400 == 0) {
            return s / 86400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    private static String fmt(Duration d, Duration dflt) {
        return d == null || d.equals(dflt) ? null : formatDuration(d);
    }

    // ------------------------------------------------------------ to file

    static PolicyDto dto(Policy p) {
        List<RuleDto> rules = new ArrayList<>();
        for (PolicyRule r : p.rules()) {
            rules.add(dto(r));
        }
        return new PolicyDto(p.name(), p.description().isEmpty() ? null : p.description(), rules);
    }

    static RuleDto dto(PolicyRule r) {
        List<String> caps = r.capabilities().stream().sorted().map(Capability::id).toList();
        String defaultId = (r.deny() ? "deny:" : "") + r.path();
        return new RuleDto(r.id().equals(defaultId) ? null : r.id(), r.path(), caps, r.deny(), r.owner(),
                r.justification(), r.expiresAt() == null ? null : r.expiresAt().toString(),
                r.conditions().isNone() ? null : dto(r.conditions()));
    }

    static ConditionsDto dto(PolicyConditions c) {
        WindowDto w = null;
        if (c.window() != null) {
            List<String> days = c.window().days().size() == 7 ? null : c.window().days().stream().sorted()
                    .map(x -> x.name().substring(0, 3).toLowerCase(Locale.ROOT)).toList();
            w = new WindowDto(days, c.window().from().toString(), c.window().to().toString(), c.window().zone());
        }
        return new ConditionsDto(c.sourceCidrs().isEmpty() ? null : c.sourceCidrs(), w,
                c.maxTokenTtl() == null ? null : formatDuration(c.maxTokenTtl()), c.justificationRequired(),
                c.approvalsRequired(), c.maxRisk());
    }

    static AppRoleDto dto(AppRoleSpec a) {
        return new AppRoleDto(a.name(), a.owner().isEmpty() ? null : a.owner(),
                a.description().isEmpty() ? null : a.description(), a.policies().stream().sorted().toList(),
                fmt(a.tokenTtl(), Duration.ofHours(1)), fmt(a.tokenMaxTtl(), Duration.ofHours(24)), a.tokenNumUses(),
                a.tokenBoundCidrs().isEmpty() ? null : a.tokenBoundCidrs(), fmt(a.secretIdTtl(), Duration.ZERO),
                a.secretIdNumUses(), a.secretIdBoundCidrs().isEmpty() ? null : a.secretIdBoundCidrs());
    }

    static CertDto dto(CertIdentitySpec c) {
        return new CertDto(c.name(), c.owner(), c.description(), c.policies().stream().sorted().toList(),
                c.pinnedSha256(), c.caCertificatePem(), fmt(c.tokenTtl(), Duration.ofHours(1)),
                fmt(c.tokenMaxTtl(), Duration.ofHours(24)), c.boundCidrs());
    }

    public static String export(State s) {
        List<OperatorDto> ops = null;
        if (s.operators() != null) {
            ops = new ArrayList<>();
            for (Map.Entry<String, List<String>> e : s.operators().entrySet()) {
                ops.add(new OperatorDto(e.getKey(), e.getValue()));
            }
        }
        FileDto f = new FileDto(FORMAT, s.policies() == null ? null : s.policies().stream().map(PolicyCode::dto).toList(),
                s.roles() == null ? null : s.roles().stream()
                        .map(r -> new RoleDto(r.name(), r.policies(), r.description().isEmpty() ? null : r.description()))
                        .toList(),
                ops, s.approles() == null ? null : s.approles().stream().map(PolicyCode::dto).toList(),
                s.certs() == null ? null : s.certs().stream().map(PolicyCode::dto).toList());
        try {
            return YAML.writeValueAsString(f);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("policy file could not be written", e);
        }
    }

    /** Reads a file; any error names its line and column. */
    public static State parse(String yaml) {
        if (yaml == null || yaml.isBlank()) {
            throw new PolicyFileException("the file is empty", 1, 1);
        }
        FileDto f;
        try {
            f = YAML.readValue(yaml, FileDto.class);
        } catch (JsonProcessingException e) {
            throw PolicyFileErrors.of(yaml, e);
        }
        if (f == null) {
            throw new PolicyFileException("the file is empty", 1, 1);
        }
        Map<String, List<String>> ops = null;
        if (f.operators() != null) {
            ops = new LinkedHashMap<>();
            for (OperatorDto o : f.operators()) {
                ops.put(o.name(), o.roles());
            }
        }
        return new State(f.policies() == null ? null : f.policies().stream()
                .map(p -> toPolicy(p.name(), p.description(), p.rules())).toList(),
                f.roles() == null ? null : f.roles().stream().map(r -> new Role(r.name(), r.policies(), r.description()))
                        .toList(),
                ops, f.approles() == null ? null : f.approles().stream().map(PolicyCode::toAppRole).toList(),
                f.certs() == null ? null : f.certs().stream().map(PolicyCode::toCert).toList());
    }

    // ------------------------------------------------------------ diff

    /** What apply would change to turn {@code live} into {@code desired} (sections desired leaves null are skipped). */
    /**
     * The changes as people review them: "ACTION KIND NAME" and its line diff, one change after the
     * other. This is the change a policy-apply approval request records and an apply presents to the
     * gate, so a grant fits exactly the changes that were reviewed.
     */
    public static String changesText(List<Change> changes) {
        StringBuilder b = new StringBuilder();
        for (Change c : changes) {
            b.append(c.action().name().toLowerCase(java.util.Locale.ROOT)).append(' ').append(c.kind()).append(' ')
                    .append(c.name()).append('\n');
            c.diff().forEach(l -> b.append(l).append('\n'));
        }
        return b.toString();
    }

    public static List<Change> diff(State live, State desired) {
        List<Change> out = new ArrayList<>();
        if (desired.policies() != null) {
            section(out, "policy", byName(live.policies(), Policy::name), byName(desired.policies(), Policy::name),
                    p -> render(new State(List.of(p), null, null, null, null)));
        }
        if (desired.roles() != null) {
            section(out, "role", byName(live.roles(), Role::name), byName(desired.roles(), Role::name),
                    r -> render(new State(null, List.of(r), null, null, null)));
        }
        if (desired.operators() != null) {
            Map<String, List<String>> liveOps = live.operators() == null ? Map.of() : live.operators();
            for (Map.Entry<String, List<String>> e : desired.operators().entrySet()) {
                List<String> now = liveOps.get(e.getKey());
                if (now == null || !now.equals(e.getValue())) {
                    out.add(new Change("operator", e.getKey(), Change.Action.CHANGE, lineDiff(
                            now == null ? List.of() : List.of("roles: " + now), List.of("roles: " + e.getValue()))));
                }
            }
        }
        if (desired.approles() != null) {
            section(out, "approle", byName(live.approles(), AppRoleSpec::name),
                    byName(desired.approles(), AppRoleSpec::name),
                    a -> render(new State(null, null, null, List.of(a), null)));
        }
        if (desired.certs() != null) {
            section(out, "cert", byName(live.certs(), CertIdentitySpec::name),
                    byName(desired.certs(), CertIdentitySpec::name),
                    c -> render(new State(null, null, null, null, List.of(c))));
        }
        return out;
    }

    private static <T> Map<String, T> byName(List<T> items, java.util.function.Function<T, String> name) {
        Map<String, T> m = new TreeMap<>();
        if (items != null) {
            for (T t : items) {
                m.put(name.apply(t), t);
            }
        }
        return m;
    }

    private static <T> void section(List<Change> out, String kind, Map<String, T> live, Map<String, T> desired,
                                    java.util.function.Function<T, List<String>> render) {
        Set<String> names = new TreeSet<>(live.keySet());
        names.addAll(desired.keySet());
        for (String n : names) {
            T a = live.get(n);
            T b = desired.get(n);
            if (a == null) {
                out.add(new Change(kind, n, Change.Action.ADD, lineDiff(List.of(), render.apply(b))));
            } else if (b == null) {
                out.add(new Change(kind, n, Change.Action.REMOVE, lineDiff(render.apply(a), List.of())));
            } else {
                List<String> ra = render.apply(a);
                List<String> rb = render.apply(b);
                if (!ra.equals(rb)) {
                    out.add(new Change(kind, n, Change.Action.CHANGE, lineDiff(ra, rb)));
                }
            }
        }
    }

    /** One item's canonical lines (the body of its section). */
    public static List<String> render(State s) {
        List<String> lines = new ArrayList<>(List.of(export(s).split("\n")));
        lines.removeIf(l -> l.startsWith("keyward:") || l.isEmpty());
        if (!lines.isEmpty() && !lines.get(0).startsWith(" ") && !lines.get(0).startsWith("-")) {
            lines.remove(0); // the section header
        }
        return lines;
    }

    /** A minimal line diff: unchanged lines with "  ", removed with "- ", added with "+ ". */
    public static List<String> lineDiff(List<String> a, List<String> b) {
        int n = a.size();
        int m = b.size();
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < n && j < m) {
            if (a.get(i).equals(b.get(j))) {
                out.add("  " + a.get(i));
                i++;
                j++;
            } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
                out.add("- " + a.get(i++));
            } else {
                out.add("+ " + b.get(j++));
            }
        }
        while (i < n) {
            out.add("- " + a.get(i++));
        }
        while (j < m) {
            out.add("+ " + b.get(j++));
        }
        return out;
    }
}
