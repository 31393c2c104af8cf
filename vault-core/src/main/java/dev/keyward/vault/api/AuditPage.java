package dev.keyward.vault.api;

import java.util.List;

/**
 * One page of audit entries, ordered by sequence.
 *
 * @param entries   the matching entries
 * @param nextAfter pass as {@code afterSequence} for the next page, or null when there is none
 */
public record AuditPage(List<AuditRecord> entries, Long nextAfter) {
    public AuditPage {
        entries = List.copyOf(entries);
    }
}
