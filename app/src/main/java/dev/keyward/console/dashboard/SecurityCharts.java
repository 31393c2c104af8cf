package dev.keyward.console.dashboard;

import dev.keyward.vault.api.AlertService.Alert;
import dev.keyward.vault.api.AlertService.AlertFilter;
import dev.keyward.vault.api.AlertService.ContainmentStatus;
import dev.keyward.vault.api.AlertService.Restriction;
import dev.keyward.vault.api.AuditPage;
import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.PolicyService;
import dev.keyward.vault.api.Vault;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The security dashboard's numbers, read off the FX thread: privilege usage per day (grants used vs
 * granted), anomalies per day by detector, rotation successes and failures per day (audit entries
 * {@code rotation.*}), identities by risk score, unused grants by policy. Every number remembers
 * the audit entries behind it ({@link #behind}), which is what a chart's drill-down shows.
 */
public final class SecurityCharts {
    /** Days shown. */
    public static final int DAYS = 14;
    /** Audit entries read at most for the per-day counts (newest pages first would need a reverse scan). */
    static final int MAX_ENTRIES = 20_000;

    public static final String PRIVILEGE = "privilege";
    public static final String ANOMALIES = "anomalies";
    public static final String ROTATION = "rotation";
    public static final String RISK = "risk";
    public static final String UNUSED = "unused";

    /** One chart: series name to (category to value). */
    public record Chart(String name, Map<String, Map<String, Integer>> series) {
    }

    private final Map<String, Chart> charts = new LinkedHashMap<>();
    /** chart, category (and series) to the audit sequence numbers behind it. */
    private final Map<String, List<Long>> behind = new TreeMap<>();

    private SecurityCharts() {
    }

    public Map<String, Chart> charts() {
        return charts;
    }

    /** The audit entries (by sequence) behind one bar: chart, category and series. */
    public List<Long> behind(String chart, String category, String series) {
        return behind.getOrDefault(chart + "|" + category + "|" + series, List.of());
    }

    private void count(String chart, String series, String category, int add, Long seq) {
        charts.computeIfAbsent(chart, c -> new Chart(c, new LinkedHashMap<>())).series()
                .computeIfAbsent(series, s -> new TreeMap<>()).merge(category, add, Integer::sum);
        if (seq != null) {
            behind.computeIfAbsent(chart + "|" + category + "|" + series, k -> new ArrayList<>()).add(seq);
        }
    }

    /** Reads everything the charts show. Parts the caller may not read are left empty. */
    public static SecurityCharts read(Vault vault, Caller caller, Clock clock) {
        SecurityCharts s = new SecurityCharts();
        ZoneId zone = ZoneId.systemDefault();
        Instant from = clock.instant().minus(Duration.ofDays(DAYS));
        List<AuditRecord> entries = entries(vault, caller, from);
        int granted = 0;
        try {
            for (var p : vault.policies().list(caller)) {
                if (!p.builtIn()) {
                    granted += (int) p.policy().rules().stream().filter(r -> !r.deny()).count();
                }
            }
        } catch (RuntimeException denied) {
            granted = -1;
        }
        Map<String, Set<String>> usedByDay = new TreeMap<>();
        for (AuditRecord r : entries) {
            String day = LocalDate.ofInstant(r.time(), zone).toString();
            if ("ALLOW".equals(r.decision()) && r.rule() != null && r.rule().startsWith("policy:")
                    && !r.rule().contains("policy:system.")) {
                if (usedByDay.computeIfAbsent(day, d -> new HashSet<>()).add(r.rule())) {
                    s.count(PRIVILEGE, "grants used", day, 1, null);
                }
                s.behind.computeIfAbsent(PRIVILEGE + "|" + day + "|grants used", k -> new ArrayList<>())
                        .add(r.sequence());
            }
            if (r.operation().startsWith("rotation.")) {
                boolean ok = r.operation().equals("rotation.step.finish");
                boolean failed = r.operation().equals("rotation.run.rolled-back")
                        || r.operation().equals("rotation.run.needs-attention") || "FAILURE".equals(r.outcome());
                if (ok || failed) {
                    s.count(ROTATION, ok ? "succeeded" : "failed", day, 1, r.sequence());
                }
            }
            if (r.operation().equals("containment.risk")) {
                String who = r.details().get("identity");
                if (who != null) {
                    s.behind.computeIfAbsent(RISK + "|" + who + "|risk", k -> new ArrayList<>()).add(r.sequence());
                }
            }
        }
        if (granted >= 0) {
            for (String day : usedByDay.keySet()) {
                s.count(PRIVILEGE, "grants granted", day, granted, null);
            }
        }
        try {
            for (Alert a : vault.alerts().listAlerts(caller, new AlertFilter(null, null, null, null, from, 10_000))) {
                String day = LocalDate.ofInstant(a.raisedAt(), zone).toString();
                s.count(ANOMALIES, a.detector(), day, 1, null);
                s.behind.computeIfAbsent(ANOMALIES + "|" + day + "|" + a.detector(), k -> new ArrayList<>())
                        .addAll(a.evidence());
            }
            ContainmentStatus st = vault.alerts().containmentStatus(caller);
            for (Restriction r : st.identities()) {
                String name = r.identity() == null ? r.identityId() : r.identity();
                s.count(RISK, "risk", name, r.risk(), null);
                List<Long> seqs = s.behind.remove(RISK + "|" + r.identityId() + "|risk");
                if (seqs != null) {
                    s.behind.put(RISK + "|" + name + "|risk", seqs);
                }
            }
        } catch (RuntimeException denied) {
            // no alert rights: those charts stay empty
        }
        try {
            PolicyService.EntitlementReport rep = vault.policies().entitlements(caller, Duration.ofDays(30),
                    Duration.ofDays(14));
            for (PolicyService.Grant g : rep.unused()) {
                s.count(UNUSED, "unused grants", g.policy(), 1, null);
            }
            for (AuditRecord r : entries) {
                if (r.operation().equals("policy.write") && r.resource() != null) {
                    String policy = r.resource().substring(r.resource().lastIndexOf('/') + 1);
                    s.behind.computeIfAbsent(UNUSED + "|" + policy + "|unused grants", k -> new ArrayList<>())
                            .add(r.sequence());
                }
            }
        } catch (RuntimeException denied) {
            // no entitlement rights
        }
        return s;
    }

    private static List<AuditRecord> entries(Vault vault, Caller caller, Instant from) {
        List<AuditRecord> out = new ArrayList<>();
        long after = -1;
        try {
            while (out.size() < MAX_ENTRIES) {
                AuditPage p = vault.audit().query(caller, new AuditQuery(from, null, null, null, null, null, after,
                        AuditQuery.MAX_LIMIT));
                out.addAll(p.entries());
                if (p.nextAfter() == null) {
                    break;
                }
                after = p.nextAfter();
            }
        } catch (RuntimeException denied) {
            // no audit rights: the per-day charts stay empty
        }
        return out;
    }

    /** The audit entries behind a bar, read from the log. */
    public static List<AuditRecord> entriesBehind(Vault vault, Caller caller, List<Long> sequences) {
        List<AuditRecord> out = new ArrayList<>();
        for (long seq : sequences.stream().distinct().sorted().limit(200).toList()) {
            out.addAll(vault.audit().query(caller, new AuditQuery(null, null, null, null, null, null, seq - 1, 1))
                    .entries());
        }
        return out;
    }
}
