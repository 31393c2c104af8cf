package dev.keyward.vault.policy;

import dev.keyward.vault.api.PolicyRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The rules of a set of policies indexed by path segments, so that finding the rules that match a
 * path costs about the path's depth, not the number of rules. Patterns: literal segments, {@code +}
 * for exactly one non-empty segment, and a trailing {@code *} matching any suffix (within and past
 * the segment it ends).
 */
final class RuleIndex {

    /** A rule with the policy it belongs to. */
    record Entry(String policy, int version, PolicyRule rule, int order) {
    }

    private static final class Node {
        final Map<String, Node> literal = new HashMap<>();
        Node plus;
        final List<Entry> exact = new ArrayList<>();
        /** Rules ending in '*' at this depth: the text before the star in the segment, and the rule. */
        final List<Map.Entry<String, Entry>> stars = new ArrayList<>();
    }

    private final Node root = new Node();
    private int size;

    void add(Entry e) {
        String p = e.rule().path();
        String[] segs = p.split("/", -1);
        Node n = root;
        for (int i = 0; i < segs.length; i++) {
            String s = segs[i];
            if (i == segs.length - 1 && s.endsWith("*")) {
                n.stars.add(Map.entry(s.substring(0, s.length() - 1), e));
                size++;
                return;
            }
            if (s.equals("+")) {
                if (n.plus == null) {
                    n.plus = new Node();
                }
                n = n.plus;
            } else {
                n = n.literal.computeIfAbsent(s, k -> new Node());
            }
        }
        n.exact.add(e);
        size++;
    }

    int size() {
        return size;
    }

    /** Calls {@code out} for every rule whose pattern matches {@code path}. */
    void match(String path, Consumer<Entry> out) {
        String[] segs = path.split("/", -1);
        int[] offsets = new int[segs.length];
        int o = 0;
        for (int i = 0; i < segs.length; i++) {
            offsets[i] = o;
            o += segs[i].length() + 1;
        }
        walk(root, path, segs, offsets, 0, out);
    }

    private static void walk(Node n, String path, String[] segs, int[] offsets, int i, Consumer<Entry> out) {
        if (i == segs.length) {
            n.exact.forEach(out);
            return;
        }
        for (Map.Entry<String, Entry> s : n.stars) {
            if (path.startsWith(s.getKey(), offsets[i])) {
                out.accept(s.getValue());
            }
        }
        Node lit = n.literal.get(segs[i]);
        if (lit != null) {
            walk(lit, path, segs, offsets, i + 1, out);
        }
        if (n.plus != null && !segs[i].isEmpty()) {
            walk(n.plus, path, segs, offsets, i + 1, out);
        }
    }

    /** Whether a single pattern matches a path (the same semantics, for reports and tests). */
    static boolean matches(String pattern, String path) {
        RuleIndex one = new RuleIndex();
        one.add(new Entry("", 0, new PolicyRule(null, pattern, java.util.Set.of(dev.keyward.vault.api.Capability.READ),
                false, null, null, null, null), 0));
        boolean[] hit = {false};
        one.match(path, e -> hit[0] = true);
        return hit[0];
    }
}
