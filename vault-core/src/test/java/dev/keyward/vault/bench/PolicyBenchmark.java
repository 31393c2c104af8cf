package dev.keyward.vault.bench;

import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.policy.Evaluator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Policy decisions per second with 1,000 policies and 10,000 rules (not a test; run with
 * bench/policy.sh). The reference on the same machine is a linear scan that matches every rule's
 * pattern (as a regular expression) against the path: the printed ratio is indexed / linear.
 */
public final class PolicyBenchmark {
    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    static final Instant FAR = Instant.parse("2030-01-01T00:00:00Z");

    public static void main(String[] args) {
        double seconds = Double.parseDouble(System.getProperty("bench.seconds", "3"));
        Random rnd = new Random(42);
        List<Evaluator.Versioned> all = new ArrayList<>();
        for (int p = 0; p < 1000; p++) {
            List<PolicyRule> rules = new ArrayList<>();
            for (int r = 0; r < 10; r++) {
                String team = "team" + rnd.nextInt(100);
                String path = switch (r % 5) {
                    case 0 -> "secret/" + team + "/svc" + p + "/*";
                    case 1 -> "secret/" + team + "/+/db" + r;
                    case 2 -> "secret/" + team + "/svc" + p + "/key" + r;
                    case 3 -> "secret/" + team + "/shared*";
                    default -> "secret/+/svc" + p + "/cfg" + r;
                };
                PolicyConditions c = r == 4 ? new PolicyConditions(List.of("10.0.0.0/8"), null, null, false, 0)
                        : PolicyConditions.NONE;
                rules.add(rnd.nextInt(20) == 0 ? new PolicyRule("r" + r, path, Set.of(Capability.READ), true, c, null,
                        null, null) : new PolicyRule("r" + r, path, EnumSet.of(Capability.READ, Capability.LIST), false,
                        c, "owner", "bench", FAR));
            }
            all.add(new Evaluator.Versioned(new Policy("p" + p, "", rules), 1));
        }
        String[] paths = new String[4096];
        for (int i = 0; i < paths.length; i++) {
            paths[i] = "secret/team" + rnd.nextInt(100) + "/svc" + rnd.nextInt(1000) + "/"
                    + (rnd.nextBoolean() ? "db" + rnd.nextInt(10) : "key" + rnd.nextInt(10));
        }
        Evaluator.Compiled everything = new Evaluator.Compiled(all);
        Evaluator.Compiled ten = new Evaluator.Compiled(all.subList(0, 10));
        List<Linear> linear = new ArrayList<>();
        for (Evaluator.Versioned v : all) {
            for (PolicyRule r : v.policy().rules()) {
                linear.add(new Linear(regex(r.path()), r));
            }
        }
        System.out.printf("policies: %d, rules: %d%n", all.size(), everything.rules());
        double indexedAll = run("indexed, identity bound to all 1,000 policies", seconds, paths,
                p -> Evaluator.evaluate(everything, request(p)).allowed());
        double indexedTen = run("indexed, identity bound to 10 policies", seconds, paths,
                p -> Evaluator.evaluate(ten, request(p)).allowed());
        double reference = run("reference: linear regex scan of all 10,000 rules", seconds, paths,
                p -> linearDecide(linear, p));
        System.out.printf("ratio indexed(all) / linear reference: %.1fx%n", indexedAll / reference);
        System.out.printf("ratio indexed(10) / linear reference: %.1fx%n", indexedTen / reference);
    }

    record Linear(Pattern pattern, PolicyRule rule) {
    }

    static Evaluator.Request request(String path) {
        return new Evaluator.Request(path, Set.of(Capability.READ), "10.1.2.3", NOW, null, 0, () -> Duration.ofHours(1));
    }

    static boolean linearDecide(List<Linear> rules, String path) {
        boolean allowed = false;
        for (Linear l : rules) {
            if (l.pattern.matcher(path).matches()) {
                if (l.rule.deny()) {
                    return false;
                }
                allowed = true;
            }
        }
        return allowed;
    }

    static Pattern regex(String glob) {
        StringBuilder b = new StringBuilder();
        for (String seg : glob.split("/", -1)) {
            if (b.length() > 0) {
                b.append('/');
            }
            b.append(seg.equals("+") ? "[^/]+" : seg.endsWith("*") ? Pattern.quote(seg.substring(0, seg.length() - 1))
                    + ".*" : Pattern.quote(seg));
        }
        return Pattern.compile(b.toString());
    }

    interface Decide {
        boolean decide(String path);
    }

    static double run(String name, double seconds, String[] paths, Decide d) {
        long sink = 0;
        long end = System.nanoTime() + (long) (1e9 * Math.min(1, seconds / 3));
        for (int i = 0; System.nanoTime() < end; i++) {
            sink += d.decide(paths[i & (paths.length - 1)]) ? 1 : 0; // warm-up
        }
        long n = 0;
        long start = System.nanoTime();
        end = start + (long) (1e9 * seconds);
        while (System.nanoTime() < end) {
            for (int i = 0; i < 256; i++) {
                sink += d.decide(paths[(int) (n++ & (paths.length - 1))]) ? 1 : 0;
            }
        }
        double perSecond = n / ((System.nanoTime() - start) / 1e9);
        System.out.printf("%-55s %,12.0f decisions/s  (allowed %d)%n", name, perSecond, sink);
        return perSecond;
    }
}
