package dev.keyward.vault.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuditCheckpoint;
import dev.keyward.vault.api.InclusionProof;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.TreeHead;
import dev.keyward.vault.cli.KeywardCli;
import dev.keyward.vault.engine.TestVaults;
import dev.keyward.vault.server.KeywardServer;
import dev.keyward.vault.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint written by Keyward checks with a verifier written here from the C2SP specs alone
 * (c2sp.org/signed-note and c2sp.org/tlog-checkpoint; RFC 6962 inclusion proofs), with the JDK's
 * own Ed25519, and any alteration is rejected.
 */
class CheckpointVerifierTest {
    @TempDir
    Path dir;

    /** What a verified checkpoint says. */
    record Verified(String origin, long size, byte[] root) {
    }

    /** A verifier key: name+hex(key ID)+base64(type || public key), per the signed-note spec. */
    record VerifierKey(String name, byte[] id, byte type, byte[] key) {
        static VerifierKey parse(String vkey) {
            String[] p = vkey.split("\\+", 3); // the base64 key may hold "+" itself
            if (p.length != 3) {
                throw new IllegalArgumentException("malformed verifier key");
            }
            byte[] typed = Base64.getDecoder().decode(p[2]);
            VerifierKey k = new VerifierKey(p[0], HexFormat.of().parseHex(p[1]), typed[0],
                    Arrays.copyOfRange(typed, 1, typed.length));
            if (k.type != 0x01 || k.key.length != 32) {
                throw new IllegalArgumentException("only Ed25519 (type 0x01, 32-byte key) here");
            }
            if (!Arrays.equals(k.id, keyId(k.name, k.type, k.key))) {
                throw new IllegalArgumentException("the key ID does not match the key");
            }
            return k;
        }
    }

    /** key ID = SHA-256(key name || 0x0A || signature type || public key)[:4] */
    static byte[] keyId(String name, byte type, byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(name.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0x0A);
            sha.update(type);
            sha.update(key);
            return Arrays.copyOf(sha.digest(), 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Verifies a signed note with one known key, then parses its text as a checkpoint of {@code origin}. */
    static Verified verify(byte[] note, VerifierKey known, String origin) throws GeneralSecurityException {
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(note)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("not UTF-8");
        }
        for (char c : s.toCharArray()) {
            if (c < 0x20 && c != '\n') {
                throw new IllegalArgumentException("control character");
            }
        }
        if (!s.endsWith("\n")) {
            throw new IllegalArgumentException("does not end in a newline");
        }
        int split = s.lastIndexOf("\n\n");
        if (split < 0) {
            throw new IllegalArgumentException("no blank line before the signatures");
        }
        String text = s.substring(0, split + 1);
        String[] sigLines = s.substring(split + 2).split("\n", -1);
        int verified = 0;
        int lines = 0;
        for (int i = 0; i < sigLines.length - 1; i++) {
            String line = sigLines[i];
            if (!line.startsWith("\u2014 ")) {
                throw new IllegalArgumentException("a signature line starts with an em dash and a space");
            }
            String rest = line.substring(2);
            int sp = rest.indexOf(' ');
            if (sp <= 0) {
                throw new IllegalArgumentException("signature line without a key name");
            }
            String name = rest.substring(0, sp);
            if (name.contains("+")) {
                throw new IllegalArgumentException("a key name has no '+'");
            }
            byte[] sig = Base64.getDecoder().decode(rest.substring(sp + 1));
            if (sig.length < 4) {
                throw new IllegalArgumentException("signature too short");
            }
            lines++;
            if (!name.equals(known.name()) || !Arrays.equals(Arrays.copyOf(sig, 4), known.id())) {
                continue; // unknown keys are ignored
            }
            Signature v = Signature.getInstance("Ed25519");
            v.initVerify(ed25519(known.key()));
            v.update(text.getBytes(StandardCharsets.UTF_8));
            boolean valid;
            try {
                valid = v.verify(Arrays.copyOfRange(sig, 4, sig.length));
            } catch (java.security.SignatureException malformed) {
                valid = false; // not even an encoding of a signature (e.g. R is not a point on the curve)
            }
            if (!valid) {
                throw new IllegalArgumentException("a signature from the known key does not verify");
            }
            verified++;
        }
        if (lines == 0 || !sigLines[sigLines.length - 1].isEmpty()) {
            throw new IllegalArgumentException("no signature lines");
        }
        if (verified == 0) {
            throw new IllegalArgumentException("no signature from the known key");
        }
        // tlog-checkpoint: origin, tree size, base64 root hash, then optional extension lines.
        String[] body = text.substring(0, text.length() - 1).split("\n", -1);
        if (body.length < 3 || Arrays.stream(body).anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("a checkpoint has at least three non-empty lines");
        }
        if (!body[0].equals(origin)) {
            throw new IllegalArgumentException("another log's checkpoint");
        }
        if (!body[1].matches("0|[1-9][0-9]{0,18}")) {
            throw new IllegalArgumentException("the tree size is a decimal without leading zeroes");
        }
        byte[] root = Base64.getDecoder().decode(body[2]);
        if (root.length != 32) {
            throw new IllegalArgumentException("the root hash is 32 bytes");
        }
        return new Verified(body[0], Long.parseLong(body[1]), root);
    }

    private static PublicKey ed25519(byte[] raw) throws GeneralSecurityException {
        byte[] prefix = HexFormat.of().parseHex("302a300506032b6570032100"); // SPKI for id-Ed25519 (RFC 8410)
        byte[] spki = new byte[prefix.length + raw.length];
        System.arraycopy(prefix, 0, spki, 0, prefix.length);
        System.arraycopy(raw, 0, spki, prefix.length, raw.length);
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    }

    /** RFC 6962 / 9162 inclusion proof check: recomputes the root from a leaf hash and its path. */
    static byte[] rootFromInclusion(long index, long size, byte[] leaf, List<byte[]> path) throws Exception {
        long fn = index;
        long sn = size - 1;
        byte[] r = leaf;
        for (byte[] p : path) {
            if (sn == 0) {
                throw new IllegalArgumentException("proof too long");
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = node(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = node(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0) {
            throw new IllegalArgumentException("proof too short");
        }
        return r;
    }

    private static byte[] node(byte[] left, byte[] right) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update((byte) 0x01);
        sha.update(left);
        sha.update(right);
        return sha.digest();
    }

    @Test
    void aKeywardCheckpointVerifiesAndAlteredOnesAreRejected() throws Exception {
        try (TestVaults.Opened v = TestVaults.initialised(dir.resolve("vault"))) {
            for (int i = 0; i < 20; i++) {
                v.engine().secrets().write(v.caller(), "app/s" + i, SecretData.of(Map.of("v", "x" + i)), null);
            }
            AuditCheckpoint cp = v.engine().audit().checkpoint(v.caller());
            VerifierKey key = VerifierKey.parse(cp.verifierKey());
            String origin = cp.origin();
            assertTrue(origin.startsWith("keyward.local/audit/"), origin);
            assertEquals(origin, key.name(), "the key name is the origin");

            byte[] note = cp.note().getBytes(StandardCharsets.UTF_8);
            Verified ok = verify(note, key, origin);
            TreeHead head = v.engine().audit().latestHead(v.caller());
            assertEquals(head.treeSize(), ok.size());
            assertEquals(head.rootHash(), HexFormat.of().formatHex(ok.root()));
            assertTrue(ok.size() > 20);

            // The root is an RFC 6962 root: an inclusion proof from the vault recomputes it.
            InclusionProof proof = v.engine().audit().inclusionProof(v.caller(), 5, ok.size());
            List<byte[]> path = new ArrayList<>();
            proof.path().forEach(h -> path.add(HexFormat.of().parseHex(h)));
            assertArrayEquals(ok.root(), rootFromInclusion(5, ok.size(), HexFormat.of().parseHex(proof.leafHash()),
                    path));

            // Another signature from an unknown key is ignored; the note still verifies.
            KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(other.getPrivate());
            String text = cp.note().substring(0, cp.note().lastIndexOf("\n\n") + 1);
            s.update(text.getBytes(StandardCharsets.UTF_8));
            byte[] sig = s.sign();
            byte[] line = new byte[4 + sig.length];
            System.arraycopy(new byte[] {1, 2, 3, 4}, 0, line, 0, 4);
            System.arraycopy(sig, 0, line, 4, sig.length);
            String cosigned = cp.note() + "\u2014 witness.example/w " + Base64.getEncoder().encodeToString(line) + "\n";
            assertEquals(ok.size(), verify(cosigned.getBytes(StandardCharsets.UTF_8), key, origin).size());

            String[] lines = cp.note().split("\n", -1);
            List<String> altered = List.of(
                    cp.note().replaceFirst("\n" + ok.size() + "\n", "\n" + (ok.size() + 1) + "\n"),
                    cp.note().replaceFirst("\n" + ok.size() + "\n", "\n" + (ok.size() - 1) + "\n"),
                    cp.note().replace(lines[2], Base64.getEncoder().encodeToString(new byte[32])),
                    lines[0] + "x\n" + cp.note().substring(lines[0].length() + 1),
                    flipSignatureByte(cp.note()),
                    cp.note().substring(0, cp.note().lastIndexOf("\n\n") + 2),
                    cp.note().replace("\n\n", "\nextra\u0007line\n\n"),
                    cp.note().replace("\u2014 ", "- "));
            for (String a : altered) {
                assertThrows(IllegalArgumentException.class, () -> verify(a.getBytes(StandardCharsets.UTF_8), key,
                        origin), "accepted an altered checkpoint:\n" + a);
            }
            // A key of another vault does not verify it; nor does the checkpoint pass as another log's.
            try (TestVaults.Opened w = TestVaults.initialised(dir.resolve("other"))) {
                VerifierKey otherKey = VerifierKey.parse(w.engine().audit().checkpoint(w.caller()).verifierKey());
                assertThrows(IllegalArgumentException.class, () -> verify(note, otherKey, origin));
            }
            assertThrows(IllegalArgumentException.class, () -> verify(note, key, "keyward.local/audit/another"));
        }
    }

    private static String flipSignatureByte(String note) {
        int at = note.lastIndexOf(' ');
        byte[] sig = Base64.getDecoder().decode(note.substring(at + 1).trim());
        sig[10] ^= 1;
        return note.substring(0, at + 1) + Base64.getEncoder().encodeToString(sig) + "\n";
    }

    @Test
    void keywardAuditCheckpointWritesANoteAndTheVerifierKeyOverHttps() throws Exception {
        try (TestVaults.Opened v = TestVaults.initialised(dir.resolve("vault"));
             KeywardServer server = KeywardServer.start(v.engine(), ServerConfig.ephemeral().withRateLimits(0, 0),
                     Clock.systemUTC(), dir.resolve("ca.pem"))) {
            Map<String, String> env = Map.of("KEYWARD_ADDRESS", server.urls().get(0), "KEYWARD_CA_CERT",
                    dir.resolve("ca.pem").toString(), "KEYWARD_HOME", dir.resolve("client").toString(),
                    "KEYWARD_TOKEN", v.session().token());
            Path file = dir.resolve("checkpoint.txt");
            assertEquals(0, cli(env, "audit", "checkpoint", "--out", file.toString()));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(0, KeywardCli.run(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), "audit", "checkpoint",
                    "--verifier-key"));
            VerifierKey key = VerifierKey.parse(out.toString(StandardCharsets.UTF_8).trim());
            Verified ok = verify(Files.readAllBytes(file), key, key.name());
            assertTrue(ok.size() > 0);
            assertTrue(TestVaults.auditEntries(v.engine()).stream()
                    .anyMatch(a -> a.resource() != null && a.resource().equals("audit/checkpoint")),
                    "the checkpoint call is audited");
        }
    }

    private static int cli(Map<String, String> env, String... args) {
        return KeywardCli.run(env, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), args);
    }
}
