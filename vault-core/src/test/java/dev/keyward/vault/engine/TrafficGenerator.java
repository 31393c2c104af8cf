package dev.keyward.vault.engine;

import dev.keyward.vault.anomaly.Detectors;
import dev.keyward.vault.api.AlertService.Alert;
import dev.keyward.vault.api.AlertService.AlertFilter;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.IdentityService.AppRoleSpec;
import dev.keyward.vault.api.IdentityService.SecretIdResult;
import dev.keyward.vault.api.IdentityService.SecretIdSpec;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.Session;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Synthetic traffic for the detectors, replayed through a real engine on a {@link MutableClock}:
 * pipelines with daily rhythms (hourly deploys on weekdays, a nightly ETL, backups every six hours,
 * twice-daily training jobs that renew their tokens, metrics every 15 minutes, CI builds at random
 * working hours), several operators on weekdays (with typos in their passphrases, laptops and
 * desktops), an admin's housekeeping, for a number of weeks; and labelled anomalies of every
 * detector's kind injected after the first (learning) week. {@link #run} replays it and scores the
 * alerts against the labels.
 */
public final class TrafficGenerator {
    /** A Monday, 00:00 UTC. */
    static final Instant T0 = Instant.parse("2026-11-02T00:00:00Z");
    static final Duration DAY = Duration.ofDays(1);
    /** When the vault is set up and the replay starts. */
    static final Instant START = T0.plus(Duration.ofHours(8));

    /** One injected anomaly: what should be detected, about whom (identity name, or source address), when. */
    public record Label(String kind, String who, Instant start, Instant end) {
    }

    /** How the alerts compare with the labels. */
    public record Result(int normalRequests, int anomalousRequests, List<Label> labels, List<Label> missed,
                         List<Alert> alerts, List<Alert> falsePositives, Map<String, int[]> perDetector,
                         double seconds, long auditEntries) {
        public double recall() {
            return labels.isEmpty() ? 1 : (labels.size() - missed.size()) / (double) labels.size();
        }

        public double precision() {
            return alerts.isEmpty() ? 1 : (alerts.size() - falsePositives.size()) / (double) alerts.size();
        }

        public double falsePositivesPer10k() {
            return falsePositives.size() * 10_000.0 / Math.max(1, normalRequests);
        }

        /** One line per detector: alerts, true, false, injected, detected. */
        public String table() {
            StringBuilder b = new StringBuilder(String.format("%-22s %7s %7s %7s %9s %9s%n", "detector", "alerts",
                    "true", "false", "injected", "detected"));
            perDetector.forEach((d, n) -> b.append(String.format("%-22s %7d %7d %7d %9d %9d%n", d, n[0], n[1], n[2],
                    n[3], n[4])));
            return b.toString();
        }
    }

    /** One step: a request (normal or anomalous), or bookkeeping of the generator's own (not counted). */
    private record Step(Instant at, long order, Consumer<Ctx> run, boolean anomalous, boolean request) {
    }

    /** The replay's state: sessions, secret_ids, the admin's caller. */
    static final class Ctx {
        final Engine e;
        final MutableClock clock;
        final Map<String, String> roleIds = new TreeMap<>();
        final Map<String, String> secretIds = new TreeMap<>();
        final Map<String, String> secretIdAccessors = new TreeMap<>();
        final Map<String, Session> sessions = new TreeMap<>();
        final Map<String, String> retired = new TreeMap<>();

        Ctx(Engine e, MutableClock clock) {
            this.e = e;
            this.clock = clock;
        }

        Caller admin() {
            Session s = sessions.get("admin");
            if (s == null || !clock.instant().isBefore(s.expiresAt().minusSeconds(60))) {
                s = e.login(TestVaults.ADMIN, TestVaults.ADMIN_PASS.toCharArray(), "10.2.9.1");
                sessions.put("admin", s);
            }
            return s.caller().withSource("10.2.9.1");
        }
    }

    private record Pipeline(String name, List<String> sources, List<String> paths, List<String> optional) {
    }

    private static final List<Pipeline> PIPELINES = List.of(
            new Pipeline("web-deploy", List.of("10.1.0.11", "10.1.0.12"), List.of("ci/web/db", "ci/web/api-key",
                    "shared/tls"), List.of()),
            new Pipeline("nightly-etl", List.of("10.1.0.21"), List.of("etl/warehouse", "etl/s3"), List.of()),
            new Pipeline("backup", List.of("10.1.0.31"), List.of("backup/key"), List.of()),
            new Pipeline("ml-train", List.of("10.1.0.41"), List.of("ml/dataset-token"), List.of()),
            new Pipeline("metrics", List.of("10.1.0.51", "10.1.0.52"), List.of("metrics/push-token", "shared/tls"),
                    List.of()),
            new Pipeline("ci-build", List.of("10.1.0.61", "10.1.0.62", "10.1.0.63"), List.of("ci/build/npm",
                    "ci/build/docker"), List.of("ci/build/signing-a", "ci/build/signing-b")));

    private record Operator(String name, List<String> sources, List<String> paths) {
    }

    private static final List<Operator> OPERATORS = List.of(
            new Operator("alice", List.of("10.2.0.1", "10.2.1.1"), List.of("ci/web/db", "ci/web/api-key",
                    "ci/build/npm", "ci/build/docker", "shared/tls", "shared/smtp")),
            new Operator("bob", List.of("10.2.0.2"), List.of("etl/warehouse", "etl/s3", "backup/key",
                    "backup/status", "etl/last-run")),
            new Operator("carol", List.of("10.2.0.3"), List.of("ml/dataset-token", "ml/gpu-quota", "metrics/push-token",
                    "metrics/grafana")),
            new Operator("dave", List.of("10.2.0.4", "10.2.1.4"), List.of("team/dave/notes", "team/dave/keys",
                    "team/dave/vpn", "shared/smtp")));

    private final int weeks;
    private final long seed;
    private final List<Step> steps = new ArrayList<>();
    private final List<Label> labels = new ArrayList<>();
    private final Random rnd;
    private long order;

    public TrafficGenerator(int weeks, long seed) {
        if (weeks < 3) {
            throw new IllegalArgumentException("at least three weeks: one to learn, two with anomalies");
        }
        this.weeks = weeks;
        this.seed = seed;
        this.rnd = new Random(seed);
        normal();
        anomalies();
        steps.sort(Comparator.comparing(Step::at).thenComparingLong(Step::order));
    }

    public List<Label> labels() {
        return List.copyOf(labels);
    }

    private void at(Instant t, boolean anomalous, Consumer<Ctx> run) {
        steps.add(new Step(t, order++, run, anomalous, true));
    }

    private void bookkeeping(Instant t, Consumer<Ctx> run) {
        steps.add(new Step(t, order++, run, false, false));
    }

    private Instant day(int d, int hour, int minute) {
        return T0.plus(Duration.ofDays(d)).plus(Duration.ofHours(hour)).plus(Duration.ofMinutes(minute));
    }

    private static boolean weekday(int d) {
        return d % 7 < 5;
    }

    // ------------------------------------------------------------ normal traffic

    private void normal() {
        int days = weeks * 7;
        for (int d = 0; d < days; d++) {
            for (int h = 8; h <= 18 && weekday(d); h++) {
                run(PIPELINES.get(0), day(d, h, rnd.nextInt(5)), false);
            }
            run(PIPELINES.get(1), day(d, 2, rnd.nextInt(6)), false);
            for (int h = 0; h < 24; h += 6) {
                run(PIPELINES.get(2), day(d, h, 1 + rnd.nextInt(4)), false);
            }
            trainingRun(day(d, 10, rnd.nextInt(5)), 2, false);
            trainingRun(day(d, 22, rnd.nextInt(5)), 2, false);
            for (int q = 0; q < 96; q++) {
                run(PIPELINES.get(4), day(d, 0, q * 15).plusSeconds(rnd.nextInt(40)), false);
            }
            if (weekday(d)) {
                int builds = 15 + rnd.nextInt(11);
                for (int b = 0; b < builds; b++) {
                    run(PIPELINES.get(5), day(d, 8, rnd.nextInt(10 * 60 + 30)), false);
                }
                for (Operator o : OPERATORS) {
                    operatorDay(o, d);
                }
                Instant t = day(d, 9 + rnd.nextInt(8), rnd.nextInt(60));
                at(t, false, c -> c.e.identities().listTokens(c.admin(), null));
                if (d % 7 == 0) {
                    at(t.plusSeconds(30), false, c -> c.e.policies().put(c.admin(), pipelinesPolicy(false),
                            "weekly re-apply"));
                }
            }
        }
    }

    /** A pipeline run: log in from one of its runners, read its secrets (one optional of several), maybe write. */
    private void run(Pipeline p, Instant t, boolean anomalous) {
        String source = p.sources().get(rnd.nextInt(p.sources().size()));
        List<String> reads = new ArrayList<>(p.paths());
        if (!p.optional().isEmpty()) {
            reads.add(p.optional().get(rnd.nextInt(p.optional().size())));
        }
        String key = p.name() + "#" + order; // each run its own token, as concurrent runs have
        at(t, anomalous, c -> loginAs(c, key, p.name(), source));
        int s = 1;
        for (String path : reads) {
            at(t.plusSeconds(s++), anomalous, c -> read(c, key, source, path));
        }
        if (p.name().equals("nightly-etl")) {
            at(t.plusSeconds(s++), anomalous, c -> c.e.secrets().list(caller(c, key, source), "etl"));
            at(t.plusSeconds(s), anomalous, c -> c.e.secrets().write(caller(c, key, source), "etl/last-run",
                    SecretData.of(Map.of("at", c.clock.instant().toString())), null));
        }
        if (p.name().equals("backup")) {
            at(t.plusSeconds(s), anomalous, c -> c.e.secrets().write(caller(c, key, source), "backup/status",
                    SecretData.of(Map.of("ok", "true")), null));
        }
        bookkeeping(t.plusSeconds(s + 1), c -> c.sessions.remove(key));
    }

    private void trainingRun(Instant t, int renewals, boolean anomalous) {
        String source = "10.1.0.41";
        String key = anomalous ? "ml-train-long" : "ml-train";
        at(t, anomalous, c -> loginAs(c, key, "ml-train", source));
        at(t.plusSeconds(2), anomalous, c -> read(c, key, source, "ml/dataset-token"));
        long gap = renewals <= 2 ? 40 : 30;
        for (int r = 1; r <= renewals; r++) {
            at(t.plus(Duration.ofMinutes(gap * r)), anomalous, c -> c.e.identities().renewSelf(caller(c, key,
                    source), null));
        }
        at(t.plus(Duration.ofMinutes(gap * renewals + 20)), anomalous,
                c -> read(c, key, source, "ml/dataset-token"));
    }

    private void operatorDay(Operator o, int d) {
        // a second machine (a laptop) on some days, and on the second day of all
        String source = o.sources().size() > 1 && (d == 1 || rnd.nextInt(10) < 3) ? o.sources().get(1)
                : o.sources().get(0);
        Instant start = day(d, 8, rnd.nextInt(90));
        boolean typo = rnd.nextInt(20) == 0;
        if (typo) {
            at(start.minusSeconds(20), false, c -> wrongPassphrase(c, o.name(), source));
        }
        at(start, false, c -> operatorLogin(c, o.name(), source));
        int bursts = 2 + rnd.nextInt(3);
        Instant t = start.plus(Duration.ofMinutes(5));
        for (int b = 0; b < bursts; b++) {
            int n = 3 + rnd.nextInt(6);
            for (int i = 0; i < n; i++) {
                // on the first day each operator goes through every path once (their usual folders)
                String path = d == 0 ? o.paths().get(i % o.paths().size()) : o.paths().get(rnd.nextInt(o.paths().size()));
                at(t.plusSeconds(10L * i), false, c -> read(c, o.name(), source, path));
            }
            if (rnd.nextInt(3) == 0) {
                String folder = o.paths().get(rnd.nextInt(o.paths().size()));
                String f = folder.substring(0, folder.lastIndexOf('/'));
                at(t.plusSeconds(10L * n), false, c -> c.e.secrets().list(caller(c, o.name(), source), f));
            }
            if (o.name().equals("dave") && rnd.nextInt(2) == 0) {
                at(t.plusSeconds(10L * n + 5), false, c -> c.e.secrets().write(caller(c, o.name(), source),
                        "team/dave/notes", SecretData.of(Map.of("n", "x")), null));
            }
            t = t.plus(Duration.ofMinutes(60 + rnd.nextInt(90)));
            if (!t.isBefore(day(d, 18, 30))) {
                break;
            }
        }
        if (d == 0) { // the rest of the first day's folders
            for (int i = 0; i < o.paths().size(); i++) {
                String path = o.paths().get(i);
                at(start.plusSeconds(60 + 10L * i), false, c -> read(c, o.name(), source, path));
            }
        }
    }

    // ------------------------------------------------------------ anomalies

    private void label(String kind, String who, Instant start, Instant end) {
        labels.add(new Label(kind, who, start, end));
    }

    private void anomalies() {
        int w = 7; // anomalies from the second week on; a second instance of each kind in the last week(s)
        int late = (weeks - 1) * 7;
        // new source
        Instant t = day(w + 2, 11, 5);
        label(Detectors.NEW_SOURCE, "web-deploy", t, t.plusSeconds(5));
        at(t, true, c -> login(c, "web-deploy", "203.0.113.10"));
        at(t.plusSeconds(2), true, c -> read(c, "web-deploy", "203.0.113.10", "ci/web/db"));
        t = day(late + 6, 3, 7);
        label(Detectors.NEW_SOURCE, "metrics", t, t.plusSeconds(5));
        at(t, true, c -> login(c, "metrics", "198.51.100.7"));
        at(t.plusSeconds(2), true, c -> read(c, "metrics", "198.51.100.7", "metrics/push-token"));
        // off-hours: a Sunday night, a Wednesday night
        t = day(w + 6, 3, 0);
        label(Detectors.OFF_HOURS, "bob", t, t.plusSeconds(40));
        at(t, true, c -> operatorLogin(c, "bob", "10.2.0.2"));
        for (int i = 0; i < 3; i++) {
            at(t.plusSeconds(10 + 10L * i), true, c -> read(c, "bob", "10.2.0.2", "etl/warehouse"));
        }
        t = day(late + 2, 23, 30);
        label(Detectors.OFF_HOURS, "carol", t, t.plusSeconds(40));
        at(t, true, c -> operatorLogin(c, "carol", "10.2.0.3"));
        at(t.plusSeconds(10), true, c -> read(c, "carol", "10.2.0.3", "ml/dataset-token"));
        // burst
        t = day(w + 3, 14, 7).plusSeconds(3);
        label(Detectors.BURST, "metrics", t, t.plusSeconds(60));
        at(t, true, c -> login(c, "metrics", "10.1.0.51"));
        for (int i = 0; i < 150; i++) {
            at(t.plusMillis(1 + 350L * i), true, c -> read(c, "metrics", "10.1.0.51", "metrics/push-token"));
        }
        t = day(late + 1, 10, 31);
        label(Detectors.BURST, "alice", t, t.plusSeconds(60));
        at(t, true, c -> operatorLogin(c, "alice", "10.2.0.1"));
        for (int i = 0; i < 120; i++) {
            String path = OPERATORS.get(0).paths().get(i % 5);
            at(t.plusMillis(1 + 400L * i), true, c -> read(c, "alice", "10.2.0.1", path));
        }
        // first read of a path
        t = day(w + 4, 2, 30);
        label(Detectors.FIRST_READ, "nightly-etl", t, t.plusSeconds(5));
        at(t, true, c -> login(c, "nightly-etl", "10.1.0.21"));
        at(t.plusSeconds(1), true, c -> read(c, "nightly-etl", "10.1.0.21", "ci/web/db"));
        t = day(late + 4, 16, 12);
        label(Detectors.FIRST_READ, "ci-build", t, t.plusSeconds(5));
        at(t, true, c -> login(c, "ci-build", "10.1.0.62"));
        at(t.plusSeconds(1), true, c -> read(c, "ci-build", "10.1.0.62", "ml/dataset-token"));
        // failed-authentication streaks per identity
        t = day(w + 5, 7, 10);
        label(Detectors.AUTH_FAILURES, "backup", t, t.plusSeconds(60));
        for (int i = 0; i < 6; i++) {
            at(t.plusSeconds(5L * i), true, c -> wrongSecretId(c, "backup", "10.1.0.31"));
        }
        t = day(late + 3, 9, 40);
        label(Detectors.AUTH_FAILURES, "dave", t, t.plusSeconds(60));
        for (int i = 0; i < 6; i++) {
            at(t.plusSeconds(5L * i), true, c -> wrongPassphrase(c, "dave", "10.2.0.4"));
        }
        // failed authentications from one source across identities
        t = day(w + 8, 4, 0);
        label(Detectors.SOURCE_AUTH_FAILURES, "192.0.2.66", t, t.plusSeconds(60));
        for (int i = 0; i < 12; i++) {
            at(t.plusSeconds(3L * i), true, c -> guessAppRole(c, "192.0.2.66"));
        }
        t = day(late + 5, 13, 0);
        label(Detectors.SOURCE_AUTH_FAILURES, "192.0.2.77", t, t.plusSeconds(60));
        for (int i = 0; i < 12; i++) {
            String name = "user" + i;
            at(t.plusSeconds(3L * i), true, c -> wrongPassphrase(c, name, "192.0.2.77"));
        }
        // retired credentials: an old secret_id after its replacement, a revoked token used again
        t = day(w + 7, 10, 0);
        at(t, false, c -> replaceSecretId(c, "ml-train"));
        Instant u = day(w + 9, 10, 15);
        label(Detectors.RETIRED_CREDENTIAL, "ml-train", u, u.plusSeconds(5));
        at(u, true, c -> oldSecretId(c, "ml-train", "10.1.0.41"));
        t = day(late + 1, 12, 0);
        at(t, false, c -> loginAs(c, "ci-build-old", "ci-build", "10.1.0.61"));
        at(t.plusSeconds(1), false, c -> read(c, "ci-build-old", "10.1.0.61", "ci/build/npm"));
        at(t.plusSeconds(2), false, c -> c.e.identities().revokeSelf(caller(c, "ci-build-old", "10.1.0.61")));
        label(Detectors.RETIRED_CREDENTIAL, "ci-build", t.plusSeconds(300), t.plusSeconds(305));
        at(t.plusSeconds(300), true, c -> read(c, "ci-build-old", "10.1.0.61", "ci/build/npm"));
        // token lifetime and renewals
        t = day(w + 11, 10, 2);
        label(Detectors.TOKEN_LIFETIME, "ml-train", t, t.plus(Duration.ofHours(6)));
        trainingRun(t, 10, true);
        t = day(late + 4, 13, 30);
        label(Detectors.TOKEN_LIFETIME, "web-deploy", t, t.plus(Duration.ofHours(3)));
        at(t, true, c -> loginAs(c, "web-deploy-long", "web-deploy", "10.1.0.11"));
        at(t.plusSeconds(1), true, c -> read(c, "web-deploy-long", "10.1.0.11", "ci/web/db"));
        at(t.plus(Duration.ofMinutes(50)), true, c -> c.e.identities().renewSelf(caller(c, "web-deploy-long",
                "10.1.0.11"), null));
        at(t.plus(Duration.ofMinutes(100)), true, c -> c.e.identities().renewSelf(caller(c, "web-deploy-long",
                "10.1.0.11"), null));
        at(t.plus(Duration.ofMinutes(150)), true, c -> read(c, "web-deploy-long", "10.1.0.11", "ci/web/db"));
        // privilege escalation: a widened policy, an operator made admin
        t = day(w + 9, 11, 0);
        label(Detectors.PRIVILEGE_ESCALATION, "admin", t, t.plusSeconds(5));
        at(t, true, c -> c.e.policies().put(c.admin(), pipelinesPolicy(true), "more"));
        at(t.plus(Duration.ofHours(2)), false, c -> c.e.policies().put(c.admin(), pipelinesPolicy(false), "back"));
        t = day(late + 3, 14, 0);
        label(Detectors.PRIVILEGE_ESCALATION, "admin", t, t.plusSeconds(5));
        at(t, true, c -> c.e.identities().setOperatorRoles(c.admin(), "dave", List.of("security-engineer", "admin")));
        at(t.plus(Duration.ofHours(1)), false, c -> c.e.identities().setOperatorRoles(c.admin(), "dave",
                List.of("security-engineer")));
        // enumeration sweeps
        t = day(w + 12, 15, 0);
        label(Detectors.ENUMERATION, "bob", t, t.plus(Duration.ofMinutes(4)));
        at(t, true, c -> operatorLogin(c, "bob", "10.2.0.2"));
        for (int i = 0; i < 60; i++) {
            String path = (i % 2 == 0 ? "etl/" : "backup/") + "guess-" + i;
            at(t.plusSeconds(1 + 3L * i), true, c -> read(c, "bob", "10.2.0.2", path));
        }
        t = day(late + 0, 2, 40);
        label(Detectors.ENUMERATION, "nightly-etl", t, t.plus(Duration.ofMinutes(4)));
        at(t, true, c -> login(c, "nightly-etl", "10.1.0.21"));
        for (int i = 0; i < 50; i++) {
            String folder = List.of("etl", "ci", "ml", "shared", "backup").get(i % 5);
            String path = folder + "/probe-" + i;
            at(t.plusSeconds(1 + 2L * i), true, c -> c.e.secrets().list(caller(c, "nightly-etl", "10.1.0.21"), folder));
            at(t.plusSeconds(2 + 2L * i), true, c -> read(c, "nightly-etl", "10.1.0.21", path));
        }
        // one token from two sources at once
        t = day(w + 6, 12, 3).plusSeconds(20);
        label(Detectors.CONCURRENT_SOURCES, "metrics", t, t.plusSeconds(30));
        at(t, true, c -> loginAs(c, "metrics-copied", "metrics", "10.1.0.51"));
        at(t.plusSeconds(1), true, c -> read(c, "metrics-copied", "10.1.0.51", "metrics/push-token"));
        at(t.plusSeconds(15), true, c -> read(c, "metrics-copied", "10.1.0.52", "metrics/push-token"));
        t = day(late + 5, 11, 20);
        label(Detectors.CONCURRENT_SOURCES, "alice", t, t.plusSeconds(30));
        at(t, true, c -> operatorLogin(c, "alice", "10.2.0.1"));
        at(t.plusSeconds(1), true, c -> read(c, "alice", "10.2.0.1", "shared/tls"));
        at(t.plusSeconds(12), true, c -> read(c, "alice", "10.2.1.1", "shared/tls"));
    }

    // ------------------------------------------------------------ requests

    private static Caller caller(Ctx c, String who, String source) {
        Session s = c.sessions.get(who);
        if (s == null) {
            throw new IllegalStateException(who + " has no session");
        }
        return s.caller().withSource(source);
    }

    private static void login(Ctx c, String pipeline, String source) {
        loginAs(c, pipeline, pipeline, source);
    }

    /** A login whose session is kept under {@code key} (an anomaly's own, not clobbered by normal runs). */
    private static void loginAs(Ctx c, String key, String pipeline, String source) {
        c.sessions.put(key, c.e.loginAppRole(c.roleIds.get(pipeline), c.secretIds.get(pipeline), source));
    }

    private static void read(Ctx c, String who, String source, String path) {
        c.e.secrets().read(caller(c, who, source), path, 0);
    }

    private static void operatorLogin(Ctx c, String name, String source) {
        c.sessions.put(name, c.e.login(name, (name + " passphrase 1").toCharArray(), source));
    }

    private static void wrongPassphrase(Ctx c, String name, String source) {
        c.e.login(name, "not it".toCharArray(), source);
    }

    private static void wrongSecretId(Ctx c, String pipeline, String source) {
        c.e.loginAppRole(c.roleIds.get(pipeline), "0000-not-a-secret-id", source);
    }

    private static void guessAppRole(Ctx c, String source) {
        c.e.loginAppRole(java.util.UUID.randomUUID().toString(), "guess", source);
    }

    private static void replaceSecretId(Ctx c, String pipeline) {
        SecretIdResult fresh = c.e.identities().issueSecretId(c.admin(), pipeline, SecretIdSpec.defaults());
        c.e.identities().revokeSecretId(c.admin(), pipeline, c.secretIdAccessors.get(pipeline));
        c.retired.put(pipeline, c.secretIds.get(pipeline));
        c.secretIds.put(pipeline, fresh.secretId());
        c.secretIdAccessors.put(pipeline, fresh.accessor());
    }

    private static void oldSecretId(Ctx c, String pipeline, String source) {
        c.e.loginAppRole(c.roleIds.get(pipeline), c.retired.get(pipeline), source);
    }

    private static Policy pipelinesPolicy(boolean widened) {
        Instant until = T0.plus(Duration.ofDays(3650));
        List<PolicyRule> rules = new ArrayList<>();
        rules.add(PolicyRule.grant("secret/*", EnumSet.of(Capability.READ, Capability.LIST), null, "platform",
                "pipelines read their secrets", until));
        rules.add(PolicyRule.grant("secret/etl/*", EnumSet.of(Capability.CREATE, Capability.UPDATE), null, "platform",
                "the ETL records its runs", until));
        rules.add(PolicyRule.grant("secret/backup/*", EnumSet.of(Capability.CREATE, Capability.UPDATE), null,
                "platform", "backups record their status", until));
        if (widened) {
            rules.add(PolicyRule.grant("secret/ml/*", EnumSet.of(Capability.CREATE, Capability.UPDATE,
                    Capability.DELETE), null, "platform", "more", until));
        }
        return new Policy("pipelines", "what the pipelines read", rules);
    }

    // ------------------------------------------------------------ replay and scoring

    /** Creates the vault's identities and secrets (as the admin, Monday 08:00 of the first week). */
    private static void setUp(Ctx c) {
        Caller admin = c.admin();
        c.e.policies().put(admin, pipelinesPolicy(false), "pipelines");
        for (Pipeline p : PIPELINES) {
            c.e.identities().putAppRole(admin, AppRoleSpec.of(p.name(), List.of("pipelines")));
            c.roleIds.put(p.name(), c.e.identities().roleId(admin, p.name()));
            SecretIdResult s = c.e.identities().issueSecretId(admin, p.name(), SecretIdSpec.defaults());
            c.secretIds.put(p.name(), s.secretId());
            c.secretIdAccessors.put(p.name(), s.accessor());
        }
        for (Operator o : OPERATORS) {
            c.e.identities().createOperator(admin, o.name(), (o.name() + " passphrase 1").toCharArray(),
                    List.of("security-engineer"));
        }
        List<String> all = new ArrayList<>();
        PIPELINES.forEach(p -> {
            all.addAll(p.paths());
            all.addAll(p.optional());
        });
        OPERATORS.forEach(o -> all.addAll(o.paths()));
        all.add("etl/last-run");
        all.add("backup/status");
        for (String path : new java.util.TreeSet<>(all)) {
            c.e.secrets().write(admin, path, SecretData.of(Map.of("value", "synthetic-" + path.hashCode())), null);
        }
    }

    /** The detector configuration of the replay: a week of learning, the defaults otherwise. */
    public static final String CONFIG = "version: 1\nlearning:\n  period: 7d\n  min_events: 50\n";

    /** A pause in the traffic long enough for the detectors to have finished what came before it. */
    static final Duration GAP = Duration.ofMinutes(1);

    /** Replays the traffic through a fresh vault in {@code home} and scores the alerts. */
    public Result run(Path home) throws InterruptedException {
        MutableClock clock = new MutableClock(START);
        long started = System.nanoTime();
        try (TestVaults.Opened v = TestVaults.initialised(TestVaults.config(home, clock))) {
            Engine e = v.engine();
            e.alerts().applyDetectorConfig(v.caller(), CONFIG);
            Ctx c = new Ctx(e, clock);
            java.util.concurrent.atomic.AtomicLong logged = new java.util.concurrent.atomic.AtomicLong(-1);
            e.tapAudit(entries -> logged.accumulateAndGet(entries.get(entries.size() - 1).sequence(), Math::max));
            setUp(c);
            int normal = 0;
            int anomalous = 0;
            for (Step s : steps) {
                if (s.at().isBefore(START)) {
                    continue; // the vault comes up on the first Monday at 08:00
                }
                if (s.at().isAfter(clock.instant().plus(GAP))) {
                    // Minutes or hours pass here in the traffic, milliseconds in the replay: the
                    // detectors (and containment) finish what came before, as they would have.
                    if (!e.alertDesk().settle(logged.get(), Duration.ofMinutes(1))) {
                        throw new IllegalStateException("the detectors did not catch up");
                    }
                }
                if (s.at().isAfter(clock.instant())) {
                    clock.set(s.at());
                }
                try {
                    s.run().accept(c);
                } catch (KeywardException refused) {
                    // denied, not found, contained, failed logins: traffic goes on
                } catch (IllegalStateException noSession) {
                    continue; // its login was refused: the request was never made
                }
                if (!s.request()) {
                    continue;
                }
                if (s.anomalous()) {
                    anomalous++;
                } else {
                    normal++;
                }
            }
            List<dev.keyward.vault.api.AuditRecord> log = TestVaults.auditEntries(e);
            long last = log.get(log.size() - 1).sequence();
            if (!e.alertDesk().settle(last, Duration.ofMinutes(2))) {
                throw new IllegalStateException("the detectors did not catch up");
            }
            List<Alert> alerts = e.alerts().listAlerts(c.admin(), new AlertFilter(null, null, null, null, null,
                    10_000)).stream().filter(a -> Detectors.isDetector(a.detector())).toList();
            return score(normal, anomalous, alerts, (System.nanoTime() - started) / 1e9, last + 1);
        }
    }

    private Result score(int normal, int anomalous, List<Alert> alerts, double seconds, long entries) {
        Map<String, int[]> per = new LinkedHashMap<>();
        Detectors.names().forEach(d -> per.put(d, new int[5]));
        List<Alert> fps = new ArrayList<>();
        for (Alert a : alerts) {
            int[] n = per.get(a.detector());
            n[0]++;
            boolean explained = labels.stream().anyMatch(l -> concerns(l, a));
            if (explained) {
                n[1]++;
            } else {
                n[2]++;
                fps.add(a);
            }
        }
        List<Label> missed = new ArrayList<>();
        for (Label l : labels) {
            per.get(l.kind())[3]++;
            if (alerts.stream().anyMatch(a -> a.detector().equals(l.kind()) && concerns(l, a))) {
                per.get(l.kind())[4]++;
            } else {
                missed.add(l);
            }
        }
        return new Result(normal, anomalous, List.copyOf(labels), missed, alerts, fps, per, seconds, entries);
    }

    /** Whether an alert is about a labelled anomaly: the same identity (or source), raised during it. */
    private static boolean concerns(Label l, Alert a) {
        boolean who = l.who().equals(a.identity()) || l.who().equals(a.resource());
        Instant t = a.details().containsKey("observed_at") ? Instant.parse(a.details().get("observed_at"))
                : a.raisedAt();
        return who && !t.isBefore(l.start()) && !t.isAfter(l.end().plus(Duration.ofMinutes(10)));
    }

    @Override
    public String toString() {
        return "TrafficGenerator[" + weeks + " weeks, seed " + seed + ", " + steps.size() + " steps, " + labels.size()
                + " anomalies]";
    }
}
