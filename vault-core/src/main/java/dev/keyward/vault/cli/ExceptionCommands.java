package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keyward exception ...}: the baseline of grants and the exceptions for grants outside it. */
@Command(name = "exception", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = {"Grants outside the documented baseline work only under an exception: owner, reason, expiry "
                + "(at most a year) and compensating controls the vault enforces (extra logging of every use, "
                + "narrower hours, an approval on each use).",
            "Record the baseline first ('keyward exception baseline'), then list what lies outside it."},
        subcommands = {ExceptionCommands.Baseline.class, ExceptionCommands.Outside.class, ExceptionCommands.Add.class,
            ExceptionCommands.ListAll.class, ExceptionCommands.Revoke.class, ExceptionCommands.Uses.class})
final class ExceptionCommands extends CommandGroup {

    @Command(name = "baseline", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Records the baseline: the grants of a policy-as-code file, or of the live policies now.")
    static final class Baseline implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--from", paramLabel = "FILE", description = "The reviewed policy-as-code file.")
        Path from;

        @Option(names = "--live", description = "Take the live policies as they are now.")
        boolean live;

        @Option(names = "--reason", required = true, description = "Why this is the baseline (e.g. the review).")
        String reason;

        @Option(names = "--show", description = "Only show the baseline in force.")
        boolean show;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            if (show) {
                r.print(r.data("GET", "kw/governance/baseline", null));
                return ExitCodes.OK;
            }
            if ((from == null) == !live) {
                throw new CliException(ExitCodes.USAGE, "Give either --from FILE or --live.");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("yaml", from == null ? null : readFile(from));
            body.put("reason", reason);
            r.print(r.data("POST", "kw/governance/baseline", body));
            return ExitCodes.OK;
        }
    }

    static String readFile(Path file) {
        try {
            return PolicyGateCommands.readText(file, "file");
        } catch (CliException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage());
        }
    }

    @Command(name = "outside", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Lists the live grants outside the baseline and whether an exception covers each.")
    static final class Outside implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            JsonNode d = r.data("GET", "kw/governance/baseline/outside", null);
            if (r.json()) {
                r.print(d);
            } else if (d.path("grants").isEmpty()) {
                r.out.println("Every live grant is inside the baseline.");
            } else {
                for (JsonNode g : d.path("grants")) {
                    r.out.println(g.path("status").asText() + "  " + g.path("policy").asText() + "#"
                            + g.path("rule_id").asText() + "  " + g.path("path").asText() + " "
                            + g.path("capabilities").toString().toLowerCase(Locale.ROOT)
                            + (g.path("exception_id").isNull() ? "" : "  exception " + g.path("exception_id").asText()));
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Records an exception for one grant (it replaces an earlier one for the same grant).")
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--policy", required = true, description = "The grant's policy.")
        String policy;

        @Option(names = "--rule", required = true, description = "The grant's rule id (by default its path).")
        String rule;

        @Option(names = "--owner", required = true, description = "Who answers for the exception.")
        String owner;

        @Option(names = "--reason", required = true, description = "Why the grant is needed.")
        String reason;

        @Option(names = "--expires", required = true, paramLabel = "DATE",
                description = "When it ends: a date (2027-01-31) or an RFC 3339 time; at most a year ahead.")
        String expires;

        @Option(names = "--extra-logging", description = "Record every use of the grant under the exception.")
        boolean extraLogging;

        @Option(names = "--hours", paramLabel = "DAYS HH:MM-HH:MM [ZONE]",
                description = "Only in these hours, e.g. 'Mon-Fri 09:00-17:00 Europe/Berlin'.")
        String hours;

        @Option(names = "--approval-on-use", description = "Each call needs an approval (refused while none can be "
                + "presented).")
        boolean approvalOnUse;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("policy", policy);
            body.put("rule_id", rule);
            body.put("owner", owner);
            body.put("reason", reason);
            body.put("expires_at", expires);
            body.put("extra_logging", extraLogging);
            body.put("hours", hours == null ? null : hours(hours));
            body.put("approval_on_use", approvalOnUse);
            r.print(r.data("POST", "kw/governance/exceptions", body));
            return ExitCodes.OK;
        }
    }

    private static final List<String> DAYS = List.of("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN");
    private static final List<String> FULL = List.of("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY",
            "SATURDAY", "SUNDAY");

    /** "Mon-Fri 09:00-17:00 Europe/Berlin" (days: a range or a comma list; zone optional, default UTC). */
    static Map<String, Object> hours(String spec) {
        String[] p = spec.trim().split("\\s+");
        if (p.length < 2 || p.length > 3 || !p[1].matches("\\d\\d:\\d\\d-\\d\\d:\\d\\d")) {
            throw new CliException(ExitCodes.USAGE, "--hours is DAYS HH:MM-HH:MM [ZONE], e.g. 'Mon-Fri 09:00-17:00 "
                    + "Europe/Berlin'.");
        }
        List<String> days = new ArrayList<>();
        for (String part : p[0].toUpperCase(Locale.ROOT).split(",")) {
            String[] range = part.split("-");
            int a = day(range[0]);
            int b = range.length == 2 ? day(range[1]) : a;
            for (int i = a; ; i = (i + 1) % 7) {
                days.add(FULL.get(i));
                if (i == b) {
                    break;
                }
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("days", days);
        m.put("from", p[1].substring(0, 5));
        m.put("to", p[1].substring(6));
        m.put("zone", p.length == 3 ? p[2] : "UTC");
        return m;
    }

    private static int day(String s) {
        int i = DAYS.indexOf(s.length() >= 3 ? s.substring(0, 3) : s);
        if (i < 0) {
            throw new CliException(ExitCodes.USAGE, "'" + s + "' is not a day (Mon, Tue, ... Sun).");
        }
        return i;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Lists every exception with its status, controls and uses.")
    static final class ListAll implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            JsonNode d = r.data("GET", "kw/governance/exceptions", null);
            if (r.json()) {
                r.print(d);
                return ExitCodes.OK;
            }
            for (JsonNode e : d.path("exceptions")) {
                JsonNode c = e.path("controls");
                List<String> controls = new ArrayList<>();
                if (c.path("extra_logging").asBoolean()) {
                    controls.add("extra logging");
                }
                if (!c.path("hours").isNull() && !c.path("hours").isMissingNode()) {
                    JsonNode h = c.path("hours");
                    controls.add("hours " + hhmm(h.path("from").asText()) + "-" + hhmm(h.path("to").asText()) + " "
                            + h.path("zone").asText());
                }
                if (c.path("approval_on_use").asBoolean()) {
                    controls.add("approval on use");
                }
                r.out.println(e.path("id").asText() + "  " + e.path("status").asText() + "  " + e.path("policy").asText()
                        + "#" + e.path("rule_id").asText() + "  owner " + e.path("owner").asText() + "  until "
                        + e.path("expires_at").asText() + "  controls: " + (controls.isEmpty() ? "none"
                        : String.join(", ", controls)) + "  uses: " + e.path("uses").asLong());
            }
            return ExitCodes.OK;
        }
    }

    private static String hhmm(String time) {
        return time.length() > 5 ? time.substring(0, 5) : time;
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Ends an exception now.")
    static final class Revoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--reason", required = true, description = "Why it ends.")
        String reason;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            r.print(r.data("POST", "kw/governance/exceptions/" + id + "/revoke", Map.of("reason", reason)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "uses", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "The uses recorded under an exception with extra logging, newest first.")
    static final class Uses implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            JsonNode d = r.data("GET", "kw/governance/exceptions/" + id + "/uses", null);
            if (r.json()) {
                r.print(d);
            } else {
                d.path("uses").forEach(u -> r.out.println(u.path("at").asText() + "  " + u.path("identity").asText()
                        + "  " + u.path("operation").asText() + "  " + u.path("resource").asText()));
            }
            return ExitCodes.OK;
        }
    }
}
