package dev.keyward.console.bench;

import dev.keyward.console.secrets.SecretIndex;
import dev.keyward.console.secrets.SecretRow;
import dev.keyward.console.secrets.SecretsViewModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Search-as-you-type over 100,000 secret paths: the time from a keystroke to the filtered rows
 * (the work done off the FX thread), per prefix of a typed query. Reference: a plain
 * {@code String.contains} scan over the same paths. Run by {@code bench/console.sh}. Not a test.
 */
public final class FilterBench {
    private FilterBench() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        List<String> paths = new ArrayList<>(n);
        String[] teams = {"payments", "platform", "ml", "ci", "data", "security", "mobile", "web"};
        for (int i = 0; i < n; i++) {
            paths.add(teams[i % teams.length] + "/service-" + (i % 997) + "/env-" + (i % 5) + "/secret-" + i);
        }
        long t0 = System.nanoTime();
        SecretIndex idx = SecretIndex.of(paths);
        idx.tree();
        double buildMs = (System.nanoTime() - t0) / 1e6;
        String typed = "payments env-3 secret-4";
        for (int warm = 0; warm < 20; warm++) {
            SecretsViewModel.filterNow(idx, typed, "");
            reference(paths, typed);
        }
        System.out.printf(Locale.ROOT, "paths=%d index+tree build=%.1f ms%n", n, buildMs);
        System.out.printf(Locale.ROOT, "%-26s %10s %10s %12s %8s%n", "query", "rows", "filter ms", "reference ms",
                "ratio");
        for (int len = 1; len <= typed.length(); len += 3) {
            String q = typed.substring(0, len);
            double f = median(() -> SecretsViewModel.filterNow(idx, q, "").size());
            double r = median(() -> reference(paths, q).size());
            int rows = SecretsViewModel.filterNow(idx, q, "").size();
            System.out.printf(Locale.ROOT, "%-26s %10d %10.2f %12.2f %8.2f%n", "'" + q + "'", rows, f, r, f / r);
        }
        double all = median(() -> SecretsViewModel.filterNow(idx, "", "").size());
        System.out.printf(Locale.ROOT, "empty query (all rows): %.2f ms%n", all);
    }

    private static List<String> reference(List<String> paths, String query) {
        String q = query.toLowerCase(Locale.ROOT);
        List<String> out = new ArrayList<>();
        for (String p : paths) {
            if (p.toLowerCase(Locale.ROOT).contains(q)) {
                out.add(p);
            }
        }
        return out;
    }

    private interface Work {
        int run();
    }

    private static double median(Work w) {
        double[] t = new double[15];
        for (int i = 0; i < t.length; i++) {
            long s = System.nanoTime();
            w.run();
            t[i] = (System.nanoTime() - s) / 1e6;
        }
        Arrays.sort(t);
        return t[t.length / 2];
    }
}
