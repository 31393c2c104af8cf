package dev.keyward.console;

import dev.keyward.console.common.ClipboardAccess;
import dev.keyward.console.common.ConsoleConfig;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InitRequest;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.UnsealCredential;
import java.nio.file.Path;
import java.time.Clock;

/** Real consoles on real vault directories with cheap KDF parameters. */
public final class TestConsoles {
    public static final String UNSEAL = "correct horse battery staple";
    public static final String ADMIN = "admin";
    public static final String ADMIN_PASS = "admin passphrase 1";

    private TestConsoles() {
    }

    public static ConsoleConfig config(Path home, Clock clock, ClipboardAccess clipboard) {
        return new ConsoleConfig(home, clock, Argon2Parameters.insecureForTests(), () -> clipboard);
    }

    /** A console whose vault is open (not initialised). */
    public static ConsoleViewModel opened(ConsoleConfig config) {
        ConsoleViewModel c = Fx.call(() -> new ConsoleViewModel(config));
        Fx.run(c::open);
        Fx.until(() -> c.ready() || c.phase() == ConsoleViewModel.Phase.FAILED
                || c.phase() == ConsoleViewModel.Phase.IN_USE);
        return c;
    }

    /** A console with an initialised, unsealed vault and the admin logged in. */
    public static ConsoleViewModel unlocked(ConsoleConfig config) {
        ConsoleViewModel c = opened(config);
        try (InitRequest req = new InitRequest(new PassphraseSealSpec(UNSEAL.toCharArray(),
                Argon2Parameters.insecureForTests()), ADMIN, ADMIN_PASS.toCharArray(),
                Argon2Parameters.insecureForTests())) {
            c.vault().lifecycle().init(req);
        }
        try (UnsealCredential u = UnsealCredential.passphrase(UNSEAL.toCharArray())) {
            c.vault().lifecycle().unseal(u, Caller.LOCAL);
        }
        Session s = c.vault().auth().login(ADMIN, ADMIN_PASS.toCharArray(), Caller.LOCAL);
        Fx.run(() -> c.loggedIn(s));
        return c;
    }
}
