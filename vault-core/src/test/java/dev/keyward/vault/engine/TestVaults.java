package dev.keyward.vault.engine;

import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InitRequest;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.VaultOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** Builds real vaults (real H2 files) with cheap KDF parameters, for tests. */
public final class TestVaults {
    public static final String UNSEAL = "correct horse battery staple";
    public static final String ADMIN = "admin";
    public static final String ADMIN_PASS = "admin passphrase 1";

    private TestVaults() {
    }

    public static EngineConfig config(Path home, Clock clock) {
        return EngineConfig.defaults(new VaultOptions(home, clock, Duration.ZERO));
    }

    public static Engine open(Path home) {
        return Engine.open(config(home, Clock.systemUTC()));
    }

    /** Opens, initialises and unseals a vault; returns it with an admin session. */
    public static Opened initialised(EngineConfig config) {
        Engine e = Engine.open(config);
        try (InitRequest req = new InitRequest(
                new PassphraseSealSpec(UNSEAL.toCharArray(), Argon2Parameters.insecureForTests()), ADMIN,
                ADMIN_PASS.toCharArray(), Argon2Parameters.insecureForTests())) {
            e.init(req);
        }
        unseal(e);
        Session s = e.login(ADMIN, ADMIN_PASS.toCharArray(), "test");
        return new Opened(e, s);
    }

    /** Initialises a vault with any seal (it stays sealed); returns what init hands back. */
    public static dev.keyward.vault.api.InitResult init(Engine e, dev.keyward.vault.api.SealSpec seal) {
        try (InitRequest req = new InitRequest(seal, ADMIN, ADMIN_PASS.toCharArray(),
                Argon2Parameters.insecureForTests())) {
            return e.init(req);
        }
    }

    public static Session login(Engine e) {
        return e.login(ADMIN, ADMIN_PASS.toCharArray(), "test");
    }

    public static Opened initialised(Path home) {
        return initialised(config(home, Clock.systemUTC()));
    }

    public static void unseal(Engine e) {
        e.unseal(UnsealCredential.passphrase(UNSEAL.toCharArray()), "test");
    }

    /** Every audit entry, read straight from the log (without adding an entry of its own). */
    public static java.util.List<dev.keyward.vault.api.AuditRecord> auditEntries(Engine e) {
        Unsealed k = e.unsealedKeys();
        dev.keyward.vault.audit.MerkleAuditLog log = new dev.keyward.vault.audit.MerkleAuditLog();
        java.util.List<dev.keyward.vault.api.AuditRecord> out = new java.util.ArrayList<>();
        long after = -1;
        while (true) {
            final long from = after;
            dev.keyward.vault.api.AuditPage page = e.storage().read(tx -> log.query(k.audit(), tx,
                    new dev.keyward.vault.api.AuditQuery(null, null, null, null, null, null, from, 1000)));
            out.addAll(page.entries());
            if (page.nextAfter() == null) {
                return out;
            }
            after = page.nextAfter();
        }
    }

    public record Opened(Engine engine, Session session) implements AutoCloseable {
        public Caller caller() {
            return session.caller();
        }

        @Override
        public void close() {
            engine.close();
        }
    }
}
