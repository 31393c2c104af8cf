package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keyward request}, {@code keyward approve}, {@code keyward deny} and {@code keyward
 * approvals ...}: requests for gated operations, signed reviews, grants, elevations, break-glass,
 * tracks and gates, over {@code /v1/kw/approvals/}.
 */
final class ApprovalCommands {
    private ApprovalCommands() {
    }

    static final String BASE = "kw/approvals/";

    /** One line per request: id, status, operation, resource, requester, votes. */
    static void printRequests(KeywardCli r, JsonNode list) {
        if (r.json()) {
            r.print(list);
            return;
        }
        if (list.isEmpty()) {
            r.out.println("(none)");
        }
        list.forEach(q -> r.out.println(q.path("id").asText() + "  " + q.path("status").asText() + "  "
                + q.path("operation").asText() + "  " + q.path("resource").asText() + "  by "
                + q.path("requester").asText() + "  votes " + q.path("votes").size()));
    }

    static void printRequest(KeywardCli r, JsonNode q) {
        if (r.json()) {
            r.print(q);
            return;
        }
        for (String f : List.of("id", "status", "operation", "resource", "requester", "author", "justification",
                "duration", "pending_until", "grant_expires_at", "uses_left", "break_glass")) {
            if (q.hasNonNull(f)) {
                r.out.println(f + ": " + q.get(f).asText());
            }
        }
        q.path("thresholds").forEach(t -> r.out.println("needs: " + t.path("approve").asInt() + " from "
                + t.path("track").asText()));
        q.path("votes").forEach(v -> r.out.println("vote: " + v.path("approver").asText() + " "
                + (v.path("approve").asBoolean() ? "approved" : "denied") + " (key " + v.path("key_id").asText() + ")"
                + (v.path("reason").asText().isEmpty() ? "" : ": " + v.path("reason").asText())));
        if (q.hasNonNull("change") && !q.get("change").asText().isEmpty()) {
            r.out.println("change:");
            r.out.println(q.get("change").asText());
        }
    }

    @Command(name = "request", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = {"Asks for a gated operation: keyward request read-critical secret/prod/db --reason '...'",
                "Operations: read-critical, destroy, rotate-now, policy-apply, elevation, seal-migration, "
                    + "root-key-rotation, or an operation id (e.g. secret.read) that a policy's approvals condition "
                    + "guards. Prints the request id; once approved it is the grant to present (--approval ID)."})
    static final class Request implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "OPERATION")
        String operation;

        @Parameters(index = "1", paramLabel = "RESOURCE",
                description = "A secret path (secret/...), 'policies', 'seal', or approle:NAME / operator:NAME.")
        String resource;

        @Option(names = "--reason", required = true, description = "Why (required).")
        String reason;

        @Option(names = "--change", description = "The exact change (for an elevation: policy:NAME or role:NAME).")
        String change;

        @Option(names = "--change-file", paramLabel = "FILE", description = "The change (e.g. a diff) from a file.")
        Path changeFile;

        @Option(names = "--author", description = "Who wrote the change (default: you); never an approver.")
        String author;

        @Option(names = "--duration", description = "How long the grant lasts (e.g. 15m; capped by the gate).")
        String duration;

        @Option(names = "--pending-ttl", description = "How long to wait for review (capped by the gate).")
        String pendingTtl;

        @Option(names = "--uses", description = "How many times the grant may be used (default 1).")
        Integer uses;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            ObjectNode b = KeywardCli.object().put("operation", operation).put("resource", resource)
                    .put("justification", reason);
            String c = change;
            if (changeFile != null) {
                try {
                    c = Files.readString(changeFile, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new CliException(ExitCodes.USAGE, "The change file " + changeFile + " could not be read.");
                }
            }
            if (c != null) {
                b.put("change", c);
            }
            if (author != null) {
                b.put("author", author);
            }
            if (duration != null) {
                b.put("duration", duration);
            }
            if (pendingTtl != null) {
                b.put("pending_ttl", pendingTtl);
            }
            if (uses != null) {
                b.put("uses", uses);
            }
            JsonNode q = r.data("POST", BASE + "requests", b);
            if (r.json()) {
                r.print(q);
            } else {
                r.out.println(q.path("id").asText());
                r.err.println("Waiting for " + q.path("thresholds").toString() + " until "
                        + q.path("pending_until").asText() + ".");
            }
            return ExitCodes.OK;
        }
    }

    /** Approve and deny: a passphrase to sign with, or a signature made outside the vault. */
    abstract static class Review implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--passphrase-file", paramLabel = "FILE",
                description = "Your operator passphrase, which opens your signing key (else "
                        + "$KEYWARD_OPERATOR_PASSPHRASE, else a prompt).")
        Path passphraseFile;

        @Option(names = "--signature", paramLabel = "BASE64",
                description = "A signature you made with your own key over 'keyward approvals signing-message ID'.")
        String signature;

        abstract boolean approve();

        abstract String reason();

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            ObjectNode b = KeywardCli.object();
            if (reason() != null) {
                b.put("reason", reason());
            }
            char[] pass = null;
            try {
                if (signature != null) {
                    b.put("signature", signature);
                } else {
                    pass = r.secret(passphraseFile, "KEYWARD_OPERATOR_PASSPHRASE", "Operator passphrase");
                    b.put("passphrase", new String(pass));
                }
                JsonNode q = r.data("POST", BASE + "requests/" + id + (approve() ? "/approve" : "/deny"), b);
                if (r.json()) {
                    r.print(q);
                } else {
                    r.out.println(q.path("id").asText() + ": " + q.path("status").asText());
                }
                return ExitCodes.OK;
            } finally {
                if (pass != null) {
                    Arrays.fill(pass, '\0');
                }
                b.removeAll();
            }
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Approves a request with your signature (Ed25519 over the canonical request).")
    static final class Approve extends Review {
        @Option(names = "--reason", description = "Why (optional; signed with the approval).")
        String reason;

        @Override
        boolean approve() {
            return true;
        }

        @Override
        String reason() {
            return reason;
        }
    }

    @Command(name = "deny", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Denies a request with your signature; the gate's deny threshold rejects it.")
    static final class Deny extends Review {
        @Option(names = "--reason", required = true, description = "Why (required; signed with the denial).")
        String reason;

        @Override
        boolean approve() {
            return false;
        }

        @Override
        String reason() {
            return reason;
        }
    }

    @Command(name = "approvals", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Approval requests, grants, elevations, break-glass, review tracks and gates.",
            subcommands = {Inbox.class, Mine.class, History.class, Show.class, Grants.class, Cancel.class,
                Notices.class, Elevations.class, EndElevation.class, BreakGlass.class, SigningMessage.class,
                Tracks.class, PutTrack.class, Gates.class, PutGate.class, DeleteGate.class})
    static final class Approvals extends CommandGroup {
    }

    /** A listing subcommand: GET a route, print its list. */
    abstract static class Listing implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        private final String route;
        private final String field;

        Listing(String route, String field) {
            this.route = route;
            this.field = field;
        }

        String route() {
            return route;
        }

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            JsonNode list = r.data("GET", BASE + route(), null).path(field);
            if (field.equals("requests") || field.equals("grants")) {
                printRequests(r, list);
            } else if (r.json()) {
                r.print(list);
            } else {
                list.forEach(n -> r.out.println(n.toString()));
                if (list.isEmpty()) {
                    r.out.println("(none)");
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "inbox", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Requests waiting for your review.")
    static final class Inbox extends Listing {
        Inbox() {
            super("inbox", "requests");
        }
    }

    @Command(name = "mine", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Your requests, newest first.")
    static final class Mine extends Listing {
        Mine() {
            super("mine", "requests");
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Every request (reviewers and auditors; yours otherwise), newest first.")
    static final class History extends Listing {
        @Option(names = "--limit", description = "At most this many (default 200).")
        int limit = 200;

        History() {
            super("history", "requests");
        }

        @Override
        String route() {
            return "history?limit=" + limit;
        }
    }

    @Command(name = "grants", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Your grants usable now.")
    static final class Grants extends Listing {
        Grants() {
            super("grants", "grants");
        }
    }

    @Command(name = "notices", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Notices for you: requests to review, decisions, break-glass uses.")
    static final class Notices extends Listing {
        Notices() {
            super("notices", "notices");
        }
    }

    @Command(name = "elevations", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Elevations in force now.")
    static final class Elevations extends Listing {
        Elevations() {
            super("elevations", "elevations");
        }
    }

    @Command(name = "tracks", mixinStandardHelpOptions = true, footer = ExitCodes.HELP, description = "Review tracks.")
    static final class Tracks extends Listing {
        Tracks() {
            super("tracks", "tracks");
        }
    }

    @Command(name = "gates", mixinStandardHelpOptions = true, footer = ExitCodes.HELP, description = "Gates.")
    static final class Gates extends Listing {
        Gates() {
            super("gates", "gates");
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "A request: its change, votes and grant.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            printRequest(r, r.data("GET", BASE + "requests/" + id, null));
            return ExitCodes.OK;
        }
    }

    @Command(name = "signing-message", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "The exact text to sign with your own key (then: keyward approve ID --signature ...).")
    static final class SigningMessage implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--deny", description = "The message for a denial.")
        boolean deny;

        @Option(names = "--reason", description = "The reason you will send with the vote.")
        String reason;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            String q = "?decision=" + (deny ? "deny" : "approve") + (reason == null ? ""
                    : "&reason=" + java.net.URLEncoder.encode(reason, StandardCharsets.UTF_8));
            r.out.print(r.data("GET", BASE + "requests/" + id + "/signing-message" + q, null).path("message").asText());
            r.out.flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Withdraws a request or an unused grant.")
    static final class Cancel implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--reason", description = "Why.")
        String reason;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            JsonNode q = r.data("POST", BASE + "requests/" + id + "/cancel", KeywardCli.object().put("reason",
                    reason == null ? "" : reason));
            r.out.println(q.path("id").asText() + ": " + q.path("status").asText());
            return ExitCodes.OK;
        }
    }

    @Command(name = "end-elevation", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Ends an elevation before its expiry.")
    static final class EndElevation implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            r.print(r.data("POST", BASE + "elevations/" + id + "/end", KeywardCli.object()));
            return ExitCodes.OK;
        }
    }

    @Command(name = "break-glass", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = {"Bypasses a soft gate with a reason: a single-use grant now; every approver is alerted.",
                "Prints the grant's id: present it with --approval ID."})
    static final class BreakGlass implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "OPERATION")
        String operation;

        @Parameters(index = "1", paramLabel = "RESOURCE")
        String resource;

        @Option(names = "--reason", required = true, description = "Why the glass is broken.")
        String reason;

        @Option(names = "--duration", description = "How long the grant lasts (capped by the gate).")
        String duration;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            ObjectNode b = KeywardCli.object().put("operation", operation).put("resource", resource)
                    .put("reason", reason);
            if (duration != null) {
                b.put("duration", duration);
            }
            JsonNode q = r.data("POST", BASE + "break-glass", b);
            if (r.json()) {
                r.print(q);
            } else {
                r.out.println(q.path("id").asText());
                r.err.println("Break-glass recorded; the approvers are alerted. Valid until "
                        + q.path("grant_expires_at").asText() + ".");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "track", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Adds or replaces a review track.")
    static final class PutTrack implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "security, operations, development or your own.")
        String name;

        @Option(names = "--operators", description = "Operator names, comma separated.")
        String operators;

        @Option(names = "--roles", description = "Roles whose holders are eligible, comma separated.")
        String roles;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            ObjectNode b = KeywardCli.object().put("name", name);
            b.set("operators", VaultClient.JSON.valueToTree(operators == null ? List.of() : KeywardCli.split(operators)));
            b.set("roles", VaultClient.JSON.valueToTree(roles == null ? List.of() : KeywardCli.split(roles)));
            r.print(r.data("POST", BASE + "tracks", b));
            return ExitCodes.OK;
        }
    }

    @Command(name = "gate", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Adds or replaces a gate: keyward approvals gate prod-reads --operation read-critical "
                    + "--resource 'secret/prod/*' --threshold security=1 --threshold operations=1")
    static final class PutGate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--operation", required = true, description = "read-critical, destroy, rotate-now, "
                + "policy-apply, elevation, seal-migration, root-key-rotation, or an operation id.")
        String operation;

        @Option(names = "--resource", description = "A resource pattern (default *).")
        String resource;

        @Option(names = "--threshold", required = true, paramLabel = "TRACK=N",
                description = "N approvals from TRACK (repeat; * is any track).")
        List<String> thresholds = new ArrayList<>();

        @Option(names = "--deny", description = "Denials that reject (default 1).")
        int deny = 1;

        @Option(names = "--break-glass", description = "A soft gate: operators may bypass it with a reason.")
        boolean breakGlass;

        @Option(names = "--max-duration", description = "The longest a grant lasts (default 1h).")
        String maxDuration;

        @Option(names = "--pending-ttl", description = "How long requests wait for review (default 24h).")
        String pendingTtl;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            ObjectNode b = KeywardCli.object().put("id", id).put("operation", operation).put("deny", deny)
                    .put("break_glass", breakGlass);
            if (resource != null) {
                b.put("resource", resource);
            }
            if (maxDuration != null) {
                b.put("max_duration", maxDuration);
            }
            if (pendingTtl != null) {
                b.put("pending_ttl", pendingTtl);
            }
            var th = b.putArray("thresholds");
            for (String t : thresholds) {
                int eq = t.lastIndexOf('=');
                int n;
                try {
                    n = Integer.parseInt(t.substring(eq + 1));
                } catch (RuntimeException e) {
                    throw new CliException(ExitCodes.USAGE, "A threshold is TRACK=N, e.g. security=1.");
                }
                if (eq <= 0) {
                    throw new CliException(ExitCodes.USAGE, "A threshold is TRACK=N, e.g. security=1.");
                }
                th.addObject().put("track", t.substring(0, eq)).put("approve", n);
            }
            r.print(r.data("POST", BASE + "gates", b));
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete-gate", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Removes a gate.")
    static final class DeleteGate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            KeywardCli.root(spec).send("DELETE", BASE + "gates/" + id, null);
            return ExitCodes.OK;
        }
    }
}
