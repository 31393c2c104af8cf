package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.AuditExport;
import dev.keyward.vault.api.AuditPage;
import dev.keyward.vault.api.AuditProblem;
import dev.keyward.vault.api.AuditProblem.Kind;
import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.ConsistencyProof;
import dev.keyward.vault.api.InclusionProof;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.TreeHead;
import dev.keyward.vault.audit.BundleVerifier;
import dev.keyward.vault.audit.Merkle;
import dev.keyward.vault.audit.MerkleAuditLog;
import dev.keyward.vault.audit.TreeHeads;
import dev.keyward.vault.storage.H2Storage;
import dev.keyward.vault.storage.StorageTx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
    static final String CANARY_VALUE = "canary-value-5b1e9d";
    static final String CANARY_PATH = "canary-path-77af3";
    static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path home;
    @TempDir
    Path out;

    static EngineConfig config(Path home) {
        return TestVaults.config(home, Clock.systemUTC())
                .withAuditSink(new MerkleAuditLog(new MerkleAuditLog.Settings(5, Duration.ofHours(1))));
    }

    /** A vault with a little history: writes, reads, a denial, a failed login. Returns the admin session token. */
    static String populate(TestVaults.Opened v) {
        Caller c = v.caller();
        for (int i = 0; i < 6; i++) {
            v.engine().secrets().write(c, CANARY_PATH + "/db" + i, SecretData.of(Map.of("password", CANARY_VALUE + i)),
                    null);
            v.engine().secrets().read(c, CANARY_PATH + "/db" + i, 0);
        }
        assertThrows(AccessDeniedException.class, () -> v.engine().secrets().read(Caller.withToken("not-a-token"),
                CANARY_PATH + "/db0", 0));
        assertThrows(RuntimeException.class, () -> v.engine().login("admin", "wrong passphrase".toCharArray(), "10.0.0.9"));
        return v.session().token();
    }

    static List<AuditRecord> all(TestVaults.Opened v) {
        List<AuditRecord> out = new ArrayList<>();
        AuditQuery q = AuditQuery.all(7);
        while (true) {
            AuditPage p = v.engine().audit().query(v.caller(), q);
            out.addAll(p.entries());
            if (p.nextAfter() == null) {
                return out;
            }
            q = q.after(p.nextAfter());
        }
    }

    @Nested
    class Review {
        @Test
        void everyCallBecomesOneEntryInSequenceWithoutSecretValues() {
            try (TestVaults.Opened v = TestVaults.initialised(config(home))) {
                String token = populate(v);
                List<AuditRecord> entries = all(v);
                for (int i = 0; i < entries.size(); i++) {
                    assertEquals(i, entries.get(i).sequence());
                }
                assertEquals("vault.init", entries.get(0).operation());
                assertEquals(6, entries.stream().filter(r -> r.operation().equals("secret.write")).count());
                AuditRecord denied = entries.stream().filter(r -> r.decision().equals("DENY")).findFirst().orElseThrow();
                assertEquals("FAILURE", denied.outcome());
                assertEquals("AccessDeniedException", denied.errorClass());
                AuditRecord failedLogin = entries.stream()
                        .filter(r -> r.operation().equals("operator.login") && r.outcome().equals("FAILURE"))
                        .findFirst().orElseThrow();
                assertEquals("10.0.0.9", failedLogin.sourceAddress());
                String all = entries.toString();
                assertFalse(all.contains(CANARY_VALUE), "no secret value in entries");
                assertFalse(all.contains(token), "no token in entries");
                // the token's HMAC correlates with the entries it made
                String mac = v.engine().audit().hmac(v.caller(), token);
                assertTrue(entries.stream().anyMatch(r -> mac.equals(r.credentialHmac())));
            }
        }

        @Test
        void queriesFilterByOperationDecisionPathIdentityAndTime() {
            try (TestVaults.Opened v = TestVaults.initialised(config(home))) {
                populate(v);
                Caller c = v.caller();
                AuditPage reads = v.engine().audit().query(c, new AuditQuery(null, null, null, null, "secret.read",
                        "ALLOW", -1, 100));
                assertEquals(6, reads.entries().size());
                assertNull(reads.nextAfter());
                AuditPage path = v.engine().audit().query(c, new AuditQuery(null, null, "admin",
                        "secret/" + CANARY_PATH + "/db3", null, null, -1, 100));
                assertEquals(2, path.entries().size());
                AuditPage denied = v.engine().audit().query(c, new AuditQuery(null, null, null, null, null, "DENY", -1,
                        100));
                assertEquals(1, denied.entries().size());
                List<AuditRecord> everything = all(v);
                AuditRecord mid = everything.get(everything.size() / 2);
                AuditPage since = v.engine().audit().query(c, new AuditQuery(mid.time(), null, null, null, null, null,
                        -1, 1000));
                assertTrue(since.entries().stream().allMatch(r -> !r.time().isBefore(mid.time())));
                assertTrue(since.entries().size() < everything.size() + 2);
                AuditPage page = v.engine().audit().query(c, AuditQuery.all(3));
                assertEquals(List.of(0L, 1L, 2L), page.entries().stream().map(AuditRecord::sequence).toList());
                assertEquals(2L, page.nextAfter());
            }
        }

        @Test
        void anOperatorWithoutAnAuditRoleIsRefusedAndThatIsAudited() {
            try (TestVaults.Opened v = TestVaults.initialised(config(home))) {
                assertThrows(AccessDeniedException.class,
                        () -> v.engine().audit().query(Caller.withToken("forged"), AuditQuery.all(10)));
                assertTrue(all(v).stream().anyMatch(r -> r.operation().equals("audit.read")
                        && r.decision().equals("DENY")));
            }
        }
    }

    @Nested
    class HeadsAndProofs {
        @Test
        void headsAreSignedEveryNEntriesAndProofsVerifyAgainstThem() {
            try (TestVaults.Opened v = TestVaults.initialised(config(home))) {
                populate(v);
                Caller c = v.caller();
                TreeHead issued = v.engine().audit().issueHead(c);
                List<TreeHead> heads = v.engine().audit().heads(c, -1, 100);
                assertTrue(heads.size() >= 3, "a head every 5 entries: " + heads.size());
                assertEquals(issued, heads.get(heads.size() - 1));
                assertEquals(issued.fingerprint(), v.engine().audit().latestHead(c).fingerprint());
                for (long seq : new long[] {0, 3, issued.treeSize() - 1}) {
                    InclusionProof p = v.engine().audit().inclusionProof(c, seq, issued.treeSize());
                    List<byte[]> path = p.path().stream().map(HEX::parseHex).toList();
                    assertTrue(Merkle.verifyInclusion(seq, issued.treeSize(), HEX.parseHex(p.leafHash()), path,
                            HEX.parseHex(issued.rootHash())));
                    assertFalse(Merkle.verifyInclusion(seq, issued.treeSize(), HEX.parseHex(p.leafHash()), path,
                            HEX.parseHex(heads.get(0).rootHash())));
                }
                TreeHead first = heads.get(0);
                ConsistencyProof cp = v.engine().audit().consistencyProof(c, first.treeSize(), issued.treeSize());
                assertTrue(Merkle.verifyConsistency(first.treeSize(), issued.treeSize(), HEX.parseHex(first.rootHash()),
                        HEX.parseHex(issued.rootHash()), cp.path().stream().map(HEX::parseHex).toList()));
            }
        }

        @Test
        void aHeadIsSignedOnATimerWhenEntriesWaitedLongEnough() throws InterruptedException {
            EngineConfig timed = TestVaults.config(home, Clock.systemUTC())
                    .withAuditSink(new MerkleAuditLog(new MerkleAuditLog.Settings(1000, Duration.ofMillis(300))));
            try (TestVaults.Opened v = TestVaults.initialised(timed)) {
                v.engine().secrets().write(v.caller(), "app/db", SecretData.of(Map.of("k", "v")), null);
                long size = all(v).size() + 1; // the query above adds its own entry
                long deadline = System.currentTimeMillis() + 10_000;
                TreeHead latest = v.engine().audit().latestHead(v.caller());
                while (latest.treeSize() < size && System.currentTimeMillis() < deadline) {
                    Thread.sleep(100);
                    latest = v.engine().audit().latestHead(v.caller());
                }
                assertTrue(latest.treeSize() >= size, "timer head covers " + latest.treeSize() + " of " + size);
            }
        }

        @Test
        void liveVerificationOfAnUntouchedLogPassesAndReportsProgress() {
            try (TestVaults.Opened v = TestVaults.initialised(config(home))) {
                populate(v);
                TreeHead h = v.engine().audit().issueHead(v.caller());
                List<Long> progress = new ArrayList<>();
                AuditVerification r = v.engine().audit().verify(v.caller(), h.fingerprint(), (d, t) -> progress.add(d));
                assertTrue(r.ok(), r.problems().toString());
                assertTrue(r.entries() >= h.treeSize());
                assertFalse(progress.isEmpty());
                AuditVerification wrong = v.engine().audit().verify(v.caller(), "00".repeat(32), null);
                assertFalse(wrong.ok());
                assertEquals(Kind.RECORDED_HEAD_MISSING, wrong.problems().get(0).kind());
            }
        }
    }

    // ------------------------------------------------------------------ tampering in the database

    @Nested
    class TamperingInTheDatabase {
        long size;

        @BeforeEach
        void history() {
            try (TestVaults.Opened v = TestVaults.initialised(config(home))) {
                populate(v);
                size = v.engine().audit().issueHead(v.caller()).treeSize();
            }
        }

        AuditVerification tamperAndVerify(Consumer<StorageTx> tamper) {
            try (H2Storage s = H2Storage.open(home)) {
                s.write(tx -> {
                    tamper.accept(tx);
                    return null;
                });
            }
            try (var e = Engine.open(config(home))) {
                TestVaults.unseal(e);
                var session = e.login(TestVaults.ADMIN, TestVaults.ADMIN_PASS.toCharArray(), "test");
                return e.audit().verify(session.caller(), null, null);
            }
        }

        static String entry(long seq) {
            return String.format("audit/e/%016x", seq);
        }

        @Test
        void anEditedEntryIsNamed() {
            AuditVerification r = tamperAndVerify(tx -> {
                byte[] v = tx.get(entry(4));
                v[v.length - 20] ^= 1;
                tx.put(entry(4), v);
            });
            assertProblem(r, Kind.EDITED, 4);
        }

        @Test
        void aDeletedEntryIsNamed() {
            assertProblem(tamperAndVerify(tx -> tx.delete(entry(6))), Kind.DELETED, 6);
        }

        @Test
        void anInsertedCopyAndAForgedEntryAreNamed() {
            AuditVerification r = tamperAndVerify(tx -> {
                tx.put(entry(size + 100), tx.get(entry(2)));
                byte[] forged = tx.get(entry(3)).clone();
                forged[10] ^= 1;
                tx.put(entry(size + 101), forged);
            });
            assertProblem(r, Kind.INSERTED, 2);
            assertTrue(r.problems().stream().filter(p -> p.kind() == Kind.INSERTED).count() >= 2, r.problems().toString());
        }

        @Test
        void swappedEntriesAreReportedAsReordered() {
            AuditVerification r = tamperAndVerify(tx -> {
                byte[] a = tx.get(entry(3));
                tx.put(entry(3), tx.get(entry(5)));
                tx.put(entry(5), a);
            });
            assertTrue(r.problems().stream().anyMatch(p -> p.kind() == Kind.REORDERED
                    && (p.sequence() == 3 || p.sequence() == 5)), r.problems().toString());
        }

        @Test
        void aCutTailIsOneProblemNamingTheRange() {
            AuditVerification r = tamperAndVerify(tx -> {
                for (long s = size - 3; s < size; s++) {
                    tx.delete(entry(s));
                }
            });
            // Entries were appended after the cut (the unseal, the login): the range was deleted.
            assertEquals(1, r.problems().size(), r.problems().toString());
            assertProblem(r, Kind.DELETED, size - 3);
            assertTrue(r.problems().get(0).detail().contains((size - 3) + " to " + (size - 1)), r.problems().toString());
        }

        @Test
        void aForgedHeadIsRejected() {
            AuditVerification r = tamperAndVerify(tx -> {
                String key = String.format("audit/sth/%016x", size);
                TreeHead h = TreeHeads.fromJson(new String(tx.get(key), StandardCharsets.UTF_8));
                TreeHead forged = new TreeHead(h.treeSize(), "11".repeat(32), h.timestamp(), h.keyId(), h.algorithm(),
                        h.signature(), h.fingerprint());
                tx.put(key, TreeHeads.toJson(forged).getBytes(StandardCharsets.UTF_8));
            });
            assertProblem(r, Kind.FORGED_HEAD, -1);
        }

        @Test
        void deletedHeadsAreNoticed() {
            AuditVerification r = tamperAndVerify(tx -> tx.deletePrefix("audit/sth/"));
            assertProblem(r, Kind.RECORDED_HEAD_MISSING, -1);
        }
    }

    // ------------------------------------------------------------------ the exported bundle

    @Nested
    class EvidenceBundle {
        Path bundle;
        TreeHead head;
        String token;

        @BeforeEach
        void export() {
            try (TestVaults.Opened v = TestVaults.initialised(config(home))) {
                token = populate(v);
                bundle = out.resolve("evidence.zip");
                AuditExport x = v.engine().audit().exportBundle(v.caller(), bundle, null);
                head = x.head();
                assertEquals(head.treeSize(), x.entries());
                assertEquals(x.head().fingerprint(), v.engine().audit().latestHead(v.caller()).fingerprint());
            }
        }

        @Test
        void verifiesOfflineAgainstItsRecordedHead() {
            AuditVerification r = BundleVerifier.verify(bundle, head.fingerprint(), null == null ? (d, t) -> { } : null);
            assertTrue(r.ok(), r.problems().toString());
            assertEquals(head.treeSize(), r.entries());
            assertEquals(head, r.latest());
            assertTrue(r.headsVerified() >= 3);
        }

        @Test
        void holdsNoSecretValueNorToken() throws IOException {
            Map<String, byte[]> parts = unzip(bundle);
            for (Map.Entry<String, byte[]> p : parts.entrySet()) {
                String text = new String(p.getValue(), StandardCharsets.ISO_8859_1);
                assertFalse(text.contains(CANARY_VALUE), p.getKey());
                assertFalse(text.contains(token), p.getKey());
            }
            String raw = new String(Files.readAllBytes(bundle), StandardCharsets.ISO_8859_1);
            assertFalse(raw.contains(CANARY_VALUE));
            assertTrue(new String(parts.get("entries.jsonl"), StandardCharsets.UTF_8).contains(CANARY_PATH),
                    "entries do name paths (the bundle is evidence)");
        }

        @Test
        void anEditedLineIsNamed() throws IOException {
            AuditVerification r = verifyEdited(lines -> lines.set(5, lines.get(5).replace("\"ALLOW\"", "\"DENY\"")
                    .replace("\"NONE\"", "\"DENY\"")));
            assertProblem(r, Kind.EDITED, 5);
        }

        @Test
        void aDeletedLineIsNamed() throws IOException {
            assertProblem(verifyEdited(lines -> lines.remove(7)), Kind.DELETED, 7);
        }

        @Test
        void anInsertedLineIsNamed() throws IOException {
            AuditVerification r = verifyEdited(lines -> lines.add(4, lines.get(4).replace("\"seq\":4", "\"seq\":4")
                    .replace("\"requestId\":\"", "\"requestId\":\"f")));
            assertProblem(r, Kind.INSERTED, 4);
        }

        @Test
        void swappedLinesAreReportedAsReordered() throws IOException {
            AuditVerification r = verifyEdited(lines -> {
                String a = lines.get(3);
                lines.set(3, lines.get(8));
                lines.set(8, a);
            });
            assertTrue(r.problems().stream().anyMatch(p -> p.kind() == Kind.REORDERED), r.problems().toString());
        }

        @Test
        void aCutTailIsReportedAsTruncated() throws IOException {
            int n = (int) head.treeSize();
            AuditVerification r = verifyEdited(lines -> lines.subList(n - 4, n).clear());
            assertProblem(r, Kind.TRUNCATED, n - 4);
        }

        @Test
        void editsAreStillLocatedWhenTheLeafHashesWereAlteredToo() throws IOException {
            Map<String, byte[]> parts = unzip(bundle);
            List<String> lines = lines(parts);
            lines.set(2, lines.get(2).replace("\"time\":\"", "\"time\":\"1"));
            parts.put("entries.jsonl", join(lines));
            byte[] leaves = parts.get("leaves.bin");
            leaves[2 * 32] ^= 1;
            Path edited = out.resolve("edited.zip");
            zip(edited, parts);
            AuditVerification r = BundleVerifier.verify(edited, head.fingerprint(), (d, t) -> { });
            assertFalse(r.ok());
            assertTrue(r.problems().stream().anyMatch(p -> p.kind() == Kind.EDITED), r.problems().toString());
        }

        @Test
        void aForgedHeadFails() throws IOException {
            Map<String, byte[]> parts = unzip(bundle);
            String heads = new String(parts.get("heads.jsonl"), StandardCharsets.UTF_8);
            String[] hl = heads.split("\n");
            TreeHead h = TreeHeads.fromJson(hl[hl.length - 1]);
            // a head claiming a larger log, reusing the real signature
            TreeHead forged = new TreeHead(h.treeSize() + 5, h.rootHash(), h.timestamp(), h.keyId(), h.algorithm(),
                    h.signature(), h.fingerprint());
            parts.put("heads.jsonl", (heads + TreeHeads.toJson(forged) + "\n").getBytes(StandardCharsets.UTF_8));
            Path edited = out.resolve("forged.zip");
            zip(edited, parts);
            AuditVerification r = BundleVerifier.verify(edited, null, (d, t) -> { });
            assertProblem(r, Kind.FORGED_HEAD, -1);
        }

        @Test
        void aLogReSignedWithAnotherKeyFailsOnlyAgainstTheRecordedHead() throws Exception {
            Map<String, byte[]> parts = unzip(bundle);
            List<String> lines = lines(parts);
            lines.set(1, lines.get(1).replace("\"SUCCESS\"", "\"FAILURE\""));
            parts.put("entries.jsonl", join(lines));
            // the forger rebuilds leaves and heads and signs with a key of their own
            var kp = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            dev.keyward.vault.crypto.Signer forger = new dev.keyward.vault.crypto.Signer() {
                public String keyId() {
                    return TreeHeads.keyId(kp.getPublic().getEncoded());
                }

                public String algorithm() {
                    return "Ed25519";
                }

                public byte[] publicKey() {
                    return kp.getPublic().getEncoded();
                }

                public byte[] sign(byte[] m) {
                    try {
                        var s = java.security.Signature.getInstance("Ed25519");
                        s.initSign(kp.getPrivate());
                        s.update(m);
                        return s.sign();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
            Merkle.Frontier f = new Merkle.Frontier();
            ByteArrayOutputStream leaves = new ByteArrayOutputStream();
            for (String l : lines) {
                byte[] leaf = Merkle.leafHash(l.getBytes(StandardCharsets.UTF_8));
                leaves.write(leaf);
                f.append(leaf, null);
            }
            TreeHead fake = TreeHeads.sign(f.size(), f.root(), head.timestamp(), forger);
            parts.put("leaves.bin", leaves.toByteArray());
            parts.put("heads.jsonl", (TreeHeads.toJson(fake) + "\n").getBytes(StandardCharsets.UTF_8));
            parts.put("keys.jsonl", (TreeHeads.toJson(TreeHeads.keyOf(forger)) + "\n").getBytes(StandardCharsets.UTF_8));
            parts.put("manifest.json", new String(parts.get("manifest.json"), StandardCharsets.UTF_8)
                    .replace(head.fingerprint(), fake.fingerprint()).getBytes(StandardCharsets.UTF_8));
            Path edited = out.resolve("resigned.zip");
            zip(edited, parts);
            AuditVerification blind = BundleVerifier.verify(edited, null, (d, t) -> { });
            assertTrue(blind.ok(), "without a recorded head a wholly re-signed log cannot be told apart");
            assertTrue(blind.warnings().stream().anyMatch(w -> w.contains("recorded head")));
            AuditVerification pinned = BundleVerifier.verify(edited, head.fingerprint(), (d, t) -> { });
            assertProblem(pinned, Kind.RECORDED_HEAD_MISSING, -1);
        }

        @Test
        void somethingThatIsNotABundleIsReportedNotThrown() throws IOException {
            Path junk = out.resolve("junk.zip");
            Files.writeString(junk, "not a zip");
            AuditVerification r = BundleVerifier.verify(junk, null, (d, t) -> { });
            assertProblem(r, Kind.MALFORMED, -1);
        }

        AuditVerification verifyEdited(Consumer<List<String>> edit) throws IOException {
            Map<String, byte[]> parts = unzip(bundle);
            List<String> lines = lines(parts);
            edit.accept(lines);
            parts.put("entries.jsonl", join(lines));
            Path edited = out.resolve("edited-" + System.nanoTime() + ".zip");
            zip(edited, parts);
            return BundleVerifier.verify(edited, head.fingerprint(), (d, t) -> { });
        }
    }

    static List<String> lines(Map<String, byte[]> parts) {
        return new ArrayList<>(Arrays.asList(new String(parts.get("entries.jsonl"), StandardCharsets.UTF_8)
                .split("\n")));
    }

    static byte[] join(List<String> lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, byte[]> unzip(Path zip) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (ZipEntry e : z.stream().toList()) {
                try (InputStream in = z.getInputStream(e)) {
                    out.put(e.getName(), in.readAllBytes());
                }
            }
        }
        return out;
    }

    static void zip(Path file, Map<String, byte[]> parts) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> p : parts.entrySet()) {
                z.putNextEntry(new ZipEntry(p.getKey()));
                z.write(p.getValue());
                z.closeEntry();
            }
        }
    }

    static void assertProblem(AuditVerification r, Kind kind, long sequence) {
        assertFalse(r.ok(), "verification should fail");
        assertTrue(r.problems().stream().anyMatch(p -> p.kind() == kind && p.sequence() == sequence),
                "expected " + kind + " at " + sequence + " in " + r.problems());
    }

    static Stream<AuditProblem> unused() {
        return Stream.empty();
    }
}
