package dev.keyward.vault.approval;

import dev.keyward.vault.api.ApprovalService.Threshold;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Whether a request's approvers fill its thresholds, each approver counting once. */
final class ThresholdMatching {
    private ThresholdMatching() {
    }

    /**
     * Whether distinct approvers (each with the tracks they may count for) can fill every
     * threshold, each approver counting once (bipartite matching, augmenting paths).
     */
    static boolean satisfied(List<Threshold> thresholds, List<Set<String>> approvers) {
        if (thresholds.isEmpty()) {
            return false; // a missing threshold never allows
        }
        List<String> slots = new ArrayList<>();
        for (Threshold t : thresholds) {
            if (t.approve() < 1) {
                return false;
            }
            for (int i = 0; i < t.approve(); i++) {
                slots.add(t.track());
            }
        }
        if (slots.size() > approvers.size()) {
            return false;
        }
        int[] slotOwner = new int[slots.size()];
        Arrays.fill(slotOwner, -1);
        for (int s = 0; s < slots.size(); s++) {
            if (!augment(s, slots, approvers, slotOwner, new boolean[approvers.size()])) {
                return false;
            }
        }
        return true;
    }

    /** Kuhn's step: finds an approver for slot {@code s}, moving others along if needed. */
    private static boolean augment(int s, List<String> slots, List<Set<String>> approvers, int[] slotOwner,
                                   boolean[] tried) {
        for (int a = 0; a < approvers.size(); a++) {
            if (tried[a] || !approvers.get(a).contains(slots.get(s))) {
                continue;
            }
            tried[a] = true;
            int held = -1;
            for (int o = 0; o < slotOwner.length; o++) {
                if (slotOwner[o] == a) {
                    held = o;
                }
            }
            if (held < 0) {
                slotOwner[s] = a;
                return true;
            }
            slotOwner[held] = -1;
            if (augment(held, slots, approvers, slotOwner, tried)) {
                slotOwner[s] = a;
                return true;
            }
            slotOwner[held] = a;
        }
        return false;
    }
}
