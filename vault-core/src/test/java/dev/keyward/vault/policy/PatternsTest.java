package dev.keyward.vault.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PatternsTest {

    @ParameterizedTest(name = "{0} covers {1}: {2}")
    @CsvSource({
        "secret/app/*, secret/app/db, true",
        "secret/app/*, secret/app/+, true",
        "secret/app/*, secret/app/x/*, true",
        "secret/app/*, secret/app*, false",
        "secret/app*, secret/app/*, true",
        "secret/app*, secret/apple, true",
        "secret/+/db, secret/app/db, true",
        "secret/+/db, secret/*, false",
        "secret/app/db, secret/app/db, true",
        "secret/app/db, secret/app/+, false",
        "secret/app/db, secret/app/db*, false",
        "secret/*, secret/+/db, true",
        "secret/*, secret, false",
        "*, sys/policy/x, true",
        "secret/a/b*, secret/a/+, false",
        "secret/a/*, secret/a/b*, true",
    })
    void covers(String outer, String inner, boolean expected) {
        assertEquals(expected, Patterns.covers(outer, inner));
    }

    @ParameterizedTest(name = "{0} overlaps {1}: {2}")
    @CsvSource({
        "secret/app/*, secret/app/db, true",
        "secret/app/db, secret/other/db, false",
        "secret/+/db, secret/app/+, true",
        "secret/ab*, secret/a*, true",
        "secret/ab*, secret/b*, false",
        "secret/*, secret, false",
        "sec*, secret/x, true",
        "secret/a, secret/a/b, false",
    })
    void overlap(String a, String b, boolean expected) {
        assertEquals(expected, Patterns.overlap(a, b));
        assertEquals(expected, Patterns.overlap(b, a));
    }

    /** Cross-checked with the matcher enforcement uses, over random patterns and paths. */
    @Test
    void agreesWithTheEnforcingMatcher() {
        Random rnd = new Random(3);
        String[] segs = {"a", "b", "ab", "ba"};
        List<String> patterns = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int n = 1 + rnd.nextInt(3);
            StringBuilder p = new StringBuilder();
            StringBuilder q = new StringBuilder();
            for (int s = 0; s < n; s++) {
                String seg = segs[rnd.nextInt(segs.length)];
                p.append(s > 0 ? "/" : "").append(rnd.nextInt(4) == 0 ? "+" : seg);
                q.append(s > 0 ? "/" : "").append(seg);
            }
            if (rnd.nextInt(3) == 0) {
                p.append(p.toString().endsWith("+") || rnd.nextBoolean() ? "/*" : "*");
            }
            patterns.add(p.toString());
            paths.add(q.toString());
        }
        for (String a : patterns) {
            for (String b : patterns) {
                boolean covers = Patterns.covers(a, b);
                boolean overlap = Patterns.overlap(a, b);
                for (String path : paths) {
                    boolean inA = RuleIndex.matches(a, path);
                    boolean inB = RuleIndex.matches(b, path);
                    if (covers) {
                        assertFalse(inB && !inA, a + " said to cover " + b + " but " + path + " is only in the latter");
                    }
                    if (!overlap) {
                        assertFalse(inA && inB, a + " said not to overlap " + b + " but both match " + path);
                    }
                }
            }
        }
    }
}
