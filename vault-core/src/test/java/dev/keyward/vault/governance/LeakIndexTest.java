package dev.keyward.vault.governance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.GovernanceService.ScanDocument;
import dev.keyward.vault.api.GovernanceService.ScanHit;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotFoundException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LeakIndexTest {
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String randomText(Random rnd, int n) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n=:\"'-_/+";
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    @Test
    void findsValuesOfEveryLengthWhereverTheyAreAndNothingElse() {
        Random rnd = new Random(7);
        String token = "tok_8f3a9c2d7e1b";                                    // 16 bytes, glued to text below
        String passphrase = "correct horse battery staple";                  // spaces inside
        String pem = "-----BEGIN KEY-----\n" + randomText(rnd, 3000) + "\n-----END KEY-----"; // line breaks inside
        String huge = randomText(rnd, 200_000);                              // a long field
        String exact8 = "8charsXY";
        LeakIndex.Builder b = LeakIndex.builder();
        b.add(utf8(token), new LeakIndex.Ref("app/api", "token", 2, true));
        b.add(utf8(passphrase), new LeakIndex.Ref("app/wifi", "pass", 1, true));
        b.add(utf8(pem), new LeakIndex.Ref("app/tls", "key", 1, false));
        b.add(utf8(huge), new LeakIndex.Ref("app/blob", "data", 3, true));
        b.add(utf8(exact8), new LeakIndex.Ref("app/short", "v", 1, true));
        b.add(utf8("1234567"), new LeakIndex.Ref("app/pin", "pin", 1, true));
        assertEquals(1, b.tooShort());
        try (LeakIndex index = b.build()) {
            assertEquals(5, index.values());
            String doc = "header\nAPI_KEY=" + token + "suffix and " + passphrase + ".\n" + pem + "\n"
                    + huge + exact8 + " pin 1234567";
            byte[] d = utf8(doc);
            List<LeakIndex.Hit> hits = index.scan(d, d.length, 0);
            List<String> found = hits.stream().map(h -> h.ref().path() + "@" + h.offset() + "+" + h.length()).toList();
            assertEquals(List.of(
                    "app/api@" + doc.indexOf(token) + "+" + token.length(),
                    "app/wifi@" + doc.indexOf(passphrase) + "+" + passphrase.length(),
                    "app/tls@" + doc.indexOf(pem) + "+" + pem.length(),
                    "app/blob@" + doc.indexOf(huge) + "+" + huge.length(),
                    "app/short@" + doc.indexOf(exact8) + "+" + exact8.length()), found);

            byte[] ordinary = utf8(randomText(new Random(99), 500_000) + token.substring(0, 15) + " "
                    + passphrase.replace(' ', '_'));
            assertTrue(index.scan(ordinary, ordinary.length, 0).isEmpty(), "near misses are not findings");
        }
    }

    @Test
    void oneValueAtManyPathsNamesEachAndRepeatsAreEachFound() {
        LeakIndex.Builder b = LeakIndex.builder();
        b.add(utf8("shared-value-123"), new LeakIndex.Ref("a", "f", 1, true));
        b.add(utf8("shared-value-123"), new LeakIndex.Ref("b", "g", 4, false));
        try (LeakIndex index = b.build()) {
            assertEquals(1, index.values());
            byte[] d = utf8("shared-value-123 shared-value-123");
            assertEquals(4, index.scan(d, d.length, 0).size());
        }
    }

    @Test
    void aValueSpanningSegmentsIsFoundOnceWithItsDocumentOffset() {
        String value = "span-" + "x".repeat(5000) + "-end";
        LeakIndex.Builder b = LeakIndex.builder();
        b.add(utf8(value), new LeakIndex.Ref("app/span", "v", 1, true));
        b.add(utf8("early-value-1"), new LeakIndex.Ref("app/early", "v", 1, true));
        try (LeakScans scans = new LeakScans()) {
            String id = scans.open(b.build(), 0, NOW).id();
            String doc = "early-value-1 " + "y".repeat(100_000) + value + " tail";
            byte[] all = utf8(doc);
            int cut1 = doc.indexOf(value) + 10;   // inside the value
            int cut2 = cut1 + 3000;               // still inside it
            List<ScanHit> hits = new ArrayList<>();
            hits.addAll(scans.scan(id, List.of(new ScanDocument("f", 0, slice(all, 0, cut1), true)), NOW).hits());
            hits.addAll(scans.scan(id, List.of(new ScanDocument("f", cut1, slice(all, cut1, cut2), true)), NOW)
                    .hits());
            hits.addAll(scans.scan(id, List.of(new ScanDocument("f", cut2, slice(all, cut2, all.length), false)), NOW)
                    .hits());
            assertEquals(List.of("app/early@0", "app/span@" + doc.indexOf(value)),
                    hits.stream().map(h -> h.path() + "@" + h.offset()).toList());
            assertThrows(InvalidRequestException.class, () -> scans.scan(id,
                    List.of(new ScanDocument("g", 10, utf8("out of order"), false)), NOW));
            assertEquals(2, scans.end(id, NOW).hits());
            assertThrows(NotFoundException.class, () -> scans.scan(id, List.of(), NOW));
        }
    }

    @Test
    void scansExpireAndGoWhenClosed() {
        LeakScans scans = new LeakScans();
        String a = scans.open(LeakIndex.builder().build(), 0, NOW).id();
        assertThrows(NotFoundException.class, () -> scans.scan(a, List.of(), NOW.plus(LeakScans.IDLE_EXPIRY)));
        String b = scans.open(LeakIndex.builder().build(), 0, NOW).id();
        scans.close();
        assertThrows(NotFoundException.class, () -> scans.scan(b, List.of(), NOW));
    }

    private static byte[] slice(byte[] a, int from, int to) {
        return java.util.Arrays.copyOfRange(a, from, to);
    }
}
