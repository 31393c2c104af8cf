package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.Caller;
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
        vault.engine().secrets().read(robot, "ci/app", 0);
        vault.engine().secrets().read(robot, "ci/extra", 0);
        at("2026-11-10T10:00:00Z");
        reviewId = gov.openReviews(admin(), "quarterly").stream().filter(r -> r.owner().equals("ci-team"))
                .findFirst().orElseThrow().id();
        gov.attest(admin(), reviewId, "ci", "secret/ci/*", GovernanceService.Attestation.KEEP, "the pipeline runs");
        at("2026-12-02T08:00:00Z");
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
        // rotation and anomalies: said plainly until those services exist
        assertTrue(t.contains("Rotation status Not available: the rotation service is not part of this vault yet"), t);
        assertTrue(t.contains("Anomalies Not available"), t);
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
    void aReportNeedsAPeriodAndTheRightToReadTheAuditLog() {
        assertThrows(InvalidRequestException.class, () -> gov.complianceReport(admin(), TO, FROM));
        Caller robot = login();
        assertThrows(dev.keyward.vault.api.AccessDeniedException.class, () -> gov.complianceReport(robot, FROM, TO));
    }
}
