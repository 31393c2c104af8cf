package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keyward policy drift} and {@code keyward policy check}: the gates a pipeline runs before deploying. */
final class PolicyGateCommands {
    private PolicyGateCommands() {
    }

    /** Runs a gate: every error, whatever its kind, exits 2 with its sentence. */
    static int gate(KeywardCli r, Callable<Integer> body) {
        try {
            return body.call();
        } catch (dev.keyward.vault.api.KeywardException e) {
            r.err.println("keyward: " + e.getMessage());
            return Gate.ERROR;
        } catch (Exception e) {
            r.err.println("keyward: unexpected error (" + e.getClass().getSimpleName() + ").");
            return Gate.ERROR;
        }
    }

    /** A text file's content, or a clear error (exit 2). */
    static String readText(Path file, String what) {
        try {
            if (Files.isDirectory(file)) {
                throw new CliException(Gate.ERROR, "The " + what + " " + file + " is a directory, not a file.");
            }
            byte[] b = Files.readAllBytes(file);
            for (int i = 0; i < Math.min(b.length, LeakScanner.BINARY_PROBE); i++) {
                if (b[i] == 0) {
                    throw new CliException(Gate.ERROR, "The " + what + " " + file + " is a binary file, not YAML.");
                }
            }
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (NoSuchFileException e) {
            throw new CliException(Gate.ERROR, "The " + what + " " + file + " does not exist.");
        } catch (AccessDeniedException e) {
            throw new CliException(Gate.ERROR, "The " + what + " " + file + " cannot be read (permission denied).");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new CliException(Gate.ERROR, "The " + what + " " + file + " is not UTF-8 text.");
        } catch (IOException e) {
            throw new CliException(Gate.ERROR, "The " + what + " " + file + " could not be read.");
        }
    }

    @Command(name = "drift", mixinStandardHelpOptions = true, footer = Gate.HELP,
            description = "Compares the vault's policies, roles, bindings and machine identities with a policy-as-code"
                    + " file and prints the differences (a dry run: nothing changes).")
    static final class Drift implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--desired", required = true, paramLabel = "FILE", description = "The policy-as-code YAML.")
        Path desired;

        @Option(names = "--open-request", description = "On drift, open an approval request for applying the file "
                + "(policy-apply on policies, the changes as its change) and print its id; approved, it is the "
                + "grant for 'keyward --approval ID policy apply FILE'.")
        boolean openRequest;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why the change is wanted (the request's "
                + "justification; required with --open-request).")
        String reason;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            return gate(r, () -> {
                if (openRequest && (reason == null || reason.isBlank())) {
                    throw new CliException(Gate.ERROR, "--open-request needs --reason TEXT: a request has a "
                            + "justification.");
                }
                String yaml = readText(desired, "policy file");
                JsonNode d = r.data("POST", "kw/governance/drift", Map.of("yaml", yaml));
                boolean drift = !d.path("changes").isEmpty();
                JsonNode request = null;
                if (drift && openRequest) {
                    try {
                        request = r.data("POST", "kw/governance/drift/request", Map.of("yaml", yaml, "reason",
                                reason));
                    } catch (CliException e) {
                        printDrift(r, d, drift, null);
                        r.err.println("keyward: the drift was found, but no approval request could be opened: "
                                + e.getMessage());
                        return Gate.ERROR;
                    }
                }
                printDrift(r, d, drift, request);
                return drift ? Gate.FOUND : Gate.OK;
            });
        }

        private void printDrift(KeywardCli r, JsonNode d, boolean drift, JsonNode request) {
            if (r.json()) {
                var o = KeywardCli.object().put("in_sync", !drift);
                o.set("changes", d.path("changes"));
                if (request != null) {
                    o.put("request_id", request.path("request_id").asText());
                }
                r.print(o);
                return;
            }
            if (!drift) {
                r.out.println("In sync with " + desired + ".");
                return;
            }
            r.out.println("Drift from " + desired + " (" + d.path("changes").size()
                    + " differences; 'keyward policy apply' would make these changes):");
            for (JsonNode c : d.path("changes")) {
                r.out.println(c.path("action").asText() + " " + c.path("kind").asText() + " "
                        + c.path("name").asText());
                c.path("diff").forEach(line -> r.out.println("    " + line.asText()));
            }
            if (request != null) {
                String id = request.path("request_id").asText();
                r.out.println("Approval request " + id + " opened for applying " + desired + " ("
                        + request.path("status").asText() + "); once approved: keyward --approval " + id
                        + " policy apply " + desired + " --reason ...");
            }
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true, footer = Gate.HELP,
            description = {"Compares an automation's declared privilege boundary (a needs file kept with its code) "
                    + "with what its policies grant, before it is deployed: exits 1 when it has more or less.",
                "Needs file: 'needs:' a list of {path: PATTERN, capabilities: [read, list, ...]}; optionally "
                    + "'identity: approle:NAME'."})
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--identity", required = true, paramLabel = "TYPE:NAME",
                description = "approle:NAME, cert:NAME or operator:NAME")
        String identity;

        @Option(names = "--needs", required = true, paramLabel = "FILE", description = "The declared needs (YAML).")
        Path needs;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            return gate(r, () -> {
                String yaml = readText(needs, "needs file");
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("identity", identity);
                body.put("needs_yaml", yaml);
                JsonNode d = r.data("POST", "kw/governance/check", body);
                boolean matches = d.path("matches").asBoolean();
                if (r.json()) {
                    r.print(d);
                } else if (matches) {
                    r.out.println(identity + " has exactly what " + needs + " declares.");
                } else {
                    if (!d.path("extra").isEmpty()) {
                        r.out.println(identity + " has more than it declares:");
                        d.path("extra").forEach(g -> r.out.println("  + " + g.path("capability").asText() + " on "
                                + g.path("path").asText() + "  (" + g.path("reason").asText() + ")"));
                    }
                    if (!d.path("missing").isEmpty()) {
                        r.out.println(identity + " has less than it declares:");
                        d.path("missing").forEach(g -> r.out.println("  - " + g.path("capability").asText() + " on "
                                + g.path("path").asText() + "  (" + g.path("reason").asText() + ")"));
                    }
                }
                return matches ? Gate.OK : Gate.FOUND;
            });
        }
    }
}
