package dev.keyward.vault.api;

import java.util.List;

/**
 * The result of verifying the audit log (live) or an exported evidence bundle (offline).
 *
 * @param ok             true when no problem was found
 * @param entries        entries examined
 * @param bytes          canonical entry bytes hashed
 * @param headsVerified  tree heads whose signatures verified and whose roots matched the entries
 * @param latest         the latest verified head, or null
 * @param problems       what is wrong, by entry (capped; see {@code warnings})
 * @param warnings       things to know that are not failures (e.g. entries not yet covered by a head)
 */
public record AuditVerification(boolean ok, long entries, long bytes, int headsVerified, TreeHead latest,
                                List<AuditProblem> problems, List<String> warnings) {
    public AuditVerification {
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
    }
}
