package dev.keyward.vault.audit;

import java.util.Objects;

/**
 * An event prepared for the log on the caller's thread: its canonical form with the sequence
 * number left open, so the committer only has to fill in the number. A sink that prepares
 * nothing keeps just the event.
 */
public final class AuditDraft {
    private final AuditEvent event;
    private final byte[] template;
    private final int seqAt;

    AuditDraft(AuditEvent event, byte[] template, int seqAt) {
        this.event = Objects.requireNonNull(event, "event");
        this.template = template;
        this.seqAt = seqAt;
    }

    /** A draft that prepares nothing. */
    public static AuditDraft of(AuditEvent event) {
        return new AuditDraft(event, null, -1);
    }

    public AuditEvent event() {
        return event;
    }

    /** The canonical bytes of the event logged at {@code sequence}. */
    byte[] at(long sequence) {
        return template == null ? AuditEntries.canonical(sequence, event)
                : AuditEntries.withSequence(template, seqAt, sequence);
    }

    @Override
    public String toString() {
        return "AuditDraft[" + event.operation() + "]";
    }
}
