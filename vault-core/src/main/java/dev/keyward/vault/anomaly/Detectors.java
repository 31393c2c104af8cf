package dev.keyward.vault.anomaly;

import dev.keyward.vault.api.AlertSeverity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The detectors by name, with their default severity and the runbook text every alert of theirs
 * carries. Alerts raised by other features ({@code rotation.needs-attention}, {@code break-glass},
 * {@code access-review.missed}) have runbooks here too; any other name raised through the service
 * gets the generic one.
 */
public final class Detectors {
    public static final String NEW_SOURCE = "new-source";
    public static final String OFF_HOURS = "off-hours";
    public static final String BURST = "burst";
    public static final String FIRST_READ = "first-read";
    public static final String AUTH_FAILURES = "auth-failures";
    public static final String SOURCE_AUTH_FAILURES = "source-auth-failures";
    public static final String RETIRED_CREDENTIAL = "retired-credential";
    public static final String TOKEN_LIFETIME = "token-lifetime";
    public static final String PRIVILEGE_ESCALATION = "privilege-escalation";
    public static final String ENUMERATION = "enumeration";
    public static final String CONCURRENT_SOURCES = "concurrent-sources";

    public static final String ROTATION_NEEDS_ATTENTION = "rotation.needs-attention";
    public static final String BREAK_GLASS = "break-glass";
    public static final String ACCESS_REVIEW_MISSED = "access-review.missed";

    /** What each detector is, in order: default severity and runbook. */
    public record Info(String name, AlertSeverity severity, String runbook) {
    }

    private static final Map<String, Info> DETECTORS = new LinkedHashMap<>();
    private static final Map<String, Info> RAISED = new LinkedHashMap<>();

    static {
        add(DETECTORS, NEW_SOURCE, AlertSeverity.HIGH, "The identity was used from an address it never used before."
                + " Ask its owner whether the pipeline or person moved. If not, treat its credentials as stolen:"
                + " revoke its tokens (containment may have done so), issue a new secret_id, revoke the old one,"
                + " and rotate the secrets it read since.");
        add(DETECTORS, OFF_HOURS, AlertSeverity.MEDIUM, "The identity was active at an hour or on a day it never"
                + " was. Confirm with its owner; a person working late is a false positive (mark it so), a pipeline"
                + " running off schedule is worth a look at what started it.");
        add(DETECTORS, BURST, AlertSeverity.MEDIUM, "The identity made far more requests in a minute than it ever"
                + " did. Check the evidence for what it read; a runaway loop is a bug, a scrape is an incident.");
        add(DETECTORS, FIRST_READ, AlertSeverity.MEDIUM, "The identity read a secret (or a folder) it never read"
                + " before. Check that its grant is meant to reach the path; narrow the policy if not.");
        add(DETECTORS, AUTH_FAILURES, AlertSeverity.MEDIUM, "A streak of failed authentications for one identity."
                + " Containment puts the identity in read-only mode (fail safe). Find the client with a wrong or"
                + " old credential; if nobody owns the attempts, rotate the identity's credentials. Undo the"
                + " read-only mode when done.");
        add(DETECTORS, SOURCE_AUTH_FAILURES, AlertSeverity.HIGH, "Many failed authentications from one address"
                + " (possibly guessing across identities). Find the host; block it at the network if it is not"
                + " yours.");
        add(DETECTORS, RETIRED_CREDENTIAL, AlertSeverity.HIGH, "A credential that was revoked, expired or rotated"
                + " out was presented again (an old token or secret_id, or a previous secret version after a"
                + " rotation). Whoever holds it kept a copy: find where it is stored and remove it; rotate what it"
                + " reached.");
        add(DETECTORS, TOKEN_LIFETIME, AlertSeverity.MEDIUM, "A token lived or was renewed far longer than this"
                + " identity's tokens ever were. A long-lived renewed token is a stolen token's habit: revoke it"
                + " and shorten the role's max TTL.");
        add(DETECTORS, PRIVILEGE_ESCALATION, AlertSeverity.HIGH, "A change widened what an identity may do (a policy,"
                + " role, AppRole or operator change), or an elevation started without an approval. Check the"
                + " change against a request; roll the policy back if there is none.");
        add(DETECTORS, ENUMERATION, AlertSeverity.HIGH, "The identity listed or read many paths in a short time,"
                + " far beyond its habit: a sweep. Containment raises its risk score; check what it read and"
                + " rotate those secrets if the sweep was not expected.");
        add(DETECTORS, CONCURRENT_SOURCES, AlertSeverity.HIGH, "One token was used from two addresses at once: it"
                + " has been copied. Its tokens are revoked by containment; find both hosts.");
        add(RAISED, ROTATION_NEEDS_ATTENTION, AlertSeverity.HIGH, "A rotation could not finish and was rolled back"
                + " or stopped. Open the rotation's history for the failed step, fix the target, and rotate again.");
        add(RAISED, BREAK_GLASS, AlertSeverity.CRITICAL, "Someone used break-glass access. Confirm the emergency with"
                + " them, review everything done under it in the audit log, and close the grant.");
        add(RAISED, ACCESS_REVIEW_MISSED, AlertSeverity.MEDIUM, "An access review passed its deadline without an"
                + " attestation. Review the grant now or let it expire.");
    }

    private static void add(Map<String, Info> to, String name, AlertSeverity s, String runbook) {
        to.put(name, new Info(name, s, runbook));
    }

    private Detectors() {
    }

    /** The anomaly detectors (configurable in the detector configuration). */
    public static List<String> names() {
        return List.copyOf(DETECTORS.keySet());
    }

    public static boolean isDetector(String name) {
        return DETECTORS.containsKey(name);
    }

    /** The detector's or raised alert kind's info; a generic one for other names. */
    public static Info info(String name) {
        Info i = DETECTORS.get(name);
        if (i == null) {
            i = RAISED.get(name);
        }
        return i != null ? i : new Info(name, AlertSeverity.MEDIUM, "Raised by another feature of the vault. Read"
                + " the summary and the audit entries behind it, and follow that feature's documentation.");
    }

    /** Alert kinds other features raise that containment may also be configured for. */
    public static Set<String> raisedKinds() {
        return RAISED.keySet();
    }
}
