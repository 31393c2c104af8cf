package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InitResult;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.RewrapStatus;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.ShamirSealSpec;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.VaultOptions;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.policy.BuiltInPolicies;
import dev.keyward.vault.seal.PassphraseSealProvider;
import dev.keyward.vault.seal.SealConfigStore;
import dev.keyward.vault.seal.SealInit;
import dev.keyward.vault.storage.StorageTx;
import dev.keyward.vault.testing.ChildJvm;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyLifecycleTest {
    @TempDir
    Path home;

    static final String PASS2 = "a brand new unseal passphrase";

    /** Writes n secrets app/s{i} = value-{i} from 8 threads (so group commit batches them). */
    static void writeSecrets(Engine e, Caller c, int from, int to) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = from; i < to; i++) {
                int n = i;
                fs.add(pool.submit(() -> e.secrets().write(c, "app/s" + n, SecretData.of(Map.of("v", "value-" + n)),
                        null)));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Terms of every record under the rewrap's prefixes, counted by term. */
    static Map<Integer, Long> termsOfAllRecords(Engine e) {
        return e.storage().read(tx -> {
            List<Integer> terms = new ArrayList<>();
            for (String prefix : RecordKinds.defaults().prefixes()) {
                String after = null;
                List<StorageTx.Entry> page;
                do {
                    page = tx.scan(prefix, after, 1000);
                    for (StorageTx.Entry en : page) {
                        terms.add(Barrier.termOf(en.value()));
                        after = en.key();
                    }
                } while (page.size() == 1000);
            }
            return terms.stream().collect(Collectors.groupingBy(t -> t, Collectors.counting()));
        });
    }

    static List<String> auditedOperations(Engine e) {
        return TestVaults.auditEntries(e).stream().map(en -> en.operation() + ":" + en.outcome()).toList();
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 10, unit = TimeUnit.MINUTES)
    void rewrapOf10kRecordsSurvivesKillDashNineAndResumesWhileReadsAndWritesGoOn() throws Exception {
        int secrets = 3400;
        long t0 = System.nanoTime();
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            // Setup only: the KV store straight in large transactions (the door's per-call audit
            // would make this slow); these are ordinary barrier records, as the door writes them.
            Engine e = v.engine();
            for (int from = 0; from < secrets; from += 500) {
                int start = from;
                e.underKeys(k -> e.storage().write(tx -> {
                    for (int i = start; i < Math.min(secrets, start + 500); i++) {
                        k.kv().write(tx, "app/s" + i, SecretData.of(Map.of("v", "value-" + i)), null, Instant.now());
                    }
                    return null;
                }));
            }
            System.out.println("wrote " + secrets + " secrets in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            long records = termsOfAllRecords(v.engine()).values().stream().mapToLong(Long::longValue).sum();
            assertTrue(records >= 10_000, "at least 10k records, got " + records);
        }

        // A child JVM rotates and rewraps in small batches; kill -9 it a quarter of the way.
        Process child = ChildJvm.start(VaultChild.class, List.of("-Dkeyward.rewrap.batch=40"), "rewrap",
                home.toString());
        long examinedAtKill = 0;
        long totalAtKill = 0;
        int term = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null) {
                seen.append(line).append('\n');
                if (line.startsWith("TERM ")) {
                    term = Integer.parseInt(line.substring(5));
                }
                if (line.startsWith("PROGRESS ")) {
                    String[] p = line.split(" ");
                    long examined = Long.parseLong(p[1]);
                    long total = Long.parseLong(p[2]);
                    assertFalse(p[3].equals("DONE"), "the rewrap finished before it could be killed");
                    if (examined >= total / 4) {
                        examinedAtKill = examined;
                        totalAtKill = total;
                        child.destroyForcibly(); // SIGKILL
                        break;
                    }
                }
            }
            assertTrue(examinedAtKill > 0, "child output:\n" + seen);
        }
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, term);

        try (Engine e = TestVaults.open(home)) {
            Map<Integer, Long> before = termsOfAllRecords(e);
            assertTrue(before.getOrDefault(1, 0L) > 0 && before.getOrDefault(2, 0L) > 0,
                    "killed mid-way: both terms present " + before);
            TestVaults.unseal(e); // resumes the rewrap
            Session s = TestVaults.login(e);
            Caller c = s.caller();
            RewrapStatus resumed = e.keys().rewrapStatus(c);
            assertEquals(2, resumed.targetTerm());
            System.out.println("killed at " + examinedAtKill + ", resumed status " + resumed + " after "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
            assertEquals(totalAtKill, resumed.total(), "the same rewrap continues: " + resumed);
            assertTrue(resumed.examined() > 0, "resumed from its stored cursor: " + resumed);

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger reads = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                Thread t = new Thread(() -> {
                    try {
                        while (!stop.get()) {
                            int i = ThreadLocalRandom.current().nextInt(secrets);
                            assertEquals("value-" + i, e.secrets().read(c, "app/s" + i, 0).data().field("v"));
                            reads.incrementAndGet();
                        }
                    } catch (Throwable ex) {
                        failure.set(ex);
                    }
                });
                t.start();
                readers.add(t);
            }
            writeSecrets(e, c, secrets, secrets + 50); // writes go on too
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            RewrapStatus st = e.keys().rewrapStatus(c);
            while (st.state() != RewrapStatus.State.DONE && System.nanoTime() < deadline) {
                Thread.sleep(50);
                st = e.keys().rewrapStatus(c);
            }
            stop.set(true);
            for (Thread t : readers) {
                t.join();
            }
            if (failure.get() != null) {
                throw new AssertionError("a read failed during the rewrap", failure.get());
            }
            assertEquals(RewrapStatus.State.DONE, st.state());
            assertTrue(reads.get() > 0);
            Map<Integer, Long> after = termsOfAllRecords(e);
            assertEquals(List.of(2), new ArrayList<>(after.keySet()), "every record is at term 2: " + after);
            for (int i = 0; i < secrets + 50; i += 7) {
                assertEquals("value-" + i, e.secrets().read(c, "app/s" + i, 0).data().field("v"));
            }
            assertTrue(auditedOperations(e).contains("key.rewrap:SUCCESS"));
        }
    }

    @Test
    void changingThePassphraseRetiresTheOldOne() {
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            v.engine().secrets().write(v.caller(), "app/x", SecretData.of(Map.of("v", "1")), null);
            v.engine().keys().changePassphrase(v.caller(), PASS2.toCharArray(), Argon2Parameters.insecureForTests());
            assertFalse(v.engine().status().sealed());
            assertTrue(auditedOperations(v.engine()).contains("seal.passphrase.change:SUCCESS"));
        }
        try (Engine e = TestVaults.open(home)) {
            assertThrows(AuthenticationFailedException.class, () -> TestVaults.unseal(e));
            e.unseal(UnsealCredential.passphrase(PASS2.toCharArray()), "test");
            assertEquals("1", e.secrets().read(TestVaults.login(e).caller(), "app/x", 0).data().field("v"));
        }
    }

    @Test
    void rekeyingSharesReplacesTheOldSetAndChangesTheThreshold() {
        List<String> old;
        InitResult rekeyed;
        try (Engine e = TestVaults.open(home)) {
            old = TestVaults.init(e, new ShamirSealSpec(3, 2)).unsealShares();
            e.unseal(UnsealCredential.share(old.get(0).toCharArray()), "t");
            e.unseal(UnsealCredential.share(old.get(2).toCharArray()), "t");
            Session s = TestVaults.login(e);
            e.secrets().write(s.caller(), "app/x", SecretData.of(Map.of("v", "kept")), null);
            assertThrows(InvalidRequestException.class, () -> e.keys().changePassphrase(s.caller(),
                    PASS2.toCharArray(), Argon2Parameters.insecureForTests()), "not a passphrase vault");
            rekeyed = e.keys().rekeyShares(s.caller(), 4, 3);
            assertEquals(4, rekeyed.unsealShares().size());
            assertEquals(3, rekeyed.threshold());
            List<String> ops = auditedOperations(e);
            assertTrue(ops.contains("seal.passphrase.change:FAILURE"), ops.toString());
            assertTrue(ops.contains("seal.rekey:SUCCESS"), ops.toString());
        }
        try (Engine e = TestVaults.open(home)) {
            assertEquals(3, e.status().threshold());
            assertEquals(4, e.status().shares());
            assertThrows(InvalidRequestException.class,
                    () -> e.unseal(UnsealCredential.share(old.get(0).toCharArray()), "t"), "old shares are refused");
            for (int i = 1; i <= 3; i++) {
                e.unseal(UnsealCredential.share(rekeyed.unsealShares().get(i).toCharArray()), "t");
            }
            assertFalse(e.status().sealed());
            assertEquals("kept", e.secrets().read(TestVaults.login(e).caller(), "app/x", 0).data().field("v"));
        }
    }

    @Test
    void migratingPassphraseToShamirAndBackKeepsSecrets() {
        InitResult shamir;
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            v.engine().secrets().write(v.caller(), "app/x", SecretData.of(Map.of("v", "kept")), null);
            shamir = v.engine().keys().migrateSeal(v.caller(), new ShamirSealSpec(2, 2));
            assertEquals("shamir", v.engine().status().sealType());
        }
        try (Engine e = TestVaults.open(home)) {
            e.unseal(UnsealCredential.share(shamir.unsealShares().get(1).toCharArray()), "t");
            e.unseal(UnsealCredential.share(shamir.unsealShares().get(0).toCharArray()), "t");
            Session s = TestVaults.login(e);
            assertEquals("kept", e.secrets().read(s.caller(), "app/x", 0).data().field("v"));
            try (PassphraseSealSpec spec = new PassphraseSealSpec(PASS2.toCharArray(),
                    Argon2Parameters.insecureForTests())) {
                assertThrows(InvalidRequestException.class, () -> e.keys().rotateRootKey(s.caller(), spec),
                        "a root-key rotation keeps the seal type");
                e.keys().migrateSeal(s.caller(), spec);
            }
        }
        try (Engine e = TestVaults.open(home)) {
            e.unseal(UnsealCredential.passphrase(PASS2.toCharArray()), "t");
            assertEquals("kept", e.secrets().read(TestVaults.login(e).caller(), "app/x", 0).data().field("v"));
        }
    }

    @Test
    void onlyAdminsMayChangeTheSeal() {
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            Engine e = v.engine();
            e.underKeys(k -> e.storage().write(tx -> k.identities().createOperator(tx, "eng",
                    "engineer passphrase".toCharArray(), List.of(BuiltInPolicies.SECURITY_ENGINEER),
                    Argon2Parameters.insecureForTests(), Instant.now())));
            Session eng = e.login("eng", "engineer passphrase".toCharArray(), "t");
            assertThrows(AccessDeniedException.class, () -> e.keys().migrateSeal(eng.caller(), new ShamirSealSpec(3, 2)));
            assertEquals("passphrase", e.status().sealType());
            assertTrue(e.keys().rotateDataKey(eng.caller()) > 1, "engineers may rotate the data key");
            assertThrows(AccessDeniedException.class, () -> e.keys().startRewrap(Caller.withToken("kws.nope")));
        }
    }

    @Test
    void everyStoredKeyIsARegisteredBarrierRecordOrAKnownPlainValue() {
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            Engine e = v.engine();
            e.secrets().write(v.caller(), "app/db", SecretData.of(Map.of("v", "1")), null);
            e.keys().rotateDataKey(v.caller());
            e.keys().startRewrap(v.caller());
            e.keys().changePassphrase(v.caller(), PASS2.toCharArray(), Argon2Parameters.insecureForTests());
            var registry = RecordKinds.defaults();
            List<String> unknown = e.storage().read(tx -> tx.scan("", null, 100_000)).stream()
                    .map(StorageTx.Entry::key)
                    .filter(k -> registry.bindingOf(k).isEmpty() && !RecordKinds.notSealedByBarrier(k))
                    .toList();
            assertEquals(List.of(), unknown, "register new record prefixes in RecordKinds");
        }
    }

    @Nested
    class CrashDuringASealChange {
        /** Steps 1 (staged keyring) and optionally 2 (seal.json) of a passphrase change, then a crash. */
        private void interruptedChange(boolean sealJsonReplaced) {
            try (TestVaults.Opened v = TestVaults.initialised(home)) {
                Engine e = v.engine();
                e.secrets().write(v.caller(), "app/x", SecretData.of(Map.of("v", "kept")), null);
                try (PassphraseSealSpec spec = new PassphraseSealSpec(PASS2.toCharArray(),
                        Argon2Parameters.insecureForTests())) {
                    SealInit created = new PassphraseSealProvider().create(spec);
                    e.underKeys(k -> e.storage().write(tx -> {
                        tx.put(SealLifecycle.KEYRING_NEXT, SealLifecycle.sealKeyring(created.rootKey(), k.keyring()));
                        return null;
                    }));
                    if (sealJsonReplaced) {
                        new SealConfigStore(home).save(created.config());
                    }
                    created.rootKey().close();
                }
            }
        }

        @Test
        void beforeSealJsonIsReplacedTheOldPassphraseStillOpens() {
            interruptedChange(false);
            try (Engine e = TestVaults.open(home)) {
                TestVaults.unseal(e);
                assertEquals("kept", e.secrets().read(TestVaults.login(e).caller(), "app/x", 0).data().field("v"));
                assertNull(e.storage().read(tx -> tx.get(SealLifecycle.KEYRING_NEXT)), "stale staging removed");
            }
        }

        @Test
        void afterSealJsonIsReplacedTheNewPassphraseOpensAndTheChangeIsFinished() {
            interruptedChange(true);
            try (Engine e = TestVaults.open(home)) {
                e.unseal(UnsealCredential.passphrase(PASS2.toCharArray()), "t");
                assertEquals("kept", e.secrets().read(TestVaults.login(e).caller(), "app/x", 0).data().field("v"));
                assertNull(e.storage().read(tx -> tx.get(SealLifecycle.KEYRING_NEXT)));
            }
            try (Engine e = TestVaults.open(home)) {
                e.unseal(UnsealCredential.passphrase(PASS2.toCharArray()), "t");
                assertFalse(e.status().sealed());
            }
        }
    }

    @Test
    void theVaultSealsItselfAfterTheIdleTimeOnTheInjectedClock() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        EngineConfig cfg = EngineConfig.defaults(new VaultOptions(home, clock, Duration.ofMinutes(15)));
        try (TestVaults.Opened v = TestVaults.initialised(cfg)) {
            Engine e = v.engine();
            clock.advance(Duration.ofMinutes(14));
            Thread.sleep(1500); // the idle check runs every second
            assertFalse(e.status().sealed(), "not idle long enough");
            e.secrets().write(v.caller(), "app/x", SecretData.of(Map.of("v", "1")), null); // activity
            clock.advance(Duration.ofMinutes(14));
            Thread.sleep(1500);
            assertFalse(e.status().sealed(), "activity restarted the idle time");
            clock.advance(Duration.ofMinutes(2));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!e.status().sealed() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(e.status().sealed());
            assertTrue(e.status().sealedReason().contains("without activity"), e.status().sealedReason());
            assertThrows(dev.keyward.vault.api.VaultSealedException.class,
                    () -> e.secrets().read(v.caller(), "app/x", 0));
        }
    }
}
