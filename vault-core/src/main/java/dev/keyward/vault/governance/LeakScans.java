package dev.keyward.vault.governance;

import dev.keyward.vault.api.GovernanceService.ScanDocument;
import dev.keyward.vault.api.GovernanceService.ScanHit;
import dev.keyward.vault.api.GovernanceService.ScanResult;
import dev.keyward.vault.api.GovernanceService.ScanStart;
import dev.keyward.vault.api.GovernanceService.ScanTotals;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.crypto.Random;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The leak scans in progress: each a {@link LeakIndex} under its own random key, in memory only.
 * A scan expires an hour after its last use, and every scan is dropped when the vault seals
 * ({@link #close}). A document sent in segments keeps the last bytes of its previous segment here
 * (at most the longest stored value's length less one), so that a value spanning two segments is
 * found; those bytes are wiped when the next segment arrives or the scan ends.
 */
public final class LeakScans implements AutoCloseable {
    public static final Duration IDLE_EXPIRY = Duration.ofHours(1);
    /** Scans open at once. */
    public static final int MAX_SCANS = 8;
    /** Document bytes per call (base64 in a JSON body, this fits the endpoint's default 1 MiB). */
    public static final int MAX_REQUEST_BYTES = 512 * 1024;
    /** Documents of one scan with segments still to come. */
    public static final int MAX_OPEN_DOCUMENTS = 16;

    private final Map<String, Scan> scans = new HashMap<>();

    private static final class Scan {
        final LeakIndex index;
        final Map<String, Carry> open = new HashMap<>();
        Instant lastUsed;
        long documents;
        long bytes;
        long hits;

        Scan(LeakIndex index, Instant now) {
            this.index = index;
            this.lastUsed = now;
        }

        void drop() {
            open.values().forEach(c -> Arrays.fill(c.tail, (byte) 0));
            open.clear();
            index.close();
        }
    }

    private record Carry(long nextOffset, byte[] tail) {
    }

    /** Opens a scan over {@code index}; the index is closed when the scan ends. */
    public synchronized ScanStart open(LeakIndex index, int tooShort, Instant now) {
        expire(now);
        if (scans.size() >= MAX_SCANS) {
            index.close();
            throw new InvalidRequestException("There are already " + MAX_SCANS + " leak scans open: end one first"
                    + " (they also expire after an hour unused).");
        }
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(Random.bytes(16));
        scans.put(id, new Scan(index, now));
        return new ScanStart(id, index.values(), tooShort, LeakIndex.MIN_LENGTH, MAX_REQUEST_BYTES,
                now.plus(IDLE_EXPIRY));
    }

    private synchronized Scan get(String id, Instant now) {
        expire(now);
        Scan s = id == null ? null : scans.get(id);
        if (s == null) {
            throw new NotFoundException("There is no open leak scan with that id (it ended, expired, or the vault"
                    + " was sealed since): start a new one.");
        }
        s.lastUsed = now;
        return s;
    }

    /** Whether the scan exists (for the door's resource check before the act). */
    public synchronized boolean exists(String id, Instant now) {
        expire(now);
        return id != null && scans.containsKey(id);
    }

    public ScanResult scan(String id, List<ScanDocument> documents, Instant now) {
        long total = 0;
        for (ScanDocument d : documents) {
            total += d.data().length;
        }
        if (total > MAX_REQUEST_BYTES) {
            throw new InvalidRequestException("One scan call takes at most " + MAX_REQUEST_BYTES
                    + " bytes of documents: send them in more calls.");
        }
        Scan s = get(id, now);
        List<ScanHit> hits = new ArrayList<>();
        synchronized (s) {
            for (ScanDocument d : documents) {
                scanOne(s, d, hits);
            }
            s.bytes += total;
            s.hits += hits.size();
        }
        return new ScanResult(hits, total);
    }

    private static void scanOne(Scan s, ScanDocument d, List<ScanHit> hits) {
        Carry c = s.open.remove(d.id());
        byte[] buf;
        long base;
        int reportAfter;
        if (d.offset() == 0) {
            if (c != null) {
                Arrays.fill(c.tail, (byte) 0);
            }
            buf = d.data();
            base = 0;
            reportAfter = 0;
            s.documents++;
        } else {
            if (c == null || c.nextOffset != d.offset()) {
                if (c != null) {
                    Arrays.fill(c.tail, (byte) 0);
                }
                throw new InvalidRequestException("A segment of document '" + d.id() + "' at offset " + d.offset()
                        + " does not follow the segment before it: send a document's segments in order.");
            }
            buf = new byte[c.tail.length + d.data().length];
            System.arraycopy(c.tail, 0, buf, 0, c.tail.length);
            System.arraycopy(d.data(), 0, buf, c.tail.length, d.data().length);
            Arrays.fill(c.tail, (byte) 0);
            base = d.offset() - c.tail.length;
            reportAfter = c.tail.length;
        }
        try {
            for (LeakIndex.Hit h : s.index.scan(buf, buf.length, reportAfter)) {
                LeakIndex.Ref r = h.ref();
                hits.add(new ScanHit(d.id(), base + h.offset(), h.length(), r.path(), r.field(), r.version(),
                        r.current()));
            }
            if (d.more()) {
                if (s.open.size() >= MAX_OPEN_DOCUMENTS) {
                    throw new InvalidRequestException("At most " + MAX_OPEN_DOCUMENTS + " documents of one scan can"
                            + " wait for further segments: finish one first.");
                }
                int keep = Math.min(Math.max(0, s.index.maxLength() - 1), buf.length);
                s.open.put(d.id(), new Carry(d.offset() + d.data().length,
                        Arrays.copyOfRange(buf, buf.length - keep, buf.length)));
            }
        } finally {
            if (buf != d.data()) {
                Arrays.fill(buf, (byte) 0);
            }
        }
    }

    public synchronized ScanTotals end(String id, Instant now) {
        Scan s = get(id, now);
        scans.remove(id);
        synchronized (s) {
            s.drop();
            return new ScanTotals(id, s.documents, s.bytes, s.hits);
        }
    }

    private void expire(Instant now) {
        for (Iterator<Scan> it = scans.values().iterator(); it.hasNext(); ) {
            Scan s = it.next();
            if (!now.isBefore(s.lastUsed.plus(IDLE_EXPIRY))) {
                it.remove();
                synchronized (s) {
                    s.drop();
                }
            }
        }
    }

    /** Drops every scan (the vault sealed). */
    @Override
    public synchronized void close() {
        for (Scan s : scans.values()) {
            synchronized (s) {
                s.drop();
            }
        }
        scans.clear();
    }

    @Override
    public String toString() {
        return "LeakScans[" + scans.size() + " open]";
    }
}
