package dev.keyward.console.identities;

import dev.keyward.console.ConsoleViewModel;

/**
 * The identities screen. It shows what it will hold until the vault offers the service it needs;
 * it never shows made-up data.
 */
public final class IdentitiesViewModel {
    public static final String PENDING = "Operators and machine identities: create an AppRole, issue a secret_id (shown once), and list and revoke tokens. The identity service is not part of this build of the vault, so this screen has nothing to show yet.";

    private final ConsoleViewModel console;

    public IdentitiesViewModel(ConsoleViewModel console) {
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
