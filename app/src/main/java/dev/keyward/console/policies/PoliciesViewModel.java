package dev.keyward.console.policies;

import dev.keyward.console.ConsoleViewModel;

/**
 * The policies screen. It shows what it will hold until the vault offers the service it needs;
 * it never shows made-up data.
 */
public final class PoliciesViewModel {
    public static final String PENDING = "Policy documents in YAML with errors shown at their line, an explain panel (can identity X do operation Y on path Z, with the deciding rule), and version history with diff and rollback. The policy service is not part of this build of the vault, so this screen has nothing to show yet; today the vault authorizes with its built-in roles.";

    private final ConsoleViewModel console;

    public PoliciesViewModel(ConsoleViewModel console) {
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
