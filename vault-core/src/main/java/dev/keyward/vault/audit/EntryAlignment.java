package dev.keyward.vault.audit;

import dev.keyward.vault.api.AuditProblem.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Lines the entries found up with the entries the log vouches for and names each change once,
 * the way a diff does. Entries that are where they belong (the longest run of them in increasing
 * order) are anchors. An entry found elsewhere was moved (two that traded places were swapped); a
 * second copy of an entry was inserted. Between two anchors, the entries the log vouches for that
 * are absent and the found entries that match none pair up as edits (an entry claiming the
 * sequence of an absent one pairs with it first); what is left is deleted or inserted. Consecutive
 * entries with the same fate are one problem: one change, one problem, not a cascade.
 */
final class EntryAlignment {
    /** Where problems go (capped by the caller). */
    interface Problems {
        void add(Kind kind, long sequence, String detail);
    }

    /** Describes where found entry {@code i} is (a line of a bundle or a storage slot). */
    interface Where {
        String at(int i);
    }

    private final int[] idx;
    private final long[] claimed;
    private final boolean[] unreadable;
    private final int size;
    private final Where where;
    private final Problems out;

    /**
     * @param idx        per found entry, in the order found: the index of the vouched-for entry it is, or -1
     * @param claimed    per found entry: the sequence number it claims (-1 when unreadable)
     * @param unreadable per found entry: it could not even be opened
     * @param size       how many entries the log vouches for
     */
    private EntryAlignment(int[] idx, long[] claimed, boolean[] unreadable, int size, Where where, Problems out) {
        this.idx = idx;
        this.claimed = claimed;
        this.unreadable = unreadable;
        this.size = size;
        this.where = where;
        this.out = out;
    }

    static void report(int[] idx, long[] claimed, boolean[] unreadable, int size, Where where, Problems out) {
        new EntryAlignment(idx, claimed, unreadable, size, where, out).run();
    }

    private void run() {
        int n = idx.length;
        boolean[] anchor = longestIncreasing();
        int[] at = new int[size];
        Arrays.fill(at, -1);
        for (int i = 0; i < n; i++) {
            if (anchor[i]) {
                at[idx[i]] = i;
            }
        }
        // Anchor lines and their indices, with sentinels before the first and after the last.
        List<Integer> anchorLines = new ArrayList<>();
        anchorLines.add(-1);
        for (int i = 0; i < n; i++) {
            if (anchor[i]) {
                anchorLines.add(i);
            }
        }
        anchorLines.add(n);
        int gaps = anchorLines.size() - 1;

        // Moved entries and second copies.
        boolean[] found = new boolean[size];
        for (int j = 0; j < size; j++) {
            found[j] = at[j] >= 0;
        }
        List<Integer> moved = new ArrayList<>();
        List<Integer> copies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!anchor[i] && idx[i] >= 0) {
                if (found[idx[i]]) {
                    copies.add(i);
                } else {
                    found[idx[i]] = true;
                    moved.add(i);
                }
            }
        }
        reportMoved(moved, anchorLines);
        for (int i : copies) {
            out.add(Kind.INSERTED, idx[i], "A second entry claiming to be entry " + idx[i] + " was inserted at "
                    + where.at(i) + ".");
        }

        // Within each gap: absent entries and entries that match none.
        for (int g = 0; g < gaps; g++) {
            int lo = g == 0 ? -1 : idx[anchorLines.get(g)];
            int hi = g == gaps - 1 ? size : idx[anchorLines.get(g + 1)];
            List<Integer> missing = new ArrayList<>();
            for (int j = lo + 1; j < hi; j++) {
                if (!found[j]) {
                    missing.add(j);
                }
            }
            List<Integer> strangers = new ArrayList<>();
            for (int i = anchorLines.get(g) + 1; i < anchorLines.get(g + 1); i++) {
                if (idx[i] < 0) {
                    strangers.add(i);
                }
            }
            gap(missing, strangers, g == gaps - 1);
        }
    }

    /** Positions in the longest run of found entries whose indices increase strictly. */
    private boolean[] longestIncreasing() {
        int n = idx.length;
        int[] tailIdx = new int[n + 1];
        int[] tailPos = new int[n + 1];
        int[] prev = new int[n];
        int len = 0;
        for (int i = 0; i < n; i++) {
            prev[i] = -1;
            int v = idx[i];
            if (v < 0) {
                continue;
            }
            int lo = 0;
            int hi = len;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (tailIdx[mid] < v) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            tailIdx[lo] = v;
            tailPos[lo] = i;
            prev[i] = lo > 0 ? tailPos[lo - 1] : -1;
            if (lo == len) {
                len++;
            }
        }
        boolean[] in = new boolean[n];
        for (int i = len == 0 ? -1 : tailPos[len - 1]; i >= 0; i = prev[i]) {
            in[i] = true;
        }
        return in;
    }

    /** The gap (between anchors) where vouched-for entry {@code j} belongs. */
    private int idxGap(int j, List<Integer> anchorLines) {
        int lo = 1;
        int hi = anchorLines.size() - 1; // sentinels at 0 and size-1
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (idx[anchorLines.get(mid)] < j) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo - 1;
    }

    private void reportMoved(List<Integer> moved, List<Integer> anchorLines) {
        int[] lineGapOf = new int[moved.size()];
        int[] idxGapOf = new int[moved.size()];
        for (int m = 0; m < moved.size(); m++) {
            int i = moved.get(m);
            int lo = 0;
            int hi = anchorLines.size() - 1;
            while (lo < hi) { // the last g with anchorLines[g] < i
                int mid = (lo + hi + 1) >>> 1;
                if (anchorLines.get(mid) < i) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            lineGapOf[m] = lo;
            idxGapOf[m] = idxGap(idx[i], anchorLines);
        }
        boolean[] done = new boolean[moved.size()];
        Map<Long, List<Integer>> byGaps = new HashMap<>();
        for (int m = 0; m < moved.size(); m++) {
            byGaps.computeIfAbsent(((long) lineGapOf[m] << 32) | idxGapOf[m], k -> new ArrayList<>()).add(m);
        }
        for (int m = 0; m < moved.size(); m++) {
            if (done[m]) {
                continue;
            }
            done[m] = true;
            List<Integer> partners = byGaps.getOrDefault(((long) idxGapOf[m] << 32) | lineGapOf[m], List.of());
            Integer partner = null;
            for (int p : partners) {
                if (!done[p] && lineGapOf[m] != idxGapOf[m]) {
                    partner = p;
                    break;
                }
            }
            int i = moved.get(m);
            if (partner != null) {
                done[partner] = true;
                int k = moved.get(partner);
                int a = Math.min(idx[i], idx[k]);
                int b = Math.max(idx[i], idx[k]);
                int ia = idx[i] == a ? i : k;
                int ib = idx[i] == a ? k : i;
                out.add(Kind.REORDERED, a, "Entries " + a + " and " + b + " are authentic but swapped: entry " + a
                        + " is at " + where.at(ia) + " and entry " + b + " at " + where.at(ib) + ".");
            } else {
                out.add(Kind.REORDERED, idx[i], "Entry " + idx[i] + " is authentic but out of order: it was moved to "
                        + where.at(i) + ".");
            }
        }
    }

    private void gap(List<Integer> missing, List<Integer> strangers, boolean last) {
        List<Integer> open = new ArrayList<>(missing);
        int[] editedAs = new int[strangers.size()];
        Arrays.fill(editedAs, -1);
        for (int s = 0; s < strangers.size(); s++) {
            long c = claimed[strangers.get(s)];
            if (c >= 0 && c < Integer.MAX_VALUE && open.remove(Integer.valueOf((int) c))) {
                editedAs[s] = (int) c;
            }
        }
        for (int s = 0; s < strangers.size() && !open.isEmpty(); s++) {
            if (editedAs[s] < 0) {
                editedAs[s] = open.remove(0);
            }
        }
        // Edits, in runs of consecutive entries on consecutive lines.
        for (int s = 0; s < strangers.size(); ) {
            if (editedAs[s] < 0) {
                s++;
                continue;
            }
            int e = s;
            while (e + 1 < strangers.size() && editedAs[e + 1] == editedAs[e] + 1
                    && strangers.get(e + 1) == strangers.get(e) + 1) {
                e++;
            }
            int first = strangers.get(s);
            String how = unreadable[first] ? "fails its integrity check: it was altered"
                    : "differs from what was logged: its leaf hash does not match";
            out.add(Kind.EDITED, editedAs[s], e == s
                    ? "The entry's content " + how + " (" + where.at(first) + ")."
                    : "Entries " + editedAs[s] + " to " + editedAs[e] + " were edited: each one's content " + how
                    + " (" + where.at(first) + " to " + where.at(strangers.get(e)) + ").");
            s = e + 1;
        }
        // What is left: inserted entries, in runs of consecutive lines.
        for (int s = 0; s < strangers.size(); ) {
            if (editedAs[s] >= 0) {
                s++;
                continue;
            }
            int e = s;
            while (e + 1 < strangers.size() && editedAs[e + 1] < 0 && strangers.get(e + 1) == strangers.get(e) + 1) {
                e++;
            }
            int first = strangers.get(s);
            long seq = claimed[first] >= 0 ? claimed[first] : -1;
            boolean beyond = seq >= size;
            String tail = beyond ? ", after the " + size + " entries the log vouches for (no signed head covers "
                    + (e == s ? "it" : "them") + ")." : ".";
            out.add(Kind.INSERTED, seq, e == s
                    ? "An entry that was never logged was inserted at " + where.at(first) + tail
                    : (e - s + 1) + " entries that were never logged were inserted at " + where.at(first) + " to "
                    + where.at(strangers.get(e)) + tail);
            s = e + 1;
        }
        // Absent entries, in runs; a run at the very end with nothing after it is a cut tail.
        for (int m = 0; m < open.size(); ) {
            int e = m;
            while (e + 1 < open.size() && open.get(e + 1) == open.get(e) + 1) {
                e++;
            }
            int a = open.get(m);
            int b = open.get(e);
            boolean cut = last && b == size - 1 && e == open.size() - 1 && strangers.isEmpty();
            if (cut) {
                out.add(Kind.TRUNCATED, a, "Entries " + a + " to " + b + " are missing: the log was cut after "
                        + (a == 0 ? "its start" : "entry " + (a - 1)) + ".");
            } else {
                out.add(Kind.DELETED, a, a == b ? "Entry " + a + " was deleted." : "Entries " + a + " to " + b
                        + " were deleted.");
            }
            m = e + 1;
        }
    }
}
