package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AlertService;
import dev.keyward.vault.api.AlertSeverity;
import dev.keyward.vault.api.AlertSpec;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.RotationService;
import dev.keyward.vault.api.RotationTrigger;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.GovernanceService;
import dev.keyward.vault.api.GovernanceService.ComplianceReport;
import dev.keyward.vault.api.GovernanceService.Controls;
import dev.keyward.vault.api.GovernanceService.ReportFormat;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.SecretData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A compliance report of a seeded vault, read back from the PDF's text. */
class ComplianceReportTest {
    static final Instant FROM = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant TO = Instant.parse("2026-12-01T00:00:00Z");
    static final String CANARY = "canary-report-5e4d3c2b1a";

    @TempDir
    Path dir;
    MutableClock clock;
    TestVaults.Opened vault;
    GovernanceService gov;
    String exceptionId;
    String reviewId;
    String newSource;
    String offHours;

    static PolicyRule grant(String path, String owner, Instant expires) {
        return PolicyRule.grant(path, EnumSet.of(Capability.READ), PolicyConditions.NONE, owner, "needed", expires);
    }

    private Caller admin() {
        return TestVaults.login(vault.engine()).caller();
    }

    private void at(String time) {
        clock.set(Instant.parse(time));
    }

    @BeforeEach
    void seed() {
        clock = new MutableClock(Instant.parse("2026-10-20T09:00:00Z"));
        vault = TestVaults.initialised(TestVaults.config(dir, clock));
        gov = vault.engine().governance();
        Instant far = Instant.parse("2027-06-01T00:00:00Z");
        vault.engine().policies().put(admin(), new Policy("legacy", "", List.of(grant("secret/legacy/*", "old-team",
                far))), "kept from the old setup");
        vault.engine().policies().put(admin(), new Policy("old", "", List.of(grant("secret/old/*", "old-team",
                Instant.parse("2026-11-10T00:00:00Z")))), "until the migration ends");
        vault.engine().secrets().write(admin(), "ci/app", SecretData.of(Map.of("token", CANARY)), null);
        vault.engine().secrets().write(admin(), "ci/extra", SecretData.of(Map.of("token", "x2")), null);

        at("2026-11-03T10:00:00Z");
        Caller approved = admin().withJustification("JIRA-101");
        approved = new Caller(approved.token(), approved.authMethod(), approved.sourceAddress(), "JIRA-101", "appr-7");
        vault.engine().policies().put(approved, new Policy("ci", "", List.of(grant("secret/ci/*", "ci-team",
                Instant.parse("2026-12-20T00:00:00Z")))), "the pipeline reads its config");
        vault.engine().identities().putAppRole(admin(), IdentityService.AppRoleSpec.of("robot", List.of("ci")));
        at("2026-11-04T10:00:00Z");
        gov.setBaseline(admin(), null, "November review");
        at("2026-11-05T10:00:00Z");
        vault.engine().policies().put(admin(), new Policy("ci", "", List.of(grant("secret/ci/*", "ci-team",
                Instant.parse("2026-12-20T00:00:00Z")), grant("secret/ci/extra", "ci-team",
                Instant.parse("2026-12-20T00:00:00Z")))), "incident 9 needs the extra token");
        exceptionId = gov.addException(admin(), new GovernanceService.ExceptionSpec("ci", "secret/ci/extra", "alice",
                "incident 9", Instant.parse("2026-11-30T00:00:00Z"), new Controls(true, null, false))).id();
        Caller robot = login();
        String robotId = vault.engine().whoami(robot).id();
        vault.engine().secrets().read(robot, "ci/app", 0);
        vault.engine().secrets().read(robot, "ci/extra", 0);
        seedRotations();
        seedAlerts(robotId);
        at("2026-11-10T10:00:00Z");
        reviewId = gov.openReviews(admin(), "quarterly").stream().filter(r -> r.owner().equals("ci-team"))
                .findFirst().orElseThrow().id();
        gov.attest(admin(), reviewId, "ci", "secret/ci/*", GovernanceService.Attestation.KEEP, "the pipeline runs");
        at("2026-12-02T08:00:00Z");
    }

    /**
     * Three real rotations: ci/app on schedule (a manual run finished in the period), ops/db overdue
     * (its daily window passed with the vault down), ops/hook failing (its hook refuses the set step).
     */
    private void seedRotations() {
        RotationFacade rot = (RotationFacade) vault.engine().rotation();
        rot.job().stop(); // the test's clock drives every pass
        at("2026-11-06T10:00:00Z");
        rot.configure(admin(), "ci/app", new RotationService.RotationConfig("generated", Map.of("field", "token"),
                new RotationService.RotationSchedule(Duration.ofDays(60), null, null, null, null, null), null, null,
                true, 3, Duration.ofMinutes(1), null, null, null));
        rot.rotateNow(admin(), "ci/app", RotationTrigger.MANUAL, "quarterly hygiene");
        rot.rotations().tick();
        vault.engine().secrets().write(admin(), "ops/db", SecretData.of(Map.of("password", "ops-db-value-1")), null);
        rot.configure(admin(), "ops/db", new RotationService.RotationConfig("generated", Map.of(),
                new RotationService.RotationSchedule(Duration.ofDays(1), null, null, null, Duration.ofHours(1), null),
                null, null, true, 3, Duration.ofMinutes(1), null, null, null));
        at("2026-11-07T10:00:00Z");
        vault.engine().secrets().write(admin(), "ops/hook", SecretData.of(Map.of("password", "ops-hook-value-1")),
                null);
        Path hook = dir.resolve("refusing-hook.sh");
        try {
            java.nio.file.Files.writeString(hook, "#!/bin/sh\ncat > /dev/null\n[ \"$1\" = set ] && exit 3\nexit 0\n");
            java.nio.file.Files.setPosixFilePermissions(hook, java.nio.file.attribute.PosixFilePermissions
                    .fromString("rwx------"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        rot.configure(admin(), "ops/hook", new RotationService.RotationConfig("hook", Map.of("command",
                hook.toString()), null, null, null, true, 3, Duration.ofMinutes(1), null, null, null));
        rot.rotateNow(admin(), "ops/hook", RotationTrigger.MANUAL, "password older than a year");
        rot.rotations().tick();
        assertEquals("rolled-back", rot.history(admin(), "ops/hook", 1).get(0).state());
    }

    /** Two real alerts about the robot: one resolved (its containment applied), one a false positive. */
    private void seedAlerts(String robotId) {
        at("2026-11-08T10:00:00Z");
        AlertService alerts = vault.engine().alerts();
        newSource = alerts.raise(admin(), new AlertSpec("new-source", AlertSeverity.HIGH, "robot", "secret/ci/app",
                "robot was used from 198.51.100.7, an address it never used.", List.of(), Map.of("identity_id",
                robotId, "source", "198.51.100.7")));
        offHours = alerts.raise(admin(), new AlertSpec("off-hours", AlertSeverity.MEDIUM, "robot", null,
                "robot was active at 03:00 UTC, outside its hours.", List.of(), Map.of("identity_id", robotId)));
        settle();
        at("2026-11-09T10:00:00Z");
        alerts.resolve(admin(), newSource, "secret_id rotated after the laptop was lost");
        alerts.markFalsePositive(admin(), offHours, "planned maintenance window");
        settle();
    }

    private void settle() {
        var log = TestVaults.auditEntries(vault.engine());
        try {
            assertTrue(vault.engine().alertDesk().settle(log.get(log.size() - 1).sequence(), Duration.ofSeconds(20)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Caller login() {
        String roleId = vault.engine().identities().roleId(admin(), "robot");
        String secretId = vault.engine().identities().issueSecretId(admin(), "robot",
                IdentityService.SecretIdSpec.defaults()).secretId();
        return vault.engine().loginAppRole(roleId, secretId, "127.0.0.1").caller();
    }

    @AfterEach
    void tearDown() {
        vault.close();
    }

    static String text(byte[] pdf) throws Exception {
        try (PDDocument d = Loader.loadPDF(pdf)) {
            return new PDFTextStripper().getText(d).replaceAll("\\s+", " ");
        }
    }

    /** Table cells wrap where the PDF's column ends: compare rows without white space. */
    static boolean row(String text, String expected) {
        return text.replace(" ", "").contains(expected.replace(" ", ""));
    }

    @Test
    void thePdfNamesEachSectionsFigures() throws Exception {
        ComplianceReport r = gov.complianceReport(admin(), FROM, TO);
        byte[] pdf = gov.renderComplianceReport(r, ReportFormat.PDF);
        java.nio.file.Files.write(Path.of("target", "compliance-report-sample.pdf"), pdf); // for people to look at
        String t = text(pdf);

        long inPeriod = TestVaults.auditEntries(vault.engine()).stream()
                .filter(e -> !e.time().isBefore(FROM) && e.time().isBefore(TO)).count();
        assertTrue(t.contains("Period 2026-11-01 00:00:00 UTC to 2026-12-01 00:00:00 UTC"), t);
        assertTrue(t.contains("Privilege changes 5 "), "ci v1, approle robot, baseline, ci v2, exception: " + t);
        assertTrue(t.contains("Policy versions made 2 "), t);
        assertTrue(t.contains("Grants unused in the period 1 "), t);
        assertTrue(t.contains("Expired grants 1 "), t);
        assertTrue(t.contains("Grants expiring within 30 days 2 "), t);
        assertTrue(t.contains("Exceptions 1 "), t);
        assertTrue(t.contains("Access reviews 2 "), t);
        assertTrue(t.contains("Audit entries in the period " + inPeriod + " "), inPeriod + ": " + t);

        // 1 and 2: the change with its rationale and approval, and the changelog with the diff.
        assertTrue(row(t, "the pipeline reads its config (justification: JIRA-101) appr-7"), t);
        assertTrue(row(t, "ci v1 created 2026-11-03 10:00:00 UTC admin the pipeline reads its config appr-7"), t);
        assertTrue(row(t, "ci v2 changed 2026-11-05 10:00:00 UTC admin incident 9 needs the extra token none"), t);
        assertTrue(row(t, "+ secret/ci/extra [read] until 2026-12-20T00:00:00Z"), t);
        // 3 and 4
        assertTrue(row(t, "legacy#secret/legacy/* secret/legacy/* read old-team never"), t);
        assertTrue(row(t, "old#secret/old/* secret/old/* old-team 2026-11-10 00:00:00 UTC"), t);
        // 5
        assertTrue(row(t, "Baseline version 1, recorded 2026-11-04 10:00:00 UTC by admin: November review"), t);
        assertTrue(row(t, "ci#secret/ci/extra secret/ci/extra read expired " + exceptionId),
                "at the period's end the exception had expired: " + t);
        assertTrue(row(t, exceptionId + " ci#secret/ci/extra alice incident 9 2026-11-30 00:00:00 UTC extra "
                + "logging of every use 1 expired"), t);
        // 6
        assertTrue(row(t, "Review " + reviewId + " of ci-team"), t);
        assertTrue(row(t, "1 of 2 grants attested"), t);
        assertTrue(row(t, "keep admin the pipeline runs kept"), t);
        // 8: rotation status from the rotation service
        assertTrue(t.contains("Rotations configured 3 "), t);
        assertTrue(t.contains("Rotations on schedule 1 "), t);
        assertTrue(t.contains("Rotations overdue 1 "), t);
        assertTrue(t.contains("Rotations failing 1 "), t);
        assertTrue(t.contains("Rotation runs in the period 3 "), "ci/app, ops/db's one slot, ops/hook: " + t);
        assertTrue(row(t, "ci/app generated every 60d window 1h on schedule 2026-11-06 10:00:00 UTC finished"
                + " 2027-01-05 10:00:00 UTC"), t);
        assertTrue(row(t, "ops/db generated every 1d window 1h overdue 2026-11-07 10:00:00 UTC finished"), t);
        assertTrue(row(t, "ops/hook hook by trigger only failing 2026-11-07 10:00:00 UTC rolled-back"), t);
        assertTrue(row(t, "step set: "), "the last failure's reason: " + t);
        assertTrue(t.contains("status 3"), t);
        assertTrue(row(t, "2026-11-06 10:00:00 UTC ci/app"), t);
        assertTrue(row(t, "manual quarterly hygiene admin finished v2"), t);
        assertTrue(row(t, "ops/db"), t);
        assertTrue(row(t, "schedule scheduled system:rotation finished v2"), t);
        assertTrue(row(t, "manual password older than a year admin rolled-back - set: "), t);
        // 9: the period's alerts from the alert service, by severity and detector, and how each was resolved
        List<AlertService.Alert> raised = vault.engine().alerts().listAlerts(admin(), AlertService.AlertFilter.all())
                .stream().filter(a -> !a.raisedAt().isBefore(FROM) && a.raisedAt().isBefore(TO)).toList();
        assertTrue(raised.size() >= 2, "the detectors add their own (privilege-escalation of ci v2)");
        long high = raised.stream().filter(a -> a.severity() == AlertSeverity.HIGH).count();
        long medium = raised.stream().filter(a -> a.severity() == AlertSeverity.MEDIUM).count();
        assertTrue(t.contains("Alerts raised in the period " + raised.size() + " "), t);
        assertTrue(row(t, "By severity: high " + high + "; medium " + medium + "; by detector: "), t);
        assertTrue(row(t, "new-source 1; off-hours 1;"), t);
        assertTrue(row(t, "by state: false-positive 1;"), t);
        assertTrue(row(t, "resolved 1;"), t);
        assertTrue(row(t, newSource + " new-source high robot secret/ci/app resolved admin secret_id rotated after"
                + " the laptop was lost revoke-tokens: applied"), t);
        assertTrue(row(t, "risk: applied (risk raised {risk_added=50})"), t);
        assertTrue(row(t, offHours + " off-hours medium robot - false-positive admin planned maintenance window none"),
                t);
        assertFalse(t.contains("Not available"), "every section is filled: " + t);
        assertFalse(t.contains("ops-db-value-1") || t.contains("ops-hook-value-1"), "no value");
        // audit verification
        String fp = vault.engine().audit().latestHead(admin()).fingerprint();
        assertTrue(t.contains("Live log recomputed verified"), t);
        assertTrue(t.contains(r.audit().headFingerprint()), t);
        assertTrue(r.audit().periodIncluded());
        assertTrue(t.contains("Period included in the head yes: the inclusion proof of entry " + r.audit().lastSequence()),
                t);
        assertTrue(vault.engine().audit().heads(admin(), 0, 1000).stream().anyMatch(h -> h.fingerprint()
                .equals(r.audit().headFingerprint())), fp);
        assertFalse(t.contains(CANARY), "no secret value in a report");

        try (PDDocument d = Loader.loadPDF(pdf)) {
            boolean image = false;
            for (var page : d.getPages()) {
                for (var name : page.getResources().getXObjectNames()) {
                    image |= page.getResources().getXObject(name) instanceof PDImageXObject;
                }
            }
            assertTrue(image, "the activity chart is an image in the PDF");
        }
    }

    @Test
    void theHtmlIsSelfContainedAndEscapesWhatItShows() {
        vault.engine().policies().put(admin(), new Policy("odd", "", List.of(grant("secret/odd/*", "<script>x</script>",
                Instant.parse("2027-01-01T00:00:00Z")))), "a reason with <b>markup</b> & quotes\"");
        clock.advance(Duration.ofMinutes(1));
        ComplianceReport r = gov.complianceReport(admin(), FROM, Instant.parse("2026-12-03T00:00:00Z"));
        String html = new String(gov.renderComplianceReport(r, ReportFormat.HTML), StandardCharsets.UTF_8);
        assertTrue(html.contains("<img src=\"data:image/png;base64,"));
        assertFalse(html.matches("(?s).*(src|href)=\"(https?:|//).*"), "nothing remote");
        assertTrue(html.contains("&lt;b&gt;markup&lt;/b&gt; &amp; quotes"), html);
        assertFalse(html.contains("<script>"));
        assertFalse(html.contains(CANARY));
    }

    @Test
    void anAuditorsReportHasTheRotationAndAnomalySectionsToo() {
        vault.engine().identities().createOperator(admin(), "audrey", "audrey passphrase 1".toCharArray(),
                List.of("auditor"));
        Caller auditor = vault.engine().login("audrey", "audrey passphrase 1".toCharArray(), "test").caller();
        ComplianceReport r = gov.complianceReport(auditor, FROM, TO);
        assertEquals(List.of(), r.unavailable());
        assertEquals(3, r.rotation().secrets().size());
        assertEquals(1, r.rotation().count("failing"));
        assertTrue(r.anomalies().alerts().stream().anyMatch(a -> a.id().equals(offHours)
                && a.state().equals("false-positive") && a.why().equals("planned maintenance window")));
    }

    @Test
    void aReportNeedsAPeriodAndTheRightToReadTheAuditLog() {
        assertThrows(InvalidRequestException.class, () -> gov.complianceReport(admin(), TO, FROM));
        Caller robot = login();
        assertThrows(dev.keyward.vault.api.AccessDeniedException.class, () -> gov.complianceReport(robot, FROM, TO));
    }
}
