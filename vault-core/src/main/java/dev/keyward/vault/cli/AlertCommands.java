package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keyward alerts list|show|ack|resolve|false-positive|undo|status|config}: alerts and containment. */
@Command(name = "alerts", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = "Alerts from the anomaly detectors and other features, and the containment they caused.",
        subcommands = {AlertCommands.ListAlerts.class, AlertCommands.Show.class, AlertCommands.Ack.class,
            AlertCommands.Resolve.class, AlertCommands.FalsePositive.class, AlertCommands.Undo.class,
            AlertCommands.Status.class, AlertCommands.Config.class})
final class AlertCommands extends CommandGroup {

    private static String q(String name, String value) {
        return value == null ? "" : "&" + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static void line(KeywardCli r, JsonNode a) {
        r.out.println(String.format(Locale.ROOT, "%-28s %-8s %-14s %-22s %-16s %s", a.path("id").asText(),
                a.path("severity").asText().toLowerCase(Locale.ROOT), a.path("state").asText()
                        .toLowerCase(Locale.ROOT).replace('_', '-'), a.path("detector").asText(),
                a.path("identity").isNull() ? "-" : a.path("identity").asText(), a.path("summary").asText()));
    }

    @Command(name = "list", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Alerts, newest first.")
    static final class ListAlerts implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--state", description = "open, acknowledged, resolved or false-positive") String state;
        @Option(names = "--detector", description = "e.g. new-source") String detector;
        @Option(names = "--identity", description = "name or id") String identity;
        @Option(names = "--severity", description = "at least: info, low, medium, high, critical") String severity;
        @Option(names = "--since", description = "RFC 3339 time, e.g. 2026-12-01T00:00:00Z") String since;
        @Option(names = "--limit", description = "at most this many (default 200)") Integer limit;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            String query = q("state", state) + q("detector", detector) + q("identity", identity)
                    + q("min_severity", severity) + q("since", since) + q("limit", limit == null ? null
                    : limit.toString());
            JsonNode d = r.data("GET", "kw/alerts" + (query.isEmpty() ? "" : "?" + query.substring(1)), null);
            if (r.json()) {
                r.print(d);
            } else {
                d.path("alerts").forEach(a -> line(r, a));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "One alert: evidence (audit sequence numbers), runbook, history, containment actions.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            JsonNode a = r.data("GET", "kw/alerts/" + URLEncoder.encode(id, StandardCharsets.UTF_8), null);
            if (r.json()) {
                r.print(a);
                return ExitCodes.OK;
            }
            line(r, a);
            r.out.println("resource:  " + (a.path("resource").isNull() ? "-" : a.path("resource").asText()));
            r.out.println("raised:    " + a.path("raised_at").asText() + " by " + a.path("raised_by").asText());
            r.out.println("evidence:  audit entries " + a.path("evidence"));
            r.out.println("runbook:   " + a.path("runbook").asText());
            a.path("history").forEach(h -> r.out.println("history:   " + h.path("at").asText() + " "
                    + h.path("state").asText().toLowerCase(Locale.ROOT) + " by " + h.path("by").asText() + ": "
                    + h.path("why").asText()));
            a.path("actions").forEach(x -> r.out.println("action:    " + x.asText()));
            return ExitCodes.OK;
        }
    }

    /** A state change with a reason. */
    abstract static class Change implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "ID") String id;
        @Option(names = "--reason", required = true, description = "Why (recorded with your name).") String reason;

        abstract String step();

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            JsonNode a = r.data("POST", "kw/alerts/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/" + step(),
                    Map.of("reason", reason));
            if (r.json()) {
                r.print(a);
            } else {
                line(r, a);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "ack", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Acknowledges an alert (someone is on it).")
    static final class Ack extends Change {
        @Override
        String step() {
            return "ack";
        }
    }

    @Command(name = "resolve", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Resolves an alert.")
    static final class Resolve extends Change {
        @Override
        String step() {
            return "resolve";
        }
    }

    @Command(name = "false-positive", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Marks an alert a false positive (the detector's baseline learns it).")
    static final class FalsePositive extends Change {
        @Override
        String step() {
            return "false-positive";
        }
    }

    @Command(name = "undo", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Undoes a containment action (unlock, end read-only mode, lower the risk score).")
    static final class Undo implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "ACTION") String id;
        @Option(names = "--reason", required = true, description = "Why (recorded with your name).") String reason;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            JsonNode a = r.data("POST", "kw/alerts/containment/" + URLEncoder.encode(id, StandardCharsets.UTF_8)
                    + "/undo", Map.of("reason", reason));
            if (r.json()) {
                r.print(a);
            } else {
                r.out.println(a.path("id").asText() + "  " + a.path("action").asText() + "  " + a.path("state").asText()
                        + "  " + a.path("detail").asText());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Containment in force: read-only mode, restricted identities, recent actions.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            JsonNode d = r.data("GET", "kw/alerts/containment", null);
            if (r.json()) {
                r.print(d);
                return ExitCodes.OK;
            }
            r.out.println("vault read-only: " + (d.path("vault_read_only").asBoolean() ? "yes" : "no"));
            d.path("identities").forEach(i -> r.out.println("identity " + i.path("identity").asText() + ": "
                    + (i.path("locked").asBoolean() ? "locked " : "") + (i.path("read_only").asBoolean() ? "read-only "
                    : "") + "risk " + i.path("risk").asInt()));
            d.path("recent").forEach(a -> r.out.println(a.path("id").asText() + "  " + a.path("action").asText()
                    + "  " + a.path("state").asText() + "  " + (a.path("identity").isNull() ? "vault"
                    : a.path("identity").asText()) + "  " + a.path("detail").asText()));
            return ExitCodes.OK;
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Shows the detector and containment configuration, or applies one (--apply FILE).")
    static final class Config implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--apply", paramLabel = "FILE", description = "A YAML file (see docs/anomaly.md).") Path file;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            JsonNode d;
            if (file != null) {
                String yaml;
                try {
                    yaml = Files.readString(file, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new CliException(ExitCodes.USAGE, "Cannot read " + file + ": " + e.getClass().getSimpleName());
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("yaml", yaml);
                d = r.data("POST", "kw/alerts/config", body);
            } else {
                d = r.data("GET", "kw/alerts/config", null);
            }
            if (r.json()) {
                r.print(d);
                return ExitCodes.OK;
            }
            r.out.println("version " + d.path("version").asInt() + "; deliveries: " + d.path("deliveries"));
            d.path("detectors").forEach(x -> r.out.println(String.format(Locale.ROOT, "%-22s %-4s %-9s %s",
                    x.path("name").asText(), x.path("enabled").asBoolean() ? "on" : "off",
                    x.path("severity").asText().toLowerCase(Locale.ROOT), x.path("containment"))));
            return ExitCodes.OK;
        }
    }
}
