package dev.keyward.vault.governance;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.GovernanceService.AccessReview;
import dev.keyward.vault.api.GovernanceService.AlertLine;
import dev.keyward.vault.api.GovernanceService.AnomalySection;
import dev.keyward.vault.api.GovernanceService.RotationSection;
import dev.keyward.vault.api.GovernanceService.AuditSummary;
import dev.keyward.vault.api.GovernanceService.ComplianceReport;
import dev.keyward.vault.api.GovernanceService.Controls;
import dev.keyward.vault.api.GovernanceService.DayCount;
import dev.keyward.vault.api.GovernanceService.GrantLine;
import dev.keyward.vault.api.GovernanceService.ReportFormat;
import dev.keyward.vault.api.GovernanceService.ReviewItem;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Renders a compliance report: HTML from a Mustache template (every value escaped), the activity
 * chart as a PNG drawn with JFreeChart and embedded as a data URI, and the PDF made from that HTML
 * by openhtmltopdf with the PDF standard fonts. Nothing is fetched from anywhere.
 */
public final class ComplianceRenderer {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'",
            Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final Mustache TEMPLATE = new DefaultMustacheFactory()
            .compile("dev/keyward/vault/governance/compliance.mustache");

    private ComplianceRenderer() {
    }

    public static byte[] render(ComplianceReport r, ReportFormat format) {
        String html = html(r);
        if (format == ReportFormat.HTML) {
            return html.getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PdfRendererBuilder b = new PdfRendererBuilder();
            b.useFastMode();
            b.withHtmlContent(html, null);
            b.toStream(out);
            b.run();
        } catch (IOException e) {
            throw new IllegalStateException("the PDF could not be made", e);
        }
        return out.toByteArray();
    }

    static String html(ComplianceReport r) {
        StringWriter w = new StringWriter();
        TEMPLATE.execute(w, model(r));
        return w.toString();
    }

    static String t(Instant i) {
        return i == null ? "-" : TIME.format(i);
    }

    private static String caps(Set<Capability> c) {
        return String.join(", ", new TreeSet<>(c.stream().map(Capability::id).toList()));
    }

    private static String or(String s) {
        return s == null || s.isBlank() ? "-" : s;
    }

    static Map<String, Object> model(ComplianceReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", t(r.from()));
        m.put("to", t(r.to()));
        m.put("generatedAt", t(r.generatedAt()));
        m.put("generatedBy", or(r.generatedBy()));
        Map<String, Object> count = new LinkedHashMap<>();
        count.put("privilegeChanges", r.privilegeChanges().size());
        count.put("policyChanges", r.policyChangelog().size());
        count.put("unused", r.unusedGrants().size());
        count.put("expired", r.expiredGrants().size());
        count.put("expiring", r.expiringGrants().size());
        count.put("outside", r.outsideBaseline().size());
        count.put("exceptions", r.exceptions().size());
        count.put("reviews", r.reviews().size());
        m.put("count", count);
        m.put("activityChart", chart(r.activity()));

        List<Map<String, Object>> changes = new ArrayList<>();
        r.privilegeChanges().forEach(c -> changes.add(row("at", t(c.at()), "sequence", c.sequence(), "identity",
                or(c.identity()), "operation", c.operation(), "resource", or(c.resource()), "rationale",
                or(c.rationale()), "approval", c.approvalId() == null ? "none" : c.approvalId(), "outcome",
                c.outcome() == null ? "-" : c.outcome().toLowerCase(Locale.ROOT))));
        list(m, "privilegeChanges", changes);
        List<Map<String, Object>> log = new ArrayList<>();
        r.policyChangelog().forEach(c -> log.add(row("policy", c.policy(), "version", c.version(), "kind", c.kind(),
                "at", t(c.at()), "author", or(c.author()), "reason", or(c.reason()), "approval",
                c.approvalId() == null ? "none" : c.approvalId(), "diff", c.diff())));
        list(m, "policyChangelog", log);
        list(m, "unused", grants(r.unusedGrants()));
        list(m, "expired", grants(r.expiredGrants()));
        list(m, "expiring", grants(r.expiringGrants()));
        if (r.baseline() != null) {
            m.put("baseline", row("version", r.baseline().version(), "setAt", t(r.baseline().setAt()), "setBy",
                    or(r.baseline().setBy()), "reason", or(r.baseline().reason()), "grants", r.baseline().grants()));
        }
        List<Map<String, Object>> outside = new ArrayList<>();
        r.outsideBaseline().forEach(o -> outside.add(row("policy", o.policy(), "ruleId", o.ruleId(), "path", o.path(),
                "capabilities", caps(o.capabilities()), "status", o.status(), "statusClass",
                o.status().equals("excepted") ? "ok" : "bad", "exceptionId", or(o.exceptionId()))));
        list(m, "outside", outside);
        List<Map<String, Object>> exceptions = new ArrayList<>();
        r.exceptions().forEach(e -> exceptions.add(row("id", e.id(), "policy", e.policy(), "ruleId", e.ruleId(),
                "owner", e.owner(), "reason", e.reason(), "expiresAt", t(e.expiresAt()), "controls",
                controls(e.controls()), "uses", e.uses(), "status", e.status())));
        list(m, "exceptions", exceptions);
        List<Map<String, Object>> reviews = new ArrayList<>();
        for (AccessReview v : r.reviews()) {
            List<Map<String, Object>> items = new ArrayList<>();
            for (ReviewItem i : v.items()) {
                items.add(row("policy", i.policy(), "ruleId", i.ruleId(), "path", i.path(), "lastUsed",
                        i.lastUsed() == null ? "never" : t(i.lastUsed()), "decision", i.decision() == null
                        ? "not attested" : i.decision().name().toLowerCase(Locale.ROOT), "attestedBy",
                        or(i.attestedBy()), "reason", or(i.reason()), "outcome", or(i.outcome())));
            }
            reviews.add(row("id", v.id(), "owner", v.owner(), "openedAt", t(v.openedAt()), "openedBy", v.openedBy(),
                    "deadline", t(v.deadline()), "status", v.status(), "attested", v.attested(), "total",
                    v.items().size(), "onMissed", v.onMissed() == null ? "-" : v.onMissed().name()
                            .toLowerCase(Locale.ROOT), "items", items));
        }
        list(m, "reviews", reviews);
        List<Map<String, Object>> drills = new ArrayList<>();
        for (var d : r.drills()) {
            List<Map<String, Object>> steps = new ArrayList<>();
            d.steps().forEach(s -> steps.add(row("name", s.name(), "millis", s.millis(), "result", s.ok() ? "ok"
                    : "FAILED", "detail", or(s.detail()))));
            drills.add(row("id", d.id(), "secret", d.secret(), "startedAt", t(d.startedAt()), "startedBy",
                    or(d.startedBy()), "result", d.ok() ? "every step succeeded" : "a step FAILED", "totalMillis",
                    d.totalMillis(), "steps", steps));
        }
        list(m, "drills", drills);
        rotation(m, count, r.rotation());
        anomalies(m, count, r.anomalies());
        List<Map<String, Object>> unavailable = new ArrayList<>();
        r.unavailable().forEach(u -> unavailable.add(row("section", u.section(), "reason", u.reason())));
        m.put("unavailable", unavailable);
        AuditSummary a = r.audit();
        m.put("audit", row("verifiedText", a.verified() ? "verified" : "PROBLEMS FOUND", "verifiedClass",
                a.verified() ? "ok" : "bad", "entriesInLog", a.entriesInLog(), "entriesInPeriod", a.entriesInPeriod(),
                "firstSequence", a.firstSequence(), "lastSequence", a.lastSequence(), "headSize", a.headSize(),
                "headTime", t(a.headTime()), "headFingerprint", or(a.headFingerprint()), "includedText",
                a.periodIncluded() ? "yes: the inclusion proof of entry " + a.lastSequence() + " leads to the head's "
                        + "root" : a.entriesInPeriod() == 0 ? "no entries in the period" : "NO",
                "includedClass", a.periodIncluded() || a.entriesInPeriod() == 0 ? "ok" : "bad", "problems",
                a.problems()));
        return m;
    }

    /** Section 8: every configured rotation by status, and the period's runs. */
    private static void rotation(Map<String, Object> m, Map<String, Object> count, RotationSection rot) {
        if (rot == null) {
            return;
        }
        count.put("rotations", rot.secrets().size());
        count.put("rotationsOnSchedule", rot.count("on schedule"));
        count.put("rotationsOverdue", rot.count("overdue"));
        count.put("rotationsFailing", rot.count("failing"));
        count.put("rotationRuns", rot.runs().size());
        List<Map<String, Object>> secrets = new ArrayList<>();
        rot.secrets().forEach(s -> secrets.add(row("path", s.path(), "rotator", s.rotator(), "schedule",
                or(s.schedule()), "status", s.status(), "statusClass", s.status().equals("failing")
                        || s.status().equals("overdue") ? "bad" : "ok", "lastRunAt", t(s.lastRunAt()), "lastOutcome",
                or(s.lastOutcome()), "nextRun", t(s.nextRun()), "lastFailure", or(s.lastFailure()))));
        List<Map<String, Object>> runs = new ArrayList<>();
        rot.runs().forEach(x -> runs.add(row("path", x.path(), "id", x.id(), "trigger", x.trigger(), "reason",
                or(x.reason()), "by", or(x.by()), "state", x.state(), "startedAt", t(x.startedAt()), "version",
                x.version() == null ? "-" : "v" + x.version(), "error", x.error() == null ? "-"
                        : (x.failedStep() == null ? "" : x.failedStep() + ": ") + x.error())));
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("secrets", secrets);
        section.put("no_secrets", secrets.isEmpty());
        section.put("runs", runs);
        section.put("no_runs", runs.isEmpty());
        m.put("rotation", section);
    }

    /** Section 9: the period's alerts by severity and detector, and how each was resolved. */
    private static void anomalies(Map<String, Object> m, Map<String, Object> count, AnomalySection an) {
        if (an == null) {
            return;
        }
        count.put("alerts", an.alerts().size());
        count.put("alertsOpen", an.alerts().stream().filter(a -> a.state().equals("open")
                || a.state().equals("acknowledged")).count());
        List<Map<String, Object>> alerts = new ArrayList<>();
        an.alerts().forEach(a -> alerts.add(row("id", a.id(), "detector", a.detector(), "severity", a.severity().id(),
                "identity", or(a.identity()), "resource", or(a.resource()), "summary", a.summary(), "raisedAt",
                t(a.raisedAt()), "state", a.state(), "stateClass", a.state().equals("open") ? "bad" : "ok", "by",
                or(a.by()), "why", or(a.why()), "changedAt", t(a.changedAt()), "containment",
                a.containment().isEmpty() ? "none" : String.join("; ", a.containment()))));
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("alerts", alerts);
        section.put("no_alerts", alerts.isEmpty());
        section.put("bySeverity", counts(an.countBy(a -> a.severity().id())));
        section.put("byDetector", counts(an.countBy(AlertLine::detector)));
        section.put("byState", counts(an.countBy(AlertLine::state)));
        m.put("anomalies", section);
    }

    private static List<Map<String, Object>> counts(Map<String, Long> by) {
        List<Map<String, Object>> out = new ArrayList<>();
        by.forEach((k, v) -> out.add(row("name", k, "count", v)));
        return out;
    }

    static String controls(Controls c) {
        List<String> out = new ArrayList<>();
        if (c.extraLogging()) {
            out.add("extra logging of every use");
        }
        if (c.hours() != null) {
            out.add("only " + c.hours().from() + "-" + c.hours().to() + " " + c.hours().zone() + " on "
                    + c.hours().days().size() + " days of the week");
        }
        if (c.approvalOnUse()) {
            out.add("an approval on each use");
        }
        return out.isEmpty() ? "none" : String.join("; ", out);
    }

    private static List<Map<String, Object>> grants(List<GrantLine> gs) {
        List<Map<String, Object>> out = new ArrayList<>();
        gs.forEach(g -> out.add(row("policy", g.policy(), "ruleId", g.ruleId(), "path", g.path(), "capabilities",
                caps(g.capabilities()), "owner", or(g.owner()), "lastUsed", g.lastUsed() == null ? "never"
                        : t(g.lastUsed()), "expiresAt", t(g.expiresAt()))));
        return out;
    }

    private static void list(Map<String, Object> m, String name, List<Map<String, Object>> rows) {
        m.put(name, rows);
        m.put("no_" + name, rows.isEmpty());
    }

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Audit entries per day by decision, and privilege changes, as a PNG (base64), or null without days. */
    static String chart(List<DayCount> days) {
        if (days.isEmpty()) {
            return null;
        }
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true"); // drawn off screen; no display is needed
        }
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (DayCount d : days) {
            String day = d.day().toString().substring(5);
            data.addValue(d.allowed(), "allowed", day);
            data.addValue(d.denied(), "denied", day);
            data.addValue(d.other(), "no decision", day);
            data.addValue(d.privilegeChanges(), "privilege changes", day);
        }
        JFreeChart chart = ChartFactory.createBarChart("Audit entries per day", null, "entries", data,
                PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xC6CCD4));
        BarRenderer bars = (BarRenderer) plot.getRenderer();
        bars.setBarPainter(new StandardBarPainter());
        bars.setShadowVisible(false);
        bars.setSeriesPaint(0, new Color(0x2E7D4F));
        bars.setSeriesPaint(1, new Color(0xB03A2E));
        bars.setSeriesPaint(2, new Color(0x8892A0));
        bars.setSeriesPaint(3, new Color(0x2A5DB0));
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(png, chart, 900, 300);
        } catch (IOException e) {
            throw new IllegalStateException("the chart could not be drawn", e);
        }
        return Base64.getEncoder().encodeToString(png.toByteArray());
    }
}
