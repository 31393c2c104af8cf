package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuditProblem;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.RollbackDetectedException;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.VaultOptions;
import dev.keyward.vault.testing.SoftHsm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An older copy of the whole vault directory restored over the newer one: everything inside is
 * consistently older, so only what was published outside it can tell. Each signed head goes to
 * the operator's witness file (and the HSM, for an HSM seal); unseal refuses a log older than the
 * newest published head unless the rollback is accepted on purpose, which is audited and becomes
 * the new baseline; live verification reports it too.
 */
class RollbackTest {
    @TempDir
    Path tmp;

    private Path home() {
        return tmp.resolve("vault");
    }

    private Path witness() {
        return tmp.resolve("elsewhere/witness.jsonl");
    }

    private EngineConfig config(boolean acceptRollback) {
        return EngineConfig.defaults(new VaultOptions(home(), Clock.systemUTC(), Duration.ZERO)
                .withWitnessFile(witness()).withAcceptRollback(acceptRollback));
    }

    private static void writes(Engine e, Caller c, String prefix, int n) {
        for (int i = 0; i < n; i++) {
            e.secrets().write(c, "app/" + prefix + i, SecretData.of(Map.of("v", prefix + i)), null);
        }
        e.audit().issueHead(c);
    }

    static void copy(Path from, Path to) throws IOException {
        RollbackTestFiles.copy(from, to);
    }

    static void delete(Path dir) throws IOException {
        RollbackTestFiles.delete(dir);
    }

    /** Writes, a copy of the closed directory, more writes; returns the copy. */
    private Path olderCopyThenMoreWrites(EngineConfig cfg, Runnable unseal) throws IOException {
        try (Engine e = Engine.open(cfg)) {
            if (!e.status().initialized()) {
                TestVaults.init(e, new dev.keyward.vault.api.PassphraseSealSpec(TestVaults.UNSEAL.toCharArray(),
                        dev.keyward.vault.api.Argon2Parameters.insecureForTests()));
            }
        }
        try (Engine e = Engine.open(cfg)) {
            unsealWith(e, unseal);
            writes(e, TestVaults.login(e).caller(), "old", 3);
        }
        Path old = tmp.resolve("old-copy");
        copy(home(), old);
        try (Engine e = Engine.open(cfg)) {
            unsealWith(e, unseal);
            writes(e, TestVaults.login(e).caller(), "new", 5);
        }
        return old;
    }

    private static void unsealWith(Engine e, Runnable unseal) {
        if (unseal == null) {
            TestVaults.unseal(e);
        } else {
            unseal.run();
        }
    }

    private void restore(Path old) throws IOException {
        delete(home());
        copy(old, home());
    }

    @Test
    void unsealRefusesADirectoryOlderThanTheWitnessAndAcceptingItIsAuditedAndTheNewBaseline() throws Exception {
        Path old = olderCopyThenMoreWrites(config(false), null);
        List<String> published = Files.readAllLines(witness(), StandardCharsets.UTF_8);
        assertTrue(published.size() >= 2, "every head was published: " + published);
        restore(old);

        try (Engine e = Engine.open(config(false))) {
            RollbackDetectedException r = assertThrows(RollbackDetectedException.class, () -> TestVaults.unseal(e));
            assertTrue(r.getMessage().contains(witness().toString()) && r.getMessage().contains("older"),
                    r.getMessage());
            assertTrue(e.status().sealed(), "refused: still sealed");
            // Not a wrong credential: no backoff builds up.
            assertThrows(RollbackDetectedException.class, () -> TestVaults.unseal(e));
            assertThrows(RollbackDetectedException.class, () -> TestVaults.unseal(e));
            assertThrows(RollbackDetectedException.class, () -> TestVaults.unseal(e));
        }
        try (Engine e = Engine.open(config(true))) {
            TestVaults.unseal(e);
            Caller c = TestVaults.login(e).caller();
            assertThrows(dev.keyward.vault.api.NotFoundException.class, () -> e.secrets().read(c, "app/new0", 0),
                    "the restored copy is the older state");
            AuditRecord accepted = TestVaults.auditEntries(e).stream()
                    .filter(a -> a.operation().equals("audit.rollback.accept")).findFirst().orElseThrow();
            assertTrue(accepted.details().get("publishedTo").contains(witness().toString()), accepted.toString());
            assertTrue(Long.parseLong(accepted.details().get("publishedSize"))
                    > Long.parseLong(accepted.details().get("logSize")), accepted.toString());
            assertTrue(e.audit().verify(c, null, null).ok());
        }
        // The accepted state is the baseline now: a plain unseal works again.
        try (Engine e = Engine.open(config(false))) {
            TestVaults.unseal(e);
            assertFalse(e.status().sealed());
        }
    }

    @Test
    void liveVerificationReportsALogOlderThanThePublishedHead() throws Exception {
        Path old = olderCopyThenMoreWrites(config(false), null);
        byte[] newerWitness = Files.readAllBytes(witness());
        restore(old);
        try (Engine e = Engine.open(config(true))) {
            TestVaults.unseal(e);
            Caller c = TestVaults.login(e).caller();
            assertTrue(e.audit().verify(c, null, null).ok());
            // The newer state's heads reach the witness again (another host, a delayed copy): verify says so.
            Files.write(witness(), newerWitness);
            AuditVerification v = e.audit().verify(c, null, null);
            assertFalse(v.ok());
            assertTrue(v.problems().stream().anyMatch(p -> p.kind() == AuditProblem.Kind.ROLLED_BACK),
                    v.problems().toString());
        }
    }

    @Test
    void anHsmSealedVaultKeepsTheNewestHeadOnTheTokenAndRefusesAnOlderDirectory() throws Exception {
        SoftHsm hsm = SoftHsm.get();
        EngineConfig cfg = TestVaults.config(home(), Clock.systemUTC()); // no witness file: the HSM alone
        var spec = hsm.spec(SoftHsm.MAIN, SoftHsm.uniqueLabel());
        try (Engine e = Engine.open(cfg)) {
            TestVaults.init(e, spec);
        }
        Runnable noop = () -> { };
        Path old;
        try (Engine e = Engine.open(cfg)) {
            e.unseal(UnsealCredential.pin(SoftHsm.PIN.toCharArray()), "test");
            writes(e, TestVaults.login(e).caller(), "old", 2);
        }
        old = tmp.resolve("old-hsm");
        copy(home(), old);
        try (Engine e = Engine.open(cfg)) {
            e.unseal(UnsealCredential.pin(SoftHsm.PIN.toCharArray()), "test");
            writes(e, TestVaults.login(e).caller(), "new", 4);
        }
        restore(old);
        try (Engine e = Engine.open(cfg)) {
            RollbackDetectedException r = assertThrows(RollbackDetectedException.class,
                    () -> e.unseal(UnsealCredential.pin(SoftHsm.PIN.toCharArray()), "test"));
            assertTrue(r.getMessage().contains("HSM token"), r.getMessage());
        }
        noop.run();
    }
}
