package dev.keyward.vault.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A draft (canonical form made on the caller's thread with the sequence number left open) gives
 * exactly the bytes of the canonical form made with the number, whatever the strings hold.
 */
class AuditDraftTest {
    /** Strings that try to look like the placeholder member, escapes, controls, and non-BMP text. */
    private static final List<String> NASTY = List.of(
            "\"seq\":9007199254740991", "\\\"seq\\\":9007199254740991", "\",\"seq\":9007199254740991,\"x\":\"",
            "\\", "\\\\\"", "\u0000\u001f\u007f", "\b\f\n\r\t", "\u2028\u2029", "\ud83d\ude00 emoji", "é ü €",
            "seq", "9007199254740991", "{\"seq\":1}", "");

    private static AuditEvent event(Random rnd) {
        String[] s = new String[6];
        for (int i = 0; i < s.length; i++) {
            int pick = rnd.nextInt(NASTY.size() + 2);
            s[i] = pick == NASTY.size() ? null : pick == NASTY.size() + 1 ? randomText(rnd) : NASTY.get(pick);
        }
        return new AuditEvent(Instant.ofEpochMilli(rnd.nextLong(0, 4_000_000_000_000L)), "req-" + rnd.nextInt(),
                s[0], s[1], "token", s[2], "secret.read", s[3], AuditEvent.Decision.values()[rnd.nextInt(3)], s[4],
                s[5], null, AuditEvent.Outcome.SUCCESS, null, rnd.nextBoolean() ? null : "hmac");
    }

    private static String randomText(Random rnd) {
        StringBuilder b = new StringBuilder();
        int n = rnd.nextInt(20);
        for (int i = 0; i < n; i++) {
            int kind = rnd.nextInt(4);
            b.append(kind == 0 ? (char) rnd.nextInt(0x20)
                    : kind == 1 ? '"' : kind == 2 ? '\\' : (char) ('a' + rnd.nextInt(26)));
        }
        return b.toString();
    }

    @Test
    void aDraftFilledInEqualsTheCanonicalFormForAnySequence() {
        Random rnd = new Random(8785);
        long[] sequences = {0, 1, 9, 10, 99, 12345, 4_294_967_296L, AuditEntries.SEQ_PLACEHOLDER - 1,
                AuditEntries.SEQ_PLACEHOLDER};
        for (int i = 0; i < 2000; i++) {
            AuditEvent e = event(rnd);
            AuditDraft d = AuditEntries.draft(e);
            long seq = i < sequences.length ? sequences[i] : rnd.nextLong(0, AuditEntries.SEQ_PLACEHOLDER);
            assertArrayEquals(AuditEntries.canonical(seq, e), d.at(seq), "event " + i + " at " + seq);
            assertEquals(seq, AuditEntries.decode(d.at(seq)).sequence());
        }
    }

    @Test
    void aDraftWithoutTemplateIsTheCanonicalForm() {
        AuditEvent e = event(new Random(1));
        assertArrayEquals(AuditEntries.canonical(42, e), AuditDraft.of(e).at(42));
    }

    @Test
    void sequencesOutsideTheExactIntegerRangeAreRefused() {
        AuditDraft d = AuditEntries.draft(event(new Random(2)));
        assertThrows(IllegalArgumentException.class, () -> d.at(-1));
        assertThrows(IllegalArgumentException.class, () -> d.at(AuditEntries.SEQ_PLACEHOLDER + 1));
    }
}
