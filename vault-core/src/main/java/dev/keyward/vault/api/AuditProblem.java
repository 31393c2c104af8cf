package dev.keyward.vault.api;

import java.util.Objects;

/**
 * One thing verification found wrong.
 *
 * @param kind     what happened
 * @param sequence the entry concerned (its sequence number), or -1 when the problem is not one entry's
 * @param detail   a sentence for the operator
 */
public record AuditProblem(Kind kind, long sequence, String detail) {
    public enum Kind {
        /** An entry's content differs from what was logged. */
        EDITED,
        /** A logged entry is missing. */
        DELETED,
        /** An entry that was never logged (or a duplicate) is present. */
        INSERTED,
        /** Logged entries are present but out of order. */
        REORDERED,
        /** Entries at the end of the log are missing. */
        TRUNCATED,
        /** A tree head's signature does not verify, its key is unknown, or it contradicts the entries. */
        FORGED_HEAD,
        /** The head recorded by the operator is not in the log. */
        RECORDED_HEAD_MISSING,
        /** The log is older than a tree head already published outside the vault (witness, HSM, a client). */
        ROLLED_BACK,
        /** The data could not be read at all (not a bundle, unreadable file). */
        MALFORMED
    }

    public AuditProblem {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
        return kind + (sequence >= 0 ? " entry " + sequence : "") + ": " + detail;
    }
}
