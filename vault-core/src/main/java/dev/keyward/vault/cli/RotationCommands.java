package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keyward rotation config|show|preview|run|trigger|next|history|list}: rotation of secrets
 * through {@code /v1/kw/rotation/...} (every call audited).
 */
final class RotationCommands {
    private RotationCommands() {
    }

    static final String ROUTE = "kw/rotation/";

    /** Schedule options shared by config and preview. */
    static final class ScheduleOptions {
        @Option(names = "--interval", description = "Rotate every DURATION (e.g. 30d, 12h).")
        String interval;
        @Option(names = "--cron", description = "A 5-field cron expression, e.g. \"0 3 * * 1\" (Mondays 03:00).")
        String cron;
        @Option(names = "--zone", description = "The time zone of the cron times and the window start (default UTC).")
        String zone;
        @Option(names = "--window-start", description = "For --interval: the time of day (HH:MM) slots start at.")
        String windowStart;
        @Option(names = "--window", description = "How long after a slot a missed run may still start (default 1h).")
        String window;
        @Option(names = "--jitter", description = "A random delay up to DURATION after each slot.")
        String jitter;

        ObjectNode json() {
            if (interval == null && cron == null) {
                return null;
            }
            ObjectNode s = KeywardCli.object();
            put(s, "interval", interval);
            put(s, "cron", cron);
            put(s, "zone", zone);
            put(s, "window_start", windowStart);
            put(s, "window", window);
            put(s, "jitter", jitter);
            return s;
        }
    }

    static void put(ObjectNode n, String k, String v) {
        if (v != null) {
            n.put(k, v);
        }
    }

    @Command(name = "rotation", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Rotation of secrets: configs, schedules, runs now, history.",
            subcommands = {Config.class, Show.class, Preview.class, Run.class, Trigger.class, Next.class,
                History.class, ListCmd.class})
    static final class Rotation extends CommandGroup {
    }

    @Command(name = "config", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = {"Sets the rotation of a secret: its rotator, parameters and schedule.",
                "Example: keyward rotation config app/db --rotator generated --param length=32 --interval 30d"})
    static final class Config implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", description = "The secret's path.")
        String path;
        @Option(names = "--rotator", description = "generated, hook, ssh (and others this vault knows).")
        String rotator;
        @Option(names = "--param", description = "A rotator parameter, NAME=VALUE (repeatable).")
        List<String> params = new ArrayList<>();
        @picocli.CommandLine.ArgGroup(exclusive = false)
        ScheduleOptions schedule = new ScheduleOptions();
        @Option(names = "--routine-grace", description = "How long the previous version stays readable (default 1h).")
        String routineGrace;
        @Option(names = "--upgrade-grace", description = "The same after a deployment event (default 24h).")
        String upgradeGrace;
        @Option(names = "--keep-previous", description = "Keep the previous version after its grace (default: destroy).")
        boolean keepPrevious;
        @Option(names = "--max-attempts", description = "Attempts per window before 'needs attention' (default 5).")
        Integer maxAttempts;
        @Option(names = "--retry-backoff", description = "The first retry's delay, doubled each time (default 1m).")
        String retryBackoff;
        @Option(names = "--expiry-lead", description = "Rotate when expires_at is this close (e.g. 7d).")
        String expiryLead;
        @Option(names = "--paired-with", description = "A secret that never rotates at the same time as this one.")
        String pairedWith;
        @Option(names = "--pair-spacing", description = "The spacing between the pair (default 5m).")
        String pairSpacing;
        @Option(names = "--delete", description = "Remove the secret's rotation config instead.")
        boolean delete;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            if (delete) {
                r.send("DELETE", ROUTE + "config/" + path, null);
                r.out.println("Removed the rotation config of secret/" + path + ".");
                return ExitCodes.OK;
            }
            if (rotator == null) {
                throw new CliException(ExitCodes.USAGE, "--rotator is required (e.g. generated, hook, ssh).");
            }
            ObjectNode b = KeywardCli.object();
            b.put("rotator", rotator);
            ObjectNode p = b.putObject("params");
            for (Map.Entry<String, String> e : params(params).entrySet()) {
                p.put(e.getKey(), e.getValue());
            }
            ObjectNode s = schedule == null ? null : schedule.json();
            if (s != null) {
                b.set("schedule", s);
            }
            put(b, "routine_grace", routineGrace);
            put(b, "upgrade_grace", upgradeGrace);
            if (keepPrevious) {
                b.put("destroy_previous", false);
            }
            if (maxAttempts != null) {
                b.put("max_attempts", maxAttempts);
            }
            put(b, "retry_backoff", retryBackoff);
            put(b, "expiry_lead", expiryLead);
            put(b, "paired_with", pairedWith);
            put(b, "pair_spacing", pairSpacing);
            JsonNode st = r.data("POST", ROUTE + "config/" + path, b);
            if (r.json()) {
                r.print(st);
            } else {
                r.out.println("Rotation of secret/" + path + ": " + rotator + ", " + st.path("schedule").asText()
                        + (st.path("next_run").isNull() ? "" : "; next run " + st.path("next_run").asText()) + ".");
            }
            return ExitCodes.OK;
        }
    }

    static Map<String, String> params(List<String> list) {
        Map<String, String> out = new TreeMap<>();
        for (String kv : list) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new CliException(ExitCodes.USAGE, "A parameter is given as NAME=VALUE.");
            }
            out.put(kv.substring(0, eq).trim(), kv.substring(eq + 1));
        }
        return out;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "A secret's rotation config and where it stands (next run, overdue, last outcome).")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", description = "The secret's path.")
        String path;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            JsonNode cfg = r.data("GET", ROUTE + "config/" + path, null);
            JsonNode st = r.data("GET", ROUTE + "status/" + path, null);
            ObjectNode both = KeywardCli.object();
            both.set("config", cfg);
            both.set("status", st);
            if (r.json()) {
                r.print(both);
            } else {
                r.print(st);
                r.out.println("config: " + cfg);
            }
            return st.path("needs_attention").asBoolean() ? ExitCodes.REFUSED : ExitCodes.OK;
        }
    }

    @Command(name = "preview", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = {"The next runs of a secret's schedule, or of a schedule given with --interval or --cron.",
                "Example: keyward rotation preview --cron \"0 3 * * 1\" --zone Europe/Berlin --count 3"})
    static final class Preview implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", arity = "0..1", description = "The secret's path.")
        String path;
        @picocli.CommandLine.ArgGroup(exclusive = false)
        ScheduleOptions schedule = new ScheduleOptions();
        @Option(names = "--count", description = "How many runs (default 5).")
        int count = 5;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            ObjectNode s = schedule == null ? null : schedule.json();
            JsonNode d;
            if (path != null && s == null) {
                d = r.data("GET", ROUTE + "preview/" + path + "?count=" + count, null);
            } else if (s != null) {
                ObjectNode b = KeywardCli.object();
                b.set("schedule", s);
                b.put("count", count);
                d = r.data("POST", ROUTE + "preview", b);
            } else {
                throw new CliException(ExitCodes.USAGE, "Name a secret, or give a schedule with --interval or --cron.");
            }
            r.print(r.json() ? d : d.path("runs"));
            return ExitCodes.OK;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Rotates a secret now (the staged protocol in the background); a reason is required.")
    static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", description = "The secret's path.")
        String path;
        @Option(names = "--reason", required = true, description = "Why (audited).")
        String reason;
        @Option(names = "--compromise", description = "The credential is suspected to be compromised (no grace).")
        boolean compromise;
        @picocli.CommandLine.Mixin
        RunOptions run = new RunOptions();

        @Override
        public Integer call() throws InterruptedException {
            KeywardCli r = KeywardCli.root(spec);
            ObjectNode b = KeywardCli.object();
            b.put("reason", reason);
            b.put("trigger", compromise ? "compromise" : "manual");
            put(b, "approval_id", r.approval);
            return follow(r, path, r.data("POST", ROUTE + "run/" + path, b), run.waitFor, run.timeout);
        }
    }

    @Command(name = "trigger", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "A deployment event: rotates a secret now with the workload-upgrade grace (needs 'rotate').")
    static final class Trigger implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", description = "The secret's path.")
        String path;
        @Option(names = "--reason", description = "What is deployed (audited).")
        String reason;
        @picocli.CommandLine.Mixin
        RunOptions run = new RunOptions();

        @Override
        public Integer call() throws InterruptedException {
            KeywardCli r = KeywardCli.root(spec);
            ObjectNode b = KeywardCli.object();
            put(b, "reason", reason);
            put(b, "approval_id", r.approval);
            return follow(r, path, r.data("POST", ROUTE + path + "/trigger", b), run.waitFor, run.timeout);
        }
    }

    /** Options of the commands that start a run: waiting for its end (the grant is the root option --approval). */
    static final class RunOptions {
        @Option(names = "--wait", description = "Wait until the run has ended (up to --timeout seconds).")
        boolean waitFor;
        @Option(names = "--timeout", description = "Seconds to wait with --wait (default 120).")
        int timeout = 120;
    }

    /** Prints the run; with {@code wait}, polls its history until it ends (exit 1 when it did not finish). */
    static int follow(KeywardCli r, String path, JsonNode run, boolean wait, int timeoutSeconds)
            throws InterruptedException {
        String id = run.path("id").asText();
        if (!wait) {
            if (r.json()) {
                r.print(run);
            } else {
                r.out.println("Rotation " + id + " of secret/" + path + " started (" + run.path("trigger").asText()
                        + "); 'keyward rotation history " + path + "' shows its progress.");
            }
            return ExitCodes.OK;
        }
        long until = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (System.nanoTime() < until) {
            for (JsonNode h : r.data("GET", ROUTE + "history/" + path + "?limit=20", null).path("runs")) {
                if (h.path("id").asText().equals(id) && h.path("ended_at").isTextual()) {
                    if (r.json()) {
                        r.print(h);
                    } else {
                        r.out.println("Rotation " + id + " of secret/" + path + ": " + h.path("state").asText()
                                + (h.path("version").isInt() ? ", version " + h.path("version").asInt() : "")
                                + (h.path("error").isTextual() ? " (" + h.path("error").asText() + ")" : "") + ".");
                    }
                    return h.path("state").asText().equals("finished") ? ExitCodes.OK : ExitCodes.REFUSED;
                }
            }
            Thread.sleep(200);
        }
        throw new CliException(ExitCodes.UNAVAILABLE, "Rotation " + id + " has not ended after " + timeoutSeconds
                + " seconds; 'keyward rotation history " + path + "' shows where it is.");
    }

    @Command(name = "next", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Sets the next scheduled run of a secret by hand (an RFC 3339 time in the future).")
    static final class Next implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", description = "The secret's path.")
        String path;
        @Option(names = "--at", required = true, description = "When, e.g. 2026-12-24T03:00:00Z.")
        String at;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            ObjectNode b = KeywardCli.object();
            b.put("at", at);
            r.print(r.data("POST", ROUTE + "next/" + path, b));
            return ExitCodes.OK;
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "A secret's runs, newest first: trigger, outcome, failed step, error class, step times.")
    static final class History implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", description = "The secret's path.")
        String path;
        @Option(names = "--limit", description = "How many runs (default 20).")
        int limit = 20;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            JsonNode d = r.data("GET", ROUTE + "history/" + path + "?limit=" + limit, null);
            if (r.json()) {
                r.print(d);
                return ExitCodes.OK;
            }
            r.out.println(String.format("%-22s %-11s %-16s %-7s %-8s %s", "STARTED", "TRIGGER", "STATE", "ATTEMPT",
                    "VERSION", "ERROR"));
            for (JsonNode h : d.path("runs")) {
                r.out.println(String.format("%-22s %-11s %-16s %-7d %-8s %s", h.path("started_at").asText(),
                        h.path("trigger").asText(), h.path("state").asText(), h.path("attempt").asInt(),
                        h.path("version").isInt() ? h.path("version").asText() : "-",
                        h.path("error").isTextual() ? h.path("failed_step").asText() + ": " + h.path("error").asText()
                                : ""));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Every configured rotation: next run, last outcome, overdue and needs-attention flags.")
    static final class ListCmd implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--prefix", description = "Only secrets under this path.")
        String prefix = "";

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            JsonNode d = r.data("GET", ROUTE + "schedules?prefix=" + java.net.URLEncoder.encode(prefix,
                    java.nio.charset.StandardCharsets.UTF_8), null);
            if (r.json()) {
                r.print(d);
                return ExitCodes.OK;
            }
            r.out.println(String.format("%-32s %-10s %-22s %-16s %s", "PATH", "ROTATOR", "NEXT RUN", "LAST", "FLAGS"));
            for (JsonNode s : d.path("schedules")) {
                r.out.println(String.format("%-32s %-10s %-22s %-16s %s", s.path("path").asText(),
                        s.path("rotator").asText(), s.path("next_run").isTextual() ? s.path("next_run").asText() : "-",
                        s.path("last_outcome").isTextual() ? s.path("last_outcome").asText() : "-", flags(s)));
            }
            return ExitCodes.OK;
        }
    }

    static String flags(JsonNode s) {
        List<String> f = new ArrayList<>();
        if (s.path("overdue").asBoolean()) {
            f.add("overdue");
        }
        if (s.path("needs_attention").asBoolean()) {
            f.add("needs-attention");
        } else if ("rolled-back".equals(s.path("last_outcome").asText())) {
            f.add("failing");
        }
        if (s.path("running").isTextual()) {
            f.add("running");
        }
        return String.join(",", f);
    }

    /**
     * For {@code keyward status}: the rotations that are overdue or failing, when the caller may read
     * them (silently nothing otherwise: status works without a token).
     */
    static List<String> attention(KeywardCli r) {
        List<String> out = new ArrayList<>();
        try {
            VaultClient.Reply rep = r.client().call("GET", ROUTE + "schedules", r.tokenValue(), null);
            if (rep.status() != 200 || rep.json() == null) {
                return out;
            }
            for (JsonNode s : rep.json().path("data").path("schedules")) {
                String f = flags(s).replace("running", "").replaceAll("^,|,$", "");
                if (!f.isEmpty()) {
                    out.add(s.path("path").asText() + " (" + f + ")");
                }
            }
        } catch (CliException | IllegalStateException | java.io.UncheckedIOException e) {
            return out;
        }
        return out;
    }
}
