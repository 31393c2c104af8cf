package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.AuditFailureException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.api.MetadataUpdate;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.SecretVersion;
import dev.keyward.vault.audit.AuditEvent;
import dev.keyward.vault.audit.AuditSink;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.audit.MerkleAuditLog;
import dev.keyward.vault.storage.StorageTx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What storage holds, and what happens when it is altered or the audit log fails. */
class AtRestTest {
    @TempDir
    Path home;

    static List<String> dataKeys(Engine e) {
        return e.storage().read(tx -> tx.scan("kv/d/", null, 1000).stream().map(StorageTx.Entry::key).toList());
    }

    @Test
    void oneFlippedByteOfAStoredCiphertextIsAnIntegrityError() {
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            v.engine().secrets().write(v.caller(), "flip", SecretData.of(Map.of("f", "value")), null);
            String key = dataKeys(v.engine()).get(0);
            byte[] stored = v.engine().storage().read(tx -> tx.get(key));
            for (int i : new int[] {0, 3, 10, stored.length / 2, stored.length - 1}) {
                byte[] altered = stored.clone();
                altered[i] ^= 0x01;
                v.engine().storage().write(tx -> {
                    tx.put(key, altered);
                    return null;
                });
                assertThrows(IntegrityException.class, () -> v.engine().secrets().read(v.caller(), "flip", 0),
                        "byte " + i);
            }
            v.engine().storage().write(tx -> {
                tx.put(key, stored);
                return null;
            });
            assertEquals("value", v.engine().secrets().read(v.caller(), "flip", 0).data().field("f"));
        }
    }

    @Test
    void aCiphertextCopiedOntoAnotherPathOrVersionIsAnIntegrityError() {
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            v.engine().secrets().write(v.caller(), "a", SecretData.of(Map.of("f", "from-a")), null);
            v.engine().secrets().write(v.caller(), "b", SecretData.of(Map.of("f", "from-b")), null);
            v.engine().secrets().write(v.caller(), "b", SecretData.of(Map.of("f", "from-b2")), null);
            List<String> keys = dataKeys(v.engine());
            // Find the key of "a" by elimination: it is the one data key not sharing "b"'s id prefix.
            String bPrefix = keys.stream().filter(k -> k.endsWith("0000000002")).findFirst().orElseThrow();
            String bId = bPrefix.substring(0, bPrefix.lastIndexOf('/'));
            String aDataKey = keys.stream().filter(k -> !k.startsWith(bId)).findFirst().orElseThrow();
            byte[] aCipher = v.engine().storage().read(tx -> tx.get(aDataKey));
            byte[] b2Cipher = v.engine().storage().read(tx -> tx.get(bPrefix));
            v.engine().storage().write(tx -> {
                tx.put(bPrefix, aCipher);
                return null;
            });
            assertThrows(IntegrityException.class, () -> v.engine().secrets().read(v.caller(), "b", 2),
                    "another path's ciphertext");
            byte[] b1Cipher = v.engine().storage().read(tx -> tx.get(bId + "/0000000001"));
            v.engine().storage().write(tx -> {
                tx.put(bPrefix, b1Cipher);
                return null;
            });
            assertThrows(IntegrityException.class, () -> v.engine().secrets().read(v.caller(), "b", 2),
                    "another version's ciphertext");
            v.engine().storage().write(tx -> {
                tx.put(bPrefix, b2Cipher);
                return null;
            });
            assertEquals("from-b2", v.engine().secrets().read(v.caller(), "b", 2).data().field("f"));
        }
    }

    @Test
    void noCanaryAppearsAnywhereInTheVaultDirectory() throws IOException {
        String tag = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String pathCanary = "pathcanary" + tag;
        String fieldCanary = "fieldcanary" + tag;
        String valueCanary = "valuecanary" + tag;
        String metaCanary = "ownercanary" + tag;
        String operatorCanary = "opcanary" + tag;
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            for (int i = 0; i < 20; i++) {
                String p = "team/" + pathCanary + "/svc" + i;
                v.engine().secrets().write(v.caller(), p, SecretData.of(Map.of(fieldCanary, valueCanary + i)), null);
                v.engine().secrets().writeMetadata(v.caller(), p,
                        new MetadataUpdate(null, null, null, Map.of("owner", metaCanary)));
                v.engine().secrets().read(v.caller(), p, 0);
            }
            v.engine().secrets().list(v.caller(), "team/" + pathCanary + "/");
            assertThrows(RuntimeException.class, () -> v.engine().login(operatorCanary, "wrong pass".toCharArray(),
                    "t"));
            // Values are present and readable through the door.
            assertEquals(valueCanary + "3", v.engine().secrets().read(v.caller(), "team/" + pathCanary + "/svc3", 0)
                    .data().field(fieldCanary));
            // While the vault is open the write-ahead journal holds every recent change: scan it too.
            assertTrue(Files.size(home.resolve("vault.journal")) > 10_000, "the journal holds the writes");
            assertEquals(List.of(), canariesIn(home, canaries(pathCanary, fieldCanary, valueCanary, metaCanary,
                    operatorCanary)));
        }
        assertEquals(0, Files.size(home.resolve("vault.journal")), "a clean close empties the journal");
        assertEquals(List.of(), canariesIn(home, canaries(pathCanary, fieldCanary, valueCanary, metaCanary,
                operatorCanary)));
        // The scan can find what is there: the operator name "admin" is not a canary, but the
        // scanner must find a string we know is stored in clear (the seal type in seal.json).
        assertTrue(indexOf(Files.readAllBytes(home.resolve("seal.json")), "passphrase".getBytes(StandardCharsets.UTF_8))
                >= 0);
    }

    private static List<String> canaries(String... planted) {
        List<String> all = new ArrayList<>(List.of(planted));
        all.add(TestVaults.ADMIN_PASS);
        all.add(TestVaults.UNSEAL);
        return all;
    }

    /** Every canary found in any file under {@code home}, in UTF-8 and UTF-16. */
    private static List<String> canariesIn(Path home, List<String> canaries) throws IOException {
        List<String> found = new ArrayList<>();
        long[] scanned = {0};
        try (Stream<Path> files = Files.walk(home)) {
            files.filter(Files::isRegularFile).forEach(f -> {
                try {
                    byte[] bytes = Files.readAllBytes(f);
                    scanned[0] += bytes.length;
                    for (String c : canaries) {
                        for (String enc : List.of("UTF-8", "UTF-16BE", "UTF-16LE")) {
                            if (indexOf(bytes, c.getBytes(java.nio.charset.Charset.forName(enc))) >= 0) {
                                found.add(c + " (" + enc + ") in " + home.relativize(f));
                            }
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        assertTrue(scanned[0] > 10_000, "the scan saw the database");
        return found;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void aFailingAuditSinkFailsTheCallAndReturnsNothing() {
        AtomicBoolean broken = new AtomicBoolean(false);
        MerkleAuditLog real = new MerkleAuditLog();
        AuditSink flaky = (event, keys, tx) -> {
            if (broken.get()) {
                throw new IllegalStateException("disk full");
            }
            real.append(event, keys, tx);
        };
        try (TestVaults.Opened v = TestVaults.initialised(TestVaults.config(home, Clock.systemUTC())
                .withAuditSink(flaky))) {
            v.engine().secrets().write(v.caller(), "s", SecretData.of(Map.of("f", "v1")), null);
            broken.set(true);
            SecretVersion[] leaked = new SecretVersion[1];
            assertThrows(AuditFailureException.class,
                    () -> leaked[0] = v.engine().secrets().read(v.caller(), "s", 0));
            assertEquals(null, leaked[0]);
            assertThrows(AuditFailureException.class,
                    () -> v.engine().secrets().write(v.caller(), "s", SecretData.of(Map.of("f", "v2")), null));
            assertThrows(AuditFailureException.class,
                    () -> v.engine().secrets().read(Caller.withToken("kws.bogus"), "s", 0),
                    "a denial that cannot be audited fails closed too");
            broken.set(false);
            assertEquals(1, v.engine().secrets().readMetadata(v.caller(), "s").currentVersion(),
                    "the unaudited write did not happen");
            assertEquals("v1", v.engine().secrets().read(v.caller(), "s", 0).data().field("f"));
        }
    }

    @Test
    void everyCallIncludingDenialsAndFailuresIsAuditedWithoutValues() {
        String canary = "auditcanary" + UUID.randomUUID();
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            v.engine().secrets().write(v.caller(), "aud/s", SecretData.of(Map.of("f", canary)), null);
            v.engine().secrets().read(v.caller(), "aud/s", 0);
            assertThrows(RuntimeException.class, () -> v.engine().secrets().read(v.caller(), "aud/none", 0));
            assertThrows(AccessDeniedException.class,
                    () -> v.engine().secrets().read(Caller.withToken("kws.bogus"), "aud/s", 0));
            List<AuditRecord> entries = TestVaults.auditEntries(v.engine());
            List<String> ops = entries.stream().map(e -> e.operation() + ":" + e.outcome()).toList();
            assertTrue(ops.containsAll(List.of("vault.init:SUCCESS", "vault.unseal:SUCCESS",
                    "operator.login:SUCCESS", "secret.write:SUCCESS", "secret.read:SUCCESS", "secret.read:FAILURE")),
                    ops.toString());
            AuditRecord denied = entries.get(entries.size() - 1);
            assertEquals("DENY", denied.decision());
            assertEquals("AccessDeniedException", denied.errorClass());
            assertNotNull(denied.credentialHmac(), "the presented token is recorded as an HMAC");
            assertFalse(denied.credentialHmac().contains("bogus"));
            AuditRecord read = entries.stream().filter(e -> e.operation().equals("secret.read")).findFirst()
                    .orElseThrow();
            assertEquals("secret/aud/s", read.resource());
            assertEquals("admin", read.identityName());
            assertEquals("policy:admin@v1#*", read.rule(), "the entry names the rule that decided");
            assertFalse(entries.toString().contains(canary));
            for (int i = 0; i < entries.size(); i++) {
                assertEquals(i, entries.get(i).sequence());
            }
        }
    }

}
