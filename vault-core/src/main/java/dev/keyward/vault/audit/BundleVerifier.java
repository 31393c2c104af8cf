package dev.keyward.vault.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.vault.api.AuditProblem;
import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.TreeHead;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Verifies an exported evidence bundle offline: it needs neither the vault nor its unseal
 * material, only the bundle (and, ideally, a head fingerprint the operator recorded earlier).
 * It uses only the JDK's SHA-256 and signature verification, as a third-party verifier would.
 */
public final class BundleVerifier {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);

    private BundleVerifier() {
    }

    /**
     * @param bundle              the bundle file
     * @param recordedFingerprint a head fingerprint recorded earlier (hex), or null
     * @param progress            told the number of entries hashed so far
     */
    public static AuditVerification verify(Path bundle, String recordedFingerprint, AuditProgress progress) {
        List<AuditProblem> early = new ArrayList<>();
        try (ZipFile zip = new ZipFile(bundle.toFile())) {
            JsonNode manifest = JSON.readTree(read(zip, "manifest.json"));
            if (manifest == null || !BundleWriter.FORMAT.equals(manifest.path("format").asText())
                    || manifest.path("version").asInt() != BundleWriter.VERSION) {
                return malformed("The file is not a Keyward audit bundle of a known version.");
            }
            long expected = manifest.path("entries").asLong(-1);
            Map<String, AuditKey> keys = new LinkedHashMap<>();
            int line = 0;
            for (String l : lines(read(zip, "keys.jsonl"))) {
                line++;
                try {
                    AuditKey k = TreeHeads.keyFromJson(l);
                    keys.put(k.keyId(), k);
                } catch (IllegalArgumentException e) {
                    early.add(new AuditProblem(AuditProblem.Kind.MALFORMED, -1,
                            "Line " + line + " of keys.jsonl is not a public key."));
                }
            }
            List<TreeHead> heads = new ArrayList<>();
            line = 0;
            for (String l : lines(read(zip, "heads.jsonl"))) {
                line++;
                try {
                    heads.add(TreeHeads.fromJson(l));
                } catch (IllegalArgumentException e) {
                    early.add(new AuditProblem(AuditProblem.Kind.FORGED_HEAD, -1,
                            "Line " + line + " of heads.jsonl is not a tree head: it was altered."));
                }
            }
            ZipEntry leavesEntry = zip.getEntry("leaves.bin");
            byte[] claimed = leavesEntry == null ? null : read(zip, "leaves.bin");
            ZipEntry entries = zip.getEntry("entries.jsonl");
            if (entries == null) {
                return malformed("The bundle has no entries.jsonl.");
            }
            // Sized from the manifest (bounded by the file), so the arrays rarely grow while the tree thread reads.
            long bound = Math.max(0, entries.getSize() / 16);
            int capacity = (int) Math.min(Math.min(Math.max(expected, 0) + 1, bound + 1), 50_000_000);
            LogChecker.Leaves leaves = new LogChecker.Leaves(true, capacity);
            List<Long> sizes = heads.stream().map(TreeHead::treeSize).toList();
            LogChecker.RootTracker tracker = new LogChecker.RootTracker(leaves, sizes);
            Thread tree = new Thread(tracker, "keyward-audit-verify-tree");
            tree.setDaemon(true);
            tree.start();
            try (InputStream in = zip.getInputStream(entries)) {
                hashLines(in, leaves, expected, progress);
            } finally {
                tracker.inputDone();
                joinQuietly(tree);
            }
            AuditVerification v = LogChecker.checkBundle(leaves, heads, keys, claimed, recordedFingerprint,
                    tracker.roots(), new LogChecker.Manifest(expected, manifest.path("latestHeadFingerprint").asText()));
            return MerkleAuditLog.merge(early, v);
        } catch (ZipException e) {
            return malformed("The file is not a readable ZIP bundle.");
        } catch (IOException e) {
            return malformed("The bundle could not be read: " + e.getMessage());
        } catch (MissingPart e) {
            return malformed("The bundle has no " + e.getMessage() + ".");
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static AuditVerification malformed(String why) {
        return new AuditVerification(false, 0, 0, 0, null,
                List.of(new AuditProblem(AuditProblem.Kind.MALFORMED, -1, why)), List.of());
    }

    private static final class MissingPart extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MissingPart(String name) {
            super(name, null, false, false);
        }
    }

    private static byte[] read(ZipFile zip, String name) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new MissingPart(name);
        }
        try (InputStream in = zip.getInputStream(e)) {
            return in.readAllBytes();
        }
    }

    private static List<String> lines(byte[] b) {
        List<String> out = new ArrayList<>();
        for (String l : new String(b, StandardCharsets.UTF_8).split("\n")) {
            if (!l.isEmpty()) {
                out.add(l);
            }
        }
        return out;
    }

    /** Hashes each line as a leaf and notes the sequence it claims. Lines end with '\n'. */
    static void hashLines(InputStream in, LogChecker.Leaves leaves, long expected, AuditProgress progress)
            throws IOException {
        MessageDigest md = Merkle.sha256();
        byte[] buf = new byte[1 << 20];
        int start = 0;
        int end = 0;
        long index = 0;
        while (true) {
            int r = in.read(buf, end, buf.length - end);
            if (r < 0) {
                break;
            }
            end += r;
            int scan = start;
            while (true) {
                int nl = indexOf(buf, scan, end);
                if (nl < 0) {
                    break;
                }
                add(leaves, md, buf, start, nl - start, index++);
                start = nl + 1;
                scan = start;
                if ((index & 0xFFFF) == 0) {
                    progress.progress(index, expected);
                }
            }
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            if (end == buf.length) {
                buf = java.util.Arrays.copyOf(buf, buf.length * 2);
            }
        }
        if (end > start) {
            add(leaves, md, buf, start, end - start, index++);
        }
        progress.progress(index, expected);
    }

    private static int indexOf(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static void add(LogChecker.Leaves leaves, MessageDigest md, byte[] buf, int off, int len, long index) {
        md.update((byte) 0);
        md.update(buf, off, len);
        leaves.add(sequence(buf, off, len), md.digest(), index, len);
    }

    /**
     * The entry's {@code seq}. In canonical JSON a quote inside a string is escaped, so the bytes
     * {@code ,"seq":} followed by a digit only occur as the top-level member (the one nested
     * object, {@code details}, holds strings only); anything else falls back to a full parse.
     * (The hash, not this number, decides authenticity.)
     */
    static long sequence(byte[] b, int off, int len) {
        int end = off + len;
        outer:
        for (int i = off + 1; i + SEQ.length < end; i++) {
            if (b[i] != '"' || (b[i - 1] != ',' && b[i - 1] != '{')) {
                continue;
            }
            for (int k = 1; k < SEQ.length; k++) {
                if (b[i + k] != SEQ[k]) {
                    continue outer;
                }
            }
            int j = i + SEQ.length;
            long v = 0;
            int digits = 0;
            while (j < end && b[j] >= '0' && b[j] <= '9' && digits < 18) {
                v = v * 10 + (b[j] - '0');
                j++;
                digits++;
            }
            if (digits > 0 && j < end && (b[j] == ',' || b[j] == '}')) {
                return v;
            }
            break;
        }
        return AuditEntries.sequenceOf(b, off, len);
    }
}
