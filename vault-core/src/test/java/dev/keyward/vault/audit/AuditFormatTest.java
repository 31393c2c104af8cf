package dev.keyward.vault.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.TreeHead;
import dev.keyward.vault.crypto.DestroyableKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The byte formats of docs/audit-format.md: canonical JSON, hashing, signed heads, and its test vectors. */
class AuditFormatTest {
    static final HexFormat HEX = HexFormat.of();

    @Nested
    class Rfc8785 {
        @Test
        void canonicalizesTheRfcSampleExactly() {
            String in = "{\n  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
                    + "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
                    + "  \"literals\": [null, true, false]\n}";
            String expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                    + "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
            assertEquals(expected, new String(AuditEntries.canonicalize(in), StandardCharsets.UTF_8));
        }

        @Test
        void sortsPropertiesByUtf16CodeUnitsAsTheRfcExample() {
            String in = "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\","
                    + "\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\","
                    + "\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}";
            String out = new String(AuditEntries.canonicalize(in), StandardCharsets.UTF_8);
            List<String> values = new ArrayList<>();
            Matcher m = Pattern.compile(":\"([^\"]*)\"").matcher(out);
            while (m.find()) {
                values.add(m.group(1));
            }
            assertEquals(List.of("Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis", "Euro Sign",
                    "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh"), values);
            assertTrue(out.startsWith("{\"\\r\":"));
        }
    }

    @Test
    void entriesAreExactlyWhatTheReferenceCanonicalizerMakesOfThemForAnyText() {
        java.util.Random rnd = new java.util.Random(8785);
        String[] pieces = {"a", "Z", "/", "\"", "\\", "\u007f", "\u0080", "\u00e9", "\u20ac", "\u2028", "\ufb33",
            "\ud83d\ude00", "\n", "\t", "\b", "\f", "\r", "\u0000", "\u001f", "\ud800", "\udfff", " ", "<", "'"};
        for (int i = 0; i < 3_000; i++) {
            String[] text = new String[8];
            for (int j = 0; j < text.length; j++) {
                if (rnd.nextInt(5) == 0) {
                    continue; // absent
                }
                StringBuilder b = new StringBuilder();
                int n = rnd.nextInt(12);
                boolean plainOnly = i % 2 == 0; // half of the events take the generator, half mix in escapes
                for (int k = 0; k < n; k++) {
                    String p = pieces[rnd.nextInt(pieces.length)];
                    b.append(plainOnly && (p.charAt(0) < 0x20 || Character.isSurrogate(p.charAt(0))) ? "x" : p);
                }
                text[j] = b.toString();
            }
            AuditEvent event = new AuditEvent(Instant.ofEpochMilli(rnd.nextLong() & 0xffffffffffL), "req-" + i, text[0],
                    text[1], "TOKEN", text[2], "secret.read", text[3],
                    AuditEvent.Decision.values()[rnd.nextInt(3)], text[4], text[5], text[6],
                    AuditEvent.Outcome.values()[rnd.nextInt(2)], text[7], i % 3 == 0 ? null : "hmac-" + i);
            AuditEvent e = event;
            if (i % 4 < 2) {
                Map<String, String> details = new LinkedHashMap<>();
                details.put("step", text[0] == null ? "set" : text[0]);
                details.put("seq", "x" + i); // a detail named like the top-level member
                details.put("A-b_c.9", text[2] == null ? "" : text[2]);
                e = event.withDetails(details);
            }
            AuditEvent entry = e;
            long seq = i % 7 == 0 ? AuditEntries.SEQ_PLACEHOLDER : rnd.nextInt(1 << 30);
            String reference;
            try {
                reference = new String(AuditEntries.canonicalize(AuditEntries.json(seq, entry)),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException refused) {
                // a lone surrogate is not text the reference writes: neither may the entry writer
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> AuditEntries.canonical(seq, entry));
                continue;
            }
            assertEquals(reference, new String(AuditEntries.canonical(seq, entry), StandardCharsets.UTF_8), "event " + i);
            if (seq != AuditEntries.SEQ_PLACEHOLDER) {
                byte[] bytes = AuditEntries.canonical(seq, entry);
                assertEquals(seq, BundleVerifier.sequence(bytes, 0, bytes.length), "seq of event " + i);
                if (entry.details().values().stream().noneMatch(t -> t.chars().anyMatch(c -> Character.isSurrogate((char) c)))) {
                    // (a lone surrogate is written as '?', as the reference canonicalizer writes it)
                    assertEquals(entry.details(), AuditEntries.decode(bytes).details(), "details of event " + i);
                }
            }
        }
    }

    @Test
    void storageKeysAreFixedWidthLowercaseHexSoThatTheySortBySequence() {
        assertEquals("audit/e/00000000000000ff", MerkleAuditLog.entryKey(255));
        assertEquals("audit/h/1f/000000000000abcd", MerkleAuditLog.nodeKey(31, 0xabcd));
        assertEquals("audit/sth/0000000100000000", MerkleAuditLog.headKey(1L << 32));
        assertTrue(MerkleAuditLog.entryKey(9).compareTo(MerkleAuditLog.entryKey(10)) < 0);
    }

    @Test
    void entriesRoundTripAndCarryNoAbsentMembers() {
        byte[] b = AuditEntries.canonical(7, events().get(2));
        String s = new String(b, StandardCharsets.UTF_8);
        assertFalse(s.contains("null"));
        assertFalse(s.contains("identityId"));
        assertFalse(s.contains("details"), "an entry without details has no details member");
        AuditRecord r = AuditEntries.decode(b);
        assertEquals(7, r.sequence());
        assertEquals("operator.login", r.operation());
        assertEquals(7, BundleVerifier.sequence(b, 0, b.length));
    }

    @Test
    void detailsAreOneObjectOfStringsSortedByName() {
        AuditEvent e = events().get(2).withDetails(Map.of("trigger", "schedule", "step", "set", "durationMs", "12"));
        String s = new String(AuditEntries.canonical(3, e), StandardCharsets.UTF_8);
        assertTrue(s.contains("\"decision\":\"NONE\",\"details\":{\"durationMs\":\"12\",\"step\":\"set\","
                + "\"trigger\":\"schedule\"},\"errorClass\""), s);
        assertEquals("set", AuditEntries.decode(s.getBytes(StandardCharsets.UTF_8)).detail("step"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> e.withDetails(Map.of("no spaces", "x")));
    }

    @Test
    void theVectorsInTheFormatDocumentMatchThisImplementation() throws IOException {
        Map<String, String> computed = vectors();
        Map<String, String> documented = documented();
        assertFalse(documented.isEmpty(), "docs/audit-format.md has a test vector block");
        assertEquals(computed.keySet(), documented.keySet(), "vector names");
        for (String k : computed.keySet()) {
            assertEquals(computed.get(k), documented.get(k), k);
        }
    }

    /** A signed head from the documented vectors verifies, and fails once any signed field changes. */
    @Test
    void documentedHeadVerifiesAndAnyChangeBreaksIt() throws IOException {
        Map<String, String> v = documented();
        TreeHead h = TreeHeads.fromJson(v.get("head.json"));
        AuditKey key = TreeHeads.keyFromJson(v.get("key.json"));
        assertTrue(TreeHeads.verify(h, key));
        assertEquals(v.get("head.fingerprint"), h.fingerprint());
        TreeHead moved = TreeHeads.fromJson(v.get("head.json").replace("\"treeSize\":3", "\"treeSize\":4"));
        assertFalse(TreeHeads.verify(moved, key));
    }

    static List<AuditEvent> events() {
        Instant t = Instant.parse("2026-11-23T12:00:00Z");
        return List.of(
                new AuditEvent(t, "6f1c2a7e-2b7d-4c1e-9a51-0d3f3c1b8e01", "op-1", "alice", "TOKEN", "127.0.0.1",
                        "secret.read", "secret/app/db", AuditEvent.Decision.ALLOW, "role:admin",
                        "ticket SEC-42 \"rotate\" \u00fc\u20ac", null, AuditEvent.Outcome.SUCCESS, null,
                        "q1mU9c2o9yJ9oC3c7xQnJmS9wGJgC2x2f0kq3s7a5lE"),
                new AuditEvent(t.plusMillis(1500), "0b8f9f4e-9e0f-4a44-8d7e-5f2f52c0a7b2", "op-2", "bob", "TOKEN",
                        "10.0.0.7", "secret.write", "secret/app/db", AuditEvent.Decision.DENY, "default-deny", null,
                        null, AuditEvent.Outcome.FAILURE, "AccessDeniedException", null),
                new AuditEvent(t.plusSeconds(3), "c3d5e7f9-1a2b-4c3d-8e9f-a0b1c2d3e4f5", null, "mallory",
                        "OPERATOR_PASSPHRASE", "10.0.0.9", "operator.login", null, AuditEvent.Decision.NONE, null,
                        null, null, AuditEvent.Outcome.FAILURE, "AuthenticationFailedException", null));
    }

    static Map<String, String> vectors() {
        Map<String, String> v = new LinkedHashMap<>();
        List<AuditEvent> events = events();
        Merkle.Frontier f = new Merkle.Frontier();
        List<byte[]> leaves = new ArrayList<>();
        Map<String, byte[]> nodes = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            byte[] entry = AuditEntries.canonical(i, events.get(i));
            byte[] leaf = Merkle.leafHash(entry);
            leaves.add(leaf);
            v.put("entry." + i, new String(entry, StandardCharsets.UTF_8));
            v.put("leaf." + i, HEX.formatHex(leaf));
            f.append(leaf, (level, index, hash) -> nodes.put(level + "/" + index, hash));
            v.put("root." + (i + 1), HEX.formatHex(f.root()));
        }
        Merkle.Nodes src = (level, index) -> nodes.get(level + "/" + index);
        v.put("inclusion.1.of.3", hexList(Merkle.inclusionProof(src, 1, 3)));
        v.put("consistency.2.to.3", hexList(Merkle.consistencyProof(src, 2, 3)));
        byte[] seed = new byte[32];
        for (int i = 0; i < 32; i++) {
            seed[i] = (byte) (i + 1);
        }
        Ed25519HeadSigner signer = new Ed25519HeadSigner(DestroyableKey.copyOf(seed, "Ed25519"));
        v.put("key.seed", HEX.formatHex(seed));
        v.put("key.json", TreeHeads.toJson(TreeHeads.keyOf(signer)));
        TreeHead h = TreeHeads.sign(3, f.root(), Instant.ofEpochMilli(1_795_435_205_000L), signer);
        v.put("head.signedBytes", HEX.formatHex(TreeHeads.signedBytes(h)));
        v.put("head.fingerprint", h.fingerprint());
        v.put("head.json", TreeHeads.toJson(h));
        assertEquals(64, Base64.getDecoder().decode(h.signature()).length);
        return v;
    }

    static String hexList(List<byte[]> l) {
        return String.join(",", l.stream().map(HEX::formatHex).toList());
    }

    /** The {@code name = value} lines of the fenced block after "## Test vectors" in docs/audit-format.md. */
    static Map<String, String> documented() throws IOException {
        Path doc = Path.of("..", "docs", "audit-format.md");
        if (!Files.exists(doc)) {
            doc = Path.of("docs", "audit-format.md");
        }
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int at = text.indexOf("## Test vectors");
        Map<String, String> out = new LinkedHashMap<>();
        if (at < 0) {
            return out;
        }
        int start = text.indexOf("```", at);
        int end = text.indexOf("```", start + 3);
        for (String line : text.substring(text.indexOf('\n', start) + 1, end).split("\n")) {
            int eq = line.indexOf(" = ");
            if (eq > 0) {
                out.put(line.substring(0, eq).trim(), line.substring(eq + 3));
            }
        }
        return out;
    }

    /** Prints the vectors in the document's format (run by hand when the format changes on purpose). */
    public static void main(String[] args) {
        vectors().forEach((k, val) -> System.out.println(k + " = " + val));
    }
}
