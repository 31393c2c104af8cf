package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keyward policy ...} and {@code keyward cert issue}: Keyward-only routes under /v1/kw/. */
final class AdminCommands {
    private AdminCommands() {
    }

    @Command(name = "policy", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Policies: list, read, write and delete one; as code: export, apply (with --dry-run), explain "
                    + "a decision, drift and boundary gates.",
            subcommands = {AccessCommands.PolicyList.class, AccessCommands.PolicyRead.class,
                AccessCommands.PolicyWrite.class, AccessCommands.PolicyDelete.class, Policy.Export.class,
                Policy.Apply.class, Policy.Explain.class, PolicyGateCommands.Drift.class, PolicyGateCommands.Check.class})
    static final class Policy extends CommandGroup {

        @Command(name = "export", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Prints every policy and role as YAML (or writes it with --out).")
        static final class Export implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Option(names = "--out", paramLabel = "FILE", description = "Write the YAML here instead of printing it.")
            Path outFile;

            @Override
            public Integer call() throws IOException {
                KeywardCli r = KeywardCli.root(spec);
                String yaml = r.data("GET", "kw/policy/export", null).path("yaml").asText();
                if (outFile == null && r.json()) {
                    r.print(KeywardCli.object().put("yaml", yaml));
                } else if (outFile == null) {
                    r.out.print(yaml);
                } else {
                    Files.writeString(outFile, yaml, StandardCharsets.UTF_8);
                }
                return ExitCodes.OK;
            }
        }

        @Command(name = "apply", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = {"Makes the vault's policies match a YAML file; prints the changes.",
                    "Each section present replaces that kind as a whole: an approles: section removes every AppRole "
                        + "it does not list (with its secret_ids and tokens). Leave a section out to leave that "
                        + "kind alone; try --dry-run first."})
        static final class Apply implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Parameters(index = "0", paramLabel = "FILE")
            Path file;

            @Option(names = "--dry-run", description = "Show the changes without making them.")
            boolean dryRun;

            @Option(names = "--reason", description = "Why (recorded with the new policy versions).")
            String reason;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                String yaml;
                try {
                    yaml = Files.readString(file, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new CliException(ExitCodes.USAGE, "The file " + file + " could not be read.");
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("yaml", yaml);
                body.put("dry_run", dryRun);
                body.put("reason", reason);
                JsonNode d = r.data("POST", "kw/policy/apply", body);
                if (r.json()) {
                    r.print(d);
                } else if (d.path("changes").isEmpty()) {
                    r.out.println("No changes.");
                } else {
                    for (JsonNode c : d.path("changes")) {
                        r.out.println(c.path("action").asText() + " " + c.path("kind").asText() + " "
                                + c.path("name").asText());
                        c.path("diff").forEach(line -> r.out.println("    " + line.asText()));
                    }
                    List<String> removed = new java.util.ArrayList<>();
                    d.path("changes").forEach(c -> {
                        if (c.path("kind").asText().equals("approle") && c.path("action").asText().equals("remove")) {
                            removed.add(c.path("name").asText());
                        }
                    });
                    if (!removed.isEmpty()) {
                        r.out.println("Note: this file's approles: section is the complete list of AppRoles: every AppRole "
                                + "it does not list " + (dryRun ? "would be" : "was") + " removed, with its secret_ids and "
                                + "tokens: " + String.join(", ", removed) + ".");
                    }
                    if (dryRun) {
                        r.out.println("(dry run: nothing changed)");
                    }
                }
                return ExitCodes.OK;
            }
        }

        @Command(name = "explain", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Says whether an identity may do an operation on a path, and which rule decides.")
        static final class Explain implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Option(names = "--identity", required = true, paramLabel = "TYPE:NAME",
                    description = "operator:NAME, approle:NAME or cert:NAME")
            String identity;

            @Option(names = "--operation", required = true, description = "e.g. secret.read, secret.write")
            String operation;

            @Option(names = "--path", description = "e.g. secret/team/db")
            String path;

            @Option(names = "--source", description = "A source address to evaluate conditions with.")
            String source;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                int colon = identity.indexOf(':');
                if (colon <= 0) {
                    throw new CliException(ExitCodes.USAGE, "--identity is TYPE:NAME, e.g. approle:ci-deploy.");
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("identity_type", identity.substring(0, colon));
                body.put("identity_name", identity.substring(colon + 1));
                body.put("operation", operation);
                body.put("path", path);
                body.put("source_address", source);
                JsonNode d = r.data("POST", "kw/policy/explain", body);
                r.print(d);
                return d.path("allowed").asBoolean() ? ExitCodes.OK : ExitCodes.DENIED;
            }
        }
    }

    @Command(name = "cert", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Client certificates for machine identities (mutual TLS).", subcommands = Cert.Issue.class)
    static final class Cert extends CommandGroup {

        @Command(name = "issue", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Issues a client certificate from the vault's CA and registers it as a certificate "
                        + "identity; writes NAME.crt and NAME.key (0600) into --out-dir.")
        static final class Issue implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Parameters(index = "0", paramLabel = "NAME")
            String name;

            @Option(names = "--policies", required = true, paramLabel = "P1,P2",
                    description = "The policies the certificate identity gets.")
            String policies;

            @Option(names = "--owner", description = "Who is responsible for this identity.")
            String owner;

            @Option(names = "--out-dir", required = true, paramLabel = "DIR",
                    description = "Where NAME.crt and NAME.key (0600) are written.")
            Path outDir;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("name", name);
                body.put("policies", List.copyOf(KeywardCli.split(policies)));
                body.put("owner", owner);
                JsonNode d = r.data("POST", "kw/cert/issue", body);
                Path crt = outDir.resolve(name + ".crt");
                Path key = outDir.resolve(name + ".key");
                KeywardCli.writePrivate(key, d.path("private_key").asText().getBytes(StandardCharsets.US_ASCII));
                KeywardCli.writePrivate(crt, (d.path("certificate").asText()).getBytes(StandardCharsets.US_ASCII));
                if (r.json()) {
                    r.print(KeywardCli.object().put("certificate_file", crt.toString()).put("key_file", key.toString())
                            .put("expiration", d.path("expiration").asText()));
                } else {
                    r.err.println("Wrote " + crt + " and " + key + " (valid until " + d.path("expiration").asText() + ").");
                }
                return ExitCodes.OK;
            }
        }
    }
}
