package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keyward webhook ...}: signed webhooks that tell dependents a secret changed. */
@Command(name = "webhook", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = {"Signed webhooks for dependents: each change of a secret under a prefix (a new version, "
                + "a rotation, a delete, a destroy) is POSTed to an https:// URL with an HMAC-SHA256 signature over "
                + "the body (event, path, version; never a value), kept in a durable outbox and retried with "
                + "backoff. See docs/notifications.md."},
        subcommands = {WebhookCommands.Add.class, WebhookCommands.ListAll.class, WebhookCommands.Remove.class,
            WebhookCommands.Test.class})
final class WebhookCommands extends CommandGroup {

    @Command(name = "add", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Adds a webhook and prints its signing key, shown this once.")
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--url", required = true, paramLabel = "URL", description = "The receiver: an https:// URL.")
        String url;

        @Option(names = "--prefix", defaultValue = "", paramLabel = "PATH",
                description = "Only secrets whose path starts with this (e.g. app/ or app/db; default: all).")
        String prefix;

        @Option(names = "--events", paramLabel = "KINDS", description = "Comma-separated kinds: secret.updated, "
                + "secret.rotated, secret.deleted, secret.destroyed, secret.metadata (default: all).")
        String events;

        @Option(names = "--ca-file", paramLabel = "PEM",
                description = "Pin the receiver's CA (PEM); default: the JDK's trust store.")
        Path caFile;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("url", url);
            body.put("prefix", prefix);
            body.put("events", events == null ? java.util.List.of() : KeywardCli.split(events));
            if (caFile != null) {
                try {
                    body.put("ca_pem", Files.readString(caFile, StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    throw new CliException(ExitCodes.USAGE, "The CA file " + caFile + " could not be read.");
                }
            }
            JsonNode d = r.data("POST", "kw/webhooks", body);
            if (r.json()) {
                r.print(d);
                return ExitCodes.OK;
            }
            JsonNode w = d.path("webhook");
            r.out.println("id: " + w.path("id").asText());
            r.out.println("host: " + w.path("host").asText());
            r.out.println("prefix: " + w.path("prefix").asText());
            r.out.println("events: " + (w.path("events").isEmpty() ? "all" : KeywardCli.text(w.path("events"))));
            r.out.println("signing_key: " + d.path("signing_key").asText());
            r.err.println("Keep the signing key now: it is shown only this once. Verify each delivery's "
                    + "X-Keyward-Signature with it (docs/notifications.md).");
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Lists webhooks with their delivery status: delivered, pending, failed, the last error.")
    static final class ListAll implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            JsonNode d = r.data("GET", "kw/webhooks", null);
            if (r.json()) {
                r.print(d);
                return ExitCodes.OK;
            }
            JsonNode list = d.path("webhooks");
            if (list.isEmpty()) {
                r.out.println("No webhooks.");
                return ExitCodes.OK;
            }
            r.out.printf("%-14s %-22s %-12s %9s %7s %6s  %s%n", "ID", "HOST", "PREFIX", "DELIVERED", "PENDING",
                    "FAILED", "LAST ERROR");
            boolean failing = false;
            for (JsonNode w : list) {
                String err = w.path("last_error").isNull() || w.path("last_error").asText().isEmpty() ? "-"
                        : w.path("last_error").asText() + " at " + w.path("last_attempt_at").asText();
                failing |= w.path("failed").asLong() > 0 || w.path("pending").asLong() > 0 && !err.equals("-");
                r.out.printf("%-14s %-22s %-12s %9d %7d %6d  %s%n", w.path("id").asText(), w.path("host").asText(),
                        w.path("prefix").asText().isEmpty() ? "(all)" : w.path("prefix").asText(),
                        w.path("delivered").asLong(), w.path("pending").asLong(), w.path("failed").asLong(), err);
            }
            if (failing) {
                r.err.println("Some deliveries failed or are being retried: see LAST ERROR.");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Removes a webhook and the deliveries it was still owed.")
    static final class Remove implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "The webhook's id (keyward webhook list).")
        String id;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            r.send("DELETE", "kw/webhooks/" + id(id), null);
            r.err.println("Removed webhook " + id + ".");
            return ExitCodes.OK;
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Sends one signed webhook.test delivery now; exits 1 when it is not delivered.")
    static final class Test implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "The webhook's id (keyward webhook list).")
        String id;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            JsonNode d = r.data("POST", "kw/webhooks/" + id(id) + "/test", Map.of());
            if (r.json()) {
                r.print(d);
            } else if (d.path("delivered").asBoolean()) {
                r.out.println("Delivered to " + d.path("host").asText() + " (HTTP " + d.path("status").asInt() + ").");
            } else {
                r.out.println("Not delivered to " + d.path("host").asText() + ": " + d.path("error").asText() + ".");
            }
            return d.path("delivered").asBoolean() ? ExitCodes.OK : ExitCodes.REFUSED;
        }
    }

    private static String id(String id) {
        if (id == null || !id.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new CliException(ExitCodes.USAGE, "A webhook id is letters, digits, '-' and '_' (keyward webhook list).");
        }
        return id;
    }
}
