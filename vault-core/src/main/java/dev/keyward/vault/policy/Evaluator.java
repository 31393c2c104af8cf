package dev.keyward.vault.policy;

import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.Cidrs;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The one policy evaluator: enforcement and explain both call {@link #evaluate}. Default deny; a
 * deny rule whose conditions hold always wins; otherwise a grant that is unexpired and whose
 * conditions all hold allows (the most specific such grant is named as the deciding rule).
 */
public final class Evaluator {

    /** Names of conditions as reported in explanations and audit reasons. */
    public static final String EXPIRED = "expired";
    public static final String SOURCE_CIDR = "source-cidr";
    public static final String TIME_WINDOW = "time-window";
    public static final String MAX_TOKEN_TTL = "max-token-ttl";
    public static final String JUSTIFICATION = "justification-required";
    public static final String APPROVALS = "approvals-required";
    public static final String MAX_RISK = "max-risk";

    /**
     * One question to the evaluator.
     *
     * @param resource      the policy path, e.g. {@code secret/team/db}
     * @param anyOf         capabilities, any one of which suffices
     * @param source        the caller's address
     * @param now           the vault's clock
     * @param justification the call's justification, or null
     * @param approvals     approvals verified for the call (0 until the approval flow exists)
     * @param tokenMaxTtl   the token's max lifetime, looked up only when a rule asks
     */
    public record Request(String resource, Set<Capability> anyOf, String source, Instant now, String justification,
                          int approvals, Supplier<Duration> tokenMaxTtl, java.util.function.IntSupplier risk) {
        public Request {
            risk = risk == null ? () -> 0 : risk;
        }

        /** A request for an identity at risk 0 (explain, background jobs). */
        public Request(String resource, Set<Capability> anyOf, String source, Instant now, String justification,
                       int approvals, Supplier<Duration> tokenMaxTtl) {
            this(resource, anyOf, source, now, justification, approvals, tokenMaxTtl, null);
        }
    }

    /** The answer: which rule decided, and the condition that kept a grant from applying. */
    public record Outcome(boolean allowed, String policy, int version, String ruleId, String failedCondition,
                          String reason, String unmetRule) {
        /** The rule reference written to the audit log. */
        public String ruleRef() {
            if (policy != null) {
                return ref(policy, version, ruleId);
            }
            return unmetRule == null ? "default-deny" : "default-deny; unmet " + unmetRule + " " + failedCondition;
        }
    }

    public static String ref(String policy, int version, String ruleId) {
        return "policy:" + policy + "@v" + version + "#" + ruleId;
    }

    /** A compiled set of policies (immutable, shareable between threads). */
    public static final class Compiled {
        private final RuleIndex index = new RuleIndex();
        private final List<String> names = new ArrayList<>();

        public Compiled(List<Versioned> policies) {
            int order = 0;
            for (Versioned v : policies) {
                names.add(v.policy().name());
                for (PolicyRule r : v.policy().rules()) {
                    index.add(new RuleIndex.Entry(v.policy().name(), v.version(), r, order++));
                }
            }
        }

        public List<String> names() {
            return List.copyOf(names);
        }

        public int rules() {
            return index.size();
        }
    }

    /** A policy with its version. */
    public record Versioned(Policy policy, int version) {
    }

    private Evaluator() {
    }

    public static Outcome evaluate(Compiled set, Request req) {
        List<RuleIndex.Entry> matched = new ArrayList<>();
        set.index.match(req.resource(), e -> {
            for (Capability c : req.anyOf()) {
                if (e.rule().capabilities().contains(c)) {
                    matched.add(e);
                    return;
                }
            }
        });
        if (matched.isEmpty()) {
            return new Outcome(false, null, 0, null, null, "no rule grants " + names(req.anyOf()) + " on "
                    + req.resource(), null);
        }
        if (matched.size() > 1) {
            matched.sort((a, b) -> Integer.compare(a.order(), b.order()));
        }
        for (RuleIndex.Entry e : matched) {
            if (e.rule().deny() && failedCondition(e.rule(), req) == null) {
                return new Outcome(false, e.policy(), e.version(), e.rule().id(), null,
                        "denied by rule '" + e.rule().id() + "' of policy " + e.policy(), null);
            }
        }
        RuleIndex.Entry best = null;
        String firstFailure = null;
        RuleIndex.Entry failedRule = null;
        for (RuleIndex.Entry e : matched) {
            if (e.rule().deny()) {
                continue;
            }
            String failed = failedCondition(e.rule(), req);
            if (failed != null) {
                if (firstFailure == null) {
                    firstFailure = failed;
                    failedRule = e;
                }
                continue;
            }
            if (best == null || specificity(e.rule().path()) > specificity(best.rule().path())) {
                best = e;
            }
        }
        if (best != null) {
            return new Outcome(true, best.policy(), best.version(), best.rule().id(), null, "allowed", null);
        }
        if (failedRule != null) {
            return new Outcome(false, null, 0, null, firstFailure, "the grant '" + failedRule.rule().id()
                    + "' of policy " + failedRule.policy() + " matches but its condition " + firstFailure
                    + " does not hold", ref(failedRule.policy(), failedRule.version(), failedRule.rule().id()));
        }
        return new Outcome(false, null, 0, null, null, "no rule grants " + names(req.anyOf()) + " on "
                + req.resource(), null);
    }

    private static String names(Set<Capability> caps) {
        return caps.stream().map(Capability::id).sorted().reduce((a, b) -> a + " or " + b).orElse("");
    }

    /** Literal characters count most, then '+' segments; a trailing '*' counts least. */
    static int specificity(String pattern) {
        int score = 0;
        for (String s : pattern.split("/", -1)) {
            score += s.equals("+") ? 1 : s.replace("*", "").length() * 4;
        }
        return pattern.endsWith("*") ? score * 2 : score * 2 + 1;
    }

    /** The first condition of a rule that does not hold, or null when all hold. */
    static String failedCondition(PolicyRule r, Request req) {
        if (!r.deny() && r.expiresAt() != null && !req.now().isBefore(r.expiresAt())) {
            return EXPIRED;
        }
        PolicyConditions c = r.conditions();
        if (!c.sourceCidrs().isEmpty() && !Cidrs.allows(c.sourceCidrs(), req.source())) {
            return SOURCE_CIDR;
        }
        if (c.window() != null && !inWindow(c.window(), req.now())) {
            return TIME_WINDOW;
        }
        if (c.maxTokenTtl() != null) {
            Duration t = req.tokenMaxTtl().get();
            if (t == null || t.compareTo(c.maxTokenTtl()) > 0) {
                return MAX_TOKEN_TTL;
            }
        }
        if (c.justificationRequired() && (req.justification() == null || req.justification().isBlank())) {
            return JUSTIFICATION;
        }
        if (c.approvalsRequired() > 0 && req.approvals() < c.approvalsRequired()) {
            return APPROVALS;
        }
        if (c.maxRisk() != null && req.risk().getAsInt() > c.maxRisk()) {
            return MAX_RISK;
        }
        return null;
    }

    static boolean inWindow(PolicyConditions.TimeWindow w, Instant now) {
        ZonedDateTime t = now.atZone(ZoneId.of(w.zone()));
        LocalTime time = t.toLocalTime();
        if (w.from().isBefore(w.to())) {
            return w.days().contains(t.getDayOfWeek()) && !time.isBefore(w.from()) && time.isBefore(w.to());
        }
        // Past midnight: the part after 'from' belongs to today, the part before 'to' to yesterday.
        if (!time.isBefore(w.from())) {
            return w.days().contains(t.getDayOfWeek());
        }
        return time.isBefore(w.to()) && w.days().contains(t.getDayOfWeek().minus(1));
    }
}
