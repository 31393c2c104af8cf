package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keyward review ...}: access reviews of grants, per grant owner, on a schedule. */
@Command(name = "review", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = {"Access reviews: on a schedule (e.g. quarterly) the vault opens one review per grant owner; "
                + "each grant is attested keep, reduce or revoke with a reason before the deadline. Grants nobody "
                + "attested in time expire at the deadline or raise an alert, as the schedule says."},
        subcommands = {ReviewCommands.Schedule.class, ReviewCommands.Open.class, ReviewCommands.ListAll.class,
            ReviewCommands.Show.class, ReviewCommands.Attest.class})
final class ReviewCommands extends CommandGroup {

    @Command(name = "schedule", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Shows the review schedule, or sets it with --every.")
    static final class Schedule implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--every", description = "monthly, quarterly, yearly, or a number of days such as 30d.")
        String every;

        @Option(names = "--deadline", defaultValue = "14d", description = "Time to attest after a review opens "
                + "(default ${DEFAULT-VALUE}).")
        String deadline;

        @Option(names = "--on-missed", defaultValue = "expire", description = "expire (default) or alert: what "
                + "happens to a grant nobody attested by the deadline.")
        String onMissed;

        @Option(names = "--first", paramLabel = "TIME", description = "When the first review opens (default: now).")
        String first;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            if (every == null) {
                r.print(r.data("GET", "kw/governance/reviews/schedule", null));
                return ExitCodes.OK;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("every", every);
            body.put("deadline", deadline);
            body.put("on_missed", onMissed);
            body.put("first_at", first);
            r.print(r.data("POST", "kw/governance/reviews/schedule", body));
            return ExitCodes.OK;
        }
    }

    @Command(name = "open", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Opens reviews now, one per grant owner, outside the schedule.")
    static final class Open implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--reason", required = true, description = "Why now (e.g. an audit).")
        String reason;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            JsonNode d = r.data("POST", "kw/governance/reviews", Map.of("reason", reason));
            printList(r, d);
            return ExitCodes.OK;
        }
    }

    static void printList(KeywardCli r, JsonNode d) {
        if (r.json()) {
            r.print(d);
            return;
        }
        for (JsonNode v : d.path("reviews")) {
            long attested = 0;
            for (JsonNode i : v.path("items")) {
                attested += i.path("decision").isNull() ? 0 : 1;
            }
            r.out.println(v.path("id").asText() + "  " + v.path("status").asText() + "  owner " + v.path("owner")
                    .asText() + "  " + attested + "/" + v.path("items").size() + " attested  deadline "
                    + v.path("deadline").asText());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Lists every review, newest first.")
    static final class ListAll implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            printList(r, r.data("GET", "kw/governance/reviews", null));
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Shows one review's grants and what was attested.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            JsonNode v = r.data("GET", "kw/governance/reviews/" + id, null);
            if (r.json()) {
                r.print(v);
                return ExitCodes.OK;
            }
            r.out.println("Review " + v.path("id").asText() + " of " + v.path("owner").asText() + " (" + v.path("status")
                    .asText() + ", deadline " + v.path("deadline").asText() + ", unattested grants: "
                    + v.path("on_missed").asText().toLowerCase(Locale.ROOT) + ")");
            for (JsonNode i : v.path("items")) {
                r.out.println("  " + i.path("policy").asText() + "#" + i.path("rule_id").asText() + "  "
                        + i.path("path").asText() + "  last used " + (i.path("last_used").isNull() ? "never"
                        : i.path("last_used").asText()) + "  -> " + (i.path("decision").isNull() ? "not attested"
                        : i.path("decision").asText().toLowerCase(Locale.ROOT) + " by " + i.path("attested_by")
                        .asText() + ": " + i.path("reason").asText()) + (i.path("outcome").isNull() ? ""
                        : " (" + i.path("outcome").asText() + ")"));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "attest", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Attests one grant of an open review: keep, reduce (recorded for its owner to narrow) or "
                    + "revoke (removed from its policy at once).")
    static final class Attest implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "REVIEW")
        String review;

        @Option(names = "--policy", required = true, description = "The grant's policy.")
        String policy;

        @Option(names = "--rule", required = true, description = "The grant's rule id.")
        String rule;

        @Option(names = "--decision", required = true, description = "keep, reduce or revoke.")
        String decision;

        @Option(names = "--reason", required = true, description = "Why.")
        String reason;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("policy", policy);
            body.put("rule_id", rule);
            body.put("decision", decision);
            body.put("reason", reason);
            JsonNode v = r.data("POST", "kw/governance/reviews/" + review + "/attest", body);
            if (r.json()) {
                r.print(v);
            } else {
                for (JsonNode i : v.path("items")) {
                    if (i.path("policy").asText().equals(policy) && i.path("rule_id").asText().equals(rule)) {
                        r.out.println("Attested " + policy + "#" + rule + ": " + i.path("decision").asText()
                                .toLowerCase(Locale.ROOT) + " (" + i.path("outcome").asText() + ").");
                    }
                }
            }
            return ExitCodes.OK;
        }
    }
}
