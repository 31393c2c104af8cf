package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The scanner's side of a leak scan: sends documents to the vault in batches (a long document in
 * segments), turns the offsets the vault reports into file, line and column, and keeps the
 * findings. It never sees a stored value, and it never keeps, prints or writes the bytes found:
 * a finding names where the value is and which secret it is.
 */
final class LeakScanner implements LeakSources.Visitor {
    /** A file with a NUL byte in its first 8000 bytes is binary (the rule git uses). */
    static final int BINARY_PROBE = 8000;

    record Finding(String file, Path repo, String blob, long line, long column, String path, String field,
                   int version, boolean current) {
    }

    record Problem(String where, String message) {
    }

    private static final class DocState {
        final String id;
        final LeakSources.Doc doc;
        long[] newlines = new long[8];
        int lines;

        DocState(String id, LeakSources.Doc doc) {
            this.id = id;
            this.doc = doc;
        }

        void index(byte[] b, long offset) {
            for (int i = 0; i < b.length; i++) {
                if (b[i] == '\n') {
                    if (lines == newlines.length) {
                        newlines = Arrays.copyOf(newlines, lines * 2);
                    }
                    newlines[lines++] = offset + i;
                }
            }
        }

        /** {line, column}, both from 1, of a byte offset. */
        long[] position(long offset) {
            int lo = 0;
            int hi = lines;
            while (lo < hi) { // the number of newlines before offset
                int mid = (lo + hi) >>> 1;
                if (newlines[mid] < offset) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            long lineStart = lo == 0 ? 0 : newlines[lo - 1] + 1;
            return new long[] {lo + 1L, offset - lineStart + 1};
        }
    }

    private record Segment(DocState doc, long offset, byte[] data, boolean more) {
    }

    private final KeywardCli cli;
    private final boolean binary;
    private String scanId;
    private int maxBytes;
    private int chunk;
    private final List<Segment> batch = new ArrayList<>();
    private int batchBytes;
    private int nextId;
    private final List<Finding> findings = new ArrayList<>();
    private final List<Problem> problems = new ArrayList<>();
    private long documents;
    private long bytes;
    private long skippedBinary;
    private int values;
    private int tooShort;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "keyward-scan-sender");
        t.setDaemon(true);
        return t;
    });
    private Future<JsonNode> inFlight;
    private Map<String, DocState> inFlightDocs = Map.of();

    LeakScanner(KeywardCli cli, boolean binary) {
        this.cli = cli;
        this.binary = binary;
    }

    /** Opens the scan in the vault. */
    /** The vault's id of this scan (for reasons that name it), or null before {@link #start}. */
    String scanId() {
        return scanId;
    }

    void start() {
        JsonNode d = cli.data("POST", "kw/governance/scan", null);
        scanId = d.path("scan_id").asText();
        maxBytes = Math.max(4096, d.path("max_request_bytes").asInt(512 * 1024));
        chunk = Math.max(1024, maxBytes / 4);
        values = d.path("values").asInt();
        tooShort = d.path("too_short").asInt();
    }

    @Override
    public void document(LeakSources.Doc doc, InputStream in) throws IOException {
        byte[] head = in.readNBytes(BINARY_PROBE);
        if (!binary && isBinary(head)) {
            if (doc.explicit()) {
                problem(doc.file(), "is a binary file: not scanned (--binary scans binary files too)");
            } else {
                skippedBinary++;
            }
            return;
        }
        documents++;
        DocState d = new DocState("d" + nextId++, doc);
        byte[] held = concat(head, in.readNBytes(Math.max(0, chunk - head.length)));
        long offset = 0;
        while (held.length > 0) {
            byte[] next = in.readNBytes(chunk);
            d.index(held, offset);
            add(new Segment(d, offset, held, next.length > 0));
            offset += held.length;
            held = next;
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        if (b.length == 0) {
            return a;
        }
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static boolean isBinary(byte[] head) {
        for (byte b : head) {
            if (b == 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void problem(String where, String message) {
        problems.add(new Problem(where, message));
    }

    private void add(Segment s) {
        if (batchBytes + s.data().length > maxBytes) {
            flush();
        }
        batch.add(s);
        batchBytes += s.data().length;
    }

    /**
     * Sends the batch. One batch is in flight while the next is read: its answer is taken (and its
     * hits turned into findings) before the next batch is sent.
     */
    private void flush() {
        if (batch.isEmpty()) {
            return;
        }
        List<Map<String, Object>> docs = new ArrayList<>();
        Map<String, DocState> byId = new HashMap<>();
        for (Segment s : batch) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.doc().id);
            m.put("offset", s.offset());
            m.put("data", s.data());
            m.put("more", s.more());
            docs.add(m);
            byId.put(s.doc().id, s.doc());
        }
        awaitInFlight();
        Map<String, Object> body = Map.of("documents", docs);
        String route = "kw/governance/scan/" + scanId;
        inFlight = sender.submit(() -> cli.data("POST", route, body));
        inFlightDocs = byId;
        bytes += batchBytes;
        batch.clear();
        batchBytes = 0;
    }

    private void awaitInFlight() {
        if (inFlight == null) {
            return;
        }
        JsonNode d;
        try {
            d = inFlight.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new CliException(ExitCodes.INTERNAL, "The scan request failed.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.INTERNAL, "Interrupted.");
        } finally {
            inFlight = null;
        }
        for (JsonNode h : d.path("hits")) {
            DocState st = inFlightDocs.get(h.path("document_id").asText());
            if (st == null) {
                continue;
            }
            long[] pos = st.position(h.path("offset").asLong());
            findings.add(new Finding(st.doc.file(), st.doc.repo(), st.doc.blob(), pos[0], pos[1],
                    h.path("path").asText(), h.path("field").asText(), h.path("version").asInt(),
                    h.path("current").asBoolean()));
        }
        inFlightDocs = Map.of();
    }

    /** Sends what is left and ends the scan in the vault. */
    void finish() {
        try {
            flush();
            awaitInFlight();
            cli.data("DELETE", "kw/governance/scan/" + scanId, null);
        } finally {
            sender.shutdownNow();
        }
    }

    List<Finding> findings() {
        return findings;
    }

    List<Problem> problems() {
        return problems;
    }

    long documents() {
        return documents;
    }

    long bytes() {
        return bytes;
    }

    long skippedBinary() {
        return skippedBinary;
    }

    int values() {
        return values;
    }

    int tooShort() {
        return tooShort;
    }
}
