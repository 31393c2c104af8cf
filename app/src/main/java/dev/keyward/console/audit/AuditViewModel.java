package dev.keyward.console.audit;

import dev.keyward.console.ConsoleViewModel;

/**
 * The audit screen. It shows what it will hold until the vault offers the service it needs;
 * it never shows made-up data.
 */
public final class AuditViewModel {
    public static final String PENDING = "The tamper-evident audit log: a paged table filtered by time, identity, path, operation and decision; each entry with its inclusion proof checked; Verify log with a progress bar; export of an evidence bundle; the history of signed tree heads. The audit query service is not part of this build of the vault: entries are written, but the console cannot read them yet.";

    private final ConsoleViewModel console;

    public AuditViewModel(ConsoleViewModel console) {
        this.console = console;
    }

    /** Whether the service behind this screen exists in this build. */
    public boolean available() {
        return false;
    }

    public String pendingText() {
        return PENDING;
    }

    ConsoleViewModel console() {
        return console;
    }
}
