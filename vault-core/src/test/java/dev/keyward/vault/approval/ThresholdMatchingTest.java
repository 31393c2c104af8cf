package dev.keyward.vault.approval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyward.vault.api.ApprovalService.Threshold;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The thresholds are met exactly when some assignment of distinct approvers to track slots fills
 * every slot (each approver counted once, for one of their tracks): checked against brute force.
 */
class ThresholdMatchingTest {
    static final List<String> TRACKS = List.of("security", "operations", "development", "*");

    @Provide
    Arbitrary<List<Threshold>> thresholds() {
        return Arbitraries.of(TRACKS).flatMap(t -> Arbitraries.integers().between(1, 3).map(n -> new Threshold(t, n)))
                .list().ofMinSize(0).ofMaxSize(3).uniqueElements(Threshold::track);
    }

    @Provide
    Arbitrary<List<Set<String>>> approvers() {
        return Arbitraries.of(TRACKS).set().ofMinSize(1).ofMaxSize(3).list().ofMaxSize(6);
    }

    @Property(tries = 500)
    void matchesBruteForce(@ForAll("thresholds") List<Threshold> thresholds,
                           @ForAll("approvers") List<Set<String>> approvers) {
        assertEquals(brute(thresholds, approvers), ThresholdMatching.satisfied(thresholds, approvers),
                thresholds + " by " + approvers);
    }

    @Property(tries = 200)
    void neverWithFewerApproversThanTheSumOfThresholds(@ForAll("thresholds") List<Threshold> thresholds,
                                                       @ForAll("approvers") List<Set<String>> approvers) {
        int k = thresholds.stream().mapToInt(Threshold::approve).sum();
        if (approvers.size() < k || thresholds.isEmpty()) {
            assertEquals(false, ThresholdMatching.satisfied(thresholds, approvers));
        }
    }

    /** Tries every way of giving each approver one track or none. */
    static boolean brute(List<Threshold> thresholds, List<Set<String>> approvers) {
        if (thresholds.isEmpty()) {
            return false;
        }
        return assign(0, thresholds, approvers, new ArrayList<>());
    }

    private static boolean assign(int i, List<Threshold> th, List<Set<String>> approvers, List<String> chosen) {
        if (i == approvers.size()) {
            for (Threshold t : th) {
                long n = chosen.stream().filter(t.track()::equals).count();
                if (n < t.approve()) {
                    return false;
                }
            }
            return true;
        }
        Set<String> options = new HashSet<>(approvers.get(i));
        options.add(null);
        for (String o : options) {
            chosen.add(o);
            boolean ok = assign(i + 1, th, approvers, chosen);
            chosen.remove(chosen.size() - 1);
            if (ok) {
                return true;
            }
        }
        return false;
    }
}
