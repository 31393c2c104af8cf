package dev.keyward.vault.policy;

/**
 * Set relations between path patterns ({@link dev.keyward.vault.api.PolicyRule}): segments
 * separated by '/', {@code +} for exactly one segment, a trailing {@code *} for any suffix (the
 * rest of its segment and any further segments). Patterns are taken as validated.
 */
public final class Patterns {
    private Patterns() {
    }

    /** Whether every path {@code inner} matches is matched by {@code outer}. */
    public static boolean covers(String outer, String inner) {
        String[] o = outer.split("/", -1);
        String[] i = inner.split("/", -1);
        boolean outerStar = outer.endsWith("*");
        boolean innerStar = inner.endsWith("*");
        if (!outerStar) {
            if (innerStar || o.length != i.length) {
                return false;
            }
            for (int s = 0; s < o.length; s++) {
                if (!segmentCovers(o[s], i[s])) {
                    return false;
                }
            }
            return true;
        }
        int last = o.length - 1;
        if (i.length < o.length) {
            return false; // inner reaches paths with fewer segments than outer requires
        }
        for (int s = 0; s < last; s++) {
            if (i[s].endsWith("*") || !segmentCovers(o[s], i[s])) {
                return false;
            }
        }
        String prefix = o[last].substring(0, o[last].length() - 1);
        String seg = i[last];
        if (seg.equals("+")) {
            return prefix.isEmpty();
        }
        String literal = seg.endsWith("*") ? seg.substring(0, seg.length() - 1) : seg;
        return literal.startsWith(prefix);
    }

    /** Whether some path matches both patterns. */
    public static boolean overlap(String a, String b) {
        String[] x = a.split("/", -1);
        String[] y = b.split("/", -1);
        boolean xStar = a.endsWith("*");
        boolean yStar = b.endsWith("*");
        int n = Math.min(x.length, y.length);
        for (int s = 0; s < n; s++) {
            boolean xs = xStar && s == x.length - 1;
            boolean ys = yStar && s == y.length - 1;
            if (xs || ys) {
                String p = xs ? x[s].substring(0, x[s].length() - 1) : x[s];
                String q = ys ? y[s].substring(0, y[s].length() - 1) : y[s];
                if (p.equals("+") || q.equals("+")) {
                    return true;
                }
                if (xs && ys) {
                    return p.startsWith(q) || q.startsWith(p);
                }
                return xs ? q.startsWith(p) : p.startsWith(q);
            }
            if (!x[s].equals("+") && !y[s].equals("+") && !x[s].equals(y[s])) {
                return false;
            }
        }
        return x.length == y.length;
    }

    private static boolean segmentCovers(String outer, String inner) {
        return outer.equals("+") ? !inner.endsWith("*") : outer.equals(inner);
    }
}
