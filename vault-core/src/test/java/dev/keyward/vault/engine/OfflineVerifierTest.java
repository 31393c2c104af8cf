package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuditExport;
import dev.keyward.vault.api.AuditProblem;
import dev.keyward.vault.api.AuditProblem.Kind;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.TreeHead;
import dev.keyward.vault.audit.BundleVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline verifier against one change to an exported bundle: each change is one problem that
 * names it (not a cascade), an entry appended after the last signed head is an error (an export
 * signs a head over everything it holds), and the manifest and leaves.bin are checked too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OfflineVerifierTest {
    @TempDir
    static Path home;
    @TempDir
    static Path out;
    Path bundle;
    TreeHead head;
    int n;

    @BeforeAll
    void export() {
        try (TestVaults.Opened v = TestVaults.initialised(AuditLogTest.config(home))) {
            AuditLogTest.populate(v);
            for (int i = 0; i < 40; i++) {
                v.engine().secrets().read(v.caller(), AuditLogTest.CANARY_PATH + "/db" + (i % 6), 0);
            }
            bundle = out.resolve("evidence.zip");
            AuditExport x = v.engine().audit().exportBundle(v.caller(), bundle, null);
            head = x.head();
            n = (int) head.treeSize();
        }
    }

    private AuditVerification edited(Consumer<Map<String, byte[]>> edit) throws IOException {
        Map<String, byte[]> parts = AuditLogTest.unzip(bundle);
        edit.accept(parts);
        Path f = out.resolve("edited-" + System.nanoTime() + ".zip");
        AuditLogTest.zip(f, parts);
        return BundleVerifier.verify(f, head.fingerprint(), (d, t) -> { });
    }

    private AuditVerification editedLines(Consumer<List<String>> edit) throws IOException {
        return edited(parts -> {
            List<String> lines = AuditLogTest.lines(parts);
            edit.accept(lines);
            parts.put("entries.jsonl", AuditLogTest.join(lines));
        });
    }

    private static void assertOnlyProblem(AuditVerification r, Kind kind, long sequence) {
        assertFalse(r.ok(), "verification must fail");
        assertEquals(1, r.problems().size(), "one change, one problem: " + r.problems());
        AuditProblem p = r.problems().get(0);
        assertEquals(kind, p.kind(), r.problems().toString());
        assertEquals(sequence, p.sequence(), r.problems().toString());
    }

    @Test
    void theUntouchedBundleVerifies() {
        AuditVerification r = BundleVerifier.verify(bundle, head.fingerprint(), (d, t) -> { });
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(List.of(), r.warnings());
    }

    private static String[] cli(String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = dev.keyward.vault.cli.KeywardCli.run(Map.of(), new java.io.PrintStream(out, true,
                StandardCharsets.UTF_8), new java.io.PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8),
            err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void theCliVerifiesABundleOfflineAndExitsOneOnAProblem() throws IOException {
        String[] ok = cli("audit", "verify", "--bundle", bundle.toString(), "--fingerprint", head.fingerprint(),
                "-o", "json");
        assertEquals("0", ok[0], ok[2]);
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ok[1]);
        assertTrue(json.path("ok").asBoolean());
        assertEquals(n, json.path("entries").asLong());
        assertEquals(head.timestamp().toEpochMilli(), json.path("latest").path("timestamp_ms").asLong());

        Map<String, byte[]> parts = AuditLogTest.unzip(bundle);
        List<String> lines = AuditLogTest.lines(parts);
        lines.remove(11);
        parts.put("entries.jsonl", AuditLogTest.join(lines));
        Path f = out.resolve("cli-edited.zip");
        AuditLogTest.zip(f, parts);
        String[] bad = cli("audit", "verify", "--bundle", f.toString(), "--fingerprint", head.fingerprint());
        assertEquals("1", bad[0], bad[2]);
        assertTrue(bad[1].contains("ok: false") && bad[1].contains("Entry 11 was deleted"), bad[1]);

        String[] missing = cli("audit", "verify", "--bundle", out.resolve("absent.zip").toString());
        assertEquals("2", missing[0]);
        assertTrue(missing[2].startsWith("keyward: "), missing[2]);
    }

    @Test
    void anEditedEntryIsOneProblem() throws IOException {
        assertOnlyProblem(editedLines(l -> l.set(9, l.get(9).replace("\"outcome\":\"SUCCESS\"",
                "\"outcome\":\"FAILURE\""))), Kind.EDITED, 9);
    }

    @Test
    void anEditedSequenceNumberIsOneProblem() throws IOException {
        assertOnlyProblem(editedLines(l -> l.set(12, l.get(12).replace("\"seq\":12,", "\"seq\":13,"))),
                Kind.EDITED, 12);
    }

    @Test
    void aDeletedEntryIsOneProblem() throws IOException {
        assertOnlyProblem(editedLines(l -> l.remove(11)), Kind.DELETED, 11);
    }

    @Test
    void twoSwappedEntriesAreOneProblem() throws IOException {
        AuditVerification r = editedLines(l -> {
            String a = l.get(6);
            l.set(6, l.get(20));
            l.set(20, a);
        });
        assertOnlyProblem(r, Kind.REORDERED, 6);
        assertTrue(r.problems().get(0).detail().contains("20"), r.problems().toString());
    }

    @Test
    void aCutTailIsOneProblem() throws IOException {
        assertOnlyProblem(editedLines(l -> l.subList(n - 10, n).clear()), Kind.TRUNCATED, n - 10);
    }

    @Test
    void aForgedEntryAppendedAfterTheLastHeadIsAnError() throws IOException {
        AuditVerification r = editedLines(l -> l.add(l.get(n - 1).replace("\"seq\":" + (n - 1) + ",",
                "\"seq\":" + n + ",").replace("\"requestId\":\"", "\"requestId\":\"0")));
        assertOnlyProblem(r, Kind.INSERTED, n);
    }

    @Test
    void aManifestThatMiscountsIsAnError() throws IOException {
        AuditVerification r = edited(p -> p.put("manifest.json", new String(p.get("manifest.json"),
                StandardCharsets.UTF_8).replace("\"entries\":" + n, "\"entries\":" + (n + 1))
                .getBytes(StandardCharsets.UTF_8)));
        assertOnlyProblem(r, Kind.MALFORMED, -1);
        assertTrue(r.problems().get(0).detail().contains("manifest"), r.problems().toString());
    }

    @Test
    void aManifestNamingAnotherHeadIsAnError() throws IOException {
        AuditVerification r = edited(p -> p.put("manifest.json", new String(p.get("manifest.json"),
                StandardCharsets.UTF_8).replace(head.fingerprint(), "00" + head.fingerprint().substring(2))
                .getBytes(StandardCharsets.UTF_8)));
        assertOnlyProblem(r, Kind.MALFORMED, -1);
        assertTrue(r.problems().get(0).detail().contains("manifest"), r.problems().toString());
    }

    @Test
    void alteredLeafHashesAreAnErrorEvenWhenTheEntriesAreIntact() throws IOException {
        AuditVerification r = edited(p -> p.get("leaves.bin")[5 * 32 + 3] ^= 1);
        assertOnlyProblem(r, Kind.MALFORMED, 5);
        assertTrue(r.problems().get(0).detail().contains("leaves.bin"), r.problems().toString());
    }

    @Test
    void aShortLeavesFileIsAnError() throws IOException {
        AuditVerification r = edited(p -> p.put("leaves.bin", java.util.Arrays.copyOf(p.get("leaves.bin"), 32 * 3)));
        assertOnlyProblem(r, Kind.MALFORMED, -1);
        assertTrue(r.problems().get(0).detail().contains("leaves.bin"), r.problems().toString());
    }

    @Test
    void anEditWithTheLeafHashesAlteredToMatchIsStillOneProblemAboutTheEntry() throws IOException {
        AuditVerification r = edited(p -> {
            List<String> l = AuditLogTest.lines(p);
            l.set(9, l.get(9).replace("\"outcome\":\"SUCCESS\"", "\"outcome\":\"FAILURE\""));
            p.put("entries.jsonl", AuditLogTest.join(l));
            System.arraycopy(dev.keyward.vault.audit.Merkle.leafHash(l.get(9).getBytes(StandardCharsets.UTF_8)), 0,
                    p.get("leaves.bin"), 9 * 32, 32);
        });
        assertFalse(r.ok());
        assertTrue(r.problems().stream().anyMatch(x -> x.kind() == Kind.EDITED), r.problems().toString());
        assertTrue(r.problems().size() <= 2, "at most the entry and the leaf file: " + r.problems());
    }
}
