package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.audit.SeenHeads;
import dev.keyward.vault.server.AuditJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keyward audit ...}: the tamper-evident audit log through the endpoint, and offline bundle verification. */
final class AuditCommands {
    private AuditCommands() {
    }

    /**
     * Compares a head the vault served with the newest this user saw of the same log (kept under
     * the user's config directory, see {@link SeenHeads}); an older one is said on stderr and
     * returned. {@code accept} takes the served head as the newest seen, whatever it is.
     */
    static String seen(KeywardCli r, JsonNode head, boolean accept) {
        if (head == null || !head.hasNonNull("log_id") || !head.hasNonNull("fingerprint")) {
            return null;
        }
        String problem = SeenHeads.of(r.env).observe(head.get("log_id").asText(), head.path("tree_size").asLong(),
                head.get("fingerprint").asText(), accept).orElse(null);
        if (problem != null) {
            r.err.println("keyward: WARNING: " + problem);
        }
        return problem;
    }

    @Command(name = "audit", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "The tamper-evident audit log: verify, export an evidence bundle, inclusion proofs, tree heads.",
            subcommands = {Audit.Verify.class, Audit.Export.class, Audit.Proof.class, Audit.Head.class,
                Audit.Checkpoint.class})
    static final class Audit extends CommandGroup {

        @Command(name = "verify", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = {"Recomputes the live log and every signed head (exit 1 when a problem is found).",
                    "With --bundle, verifies an exported evidence bundle offline instead: no endpoint, no vault and "
                        + "no unseal material; every entry must be covered by a signed head in the bundle, and the "
                        + "manifest and leaves.bin must agree with it. Pass the fingerprint of a head you recorded "
                        + "earlier to also catch a log that was replaced or re-signed as a whole."})
        static final class Verify implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Option(names = "--fingerprint", description = "A tree-head fingerprint you recorded: it must be in the log.")
            String fingerprint;

            @Option(names = "--bundle", paramLabel = "FILE", description = "An evidence bundle to verify offline.")
            Path bundle;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                JsonNode d;
                if (bundle != null) {
                    r.json();
                    if (!Files.isReadable(bundle)) {
                        throw new CliException(ExitCodes.USAGE, "The bundle " + bundle + " cannot be read.");
                    }
                    d = AuditJson.verification(Keyward.verifyAuditBundle(bundle, fingerprint, null));
                } else {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("recorded_fingerprint", fingerprint);
                    d = r.data("POST", "kw/audit/verify", body);
                    String older = seen(r, d.path("latest"), false);
                    if (older != null && d instanceof ObjectNode o) {
                        o.put("ok", false);
                        ((ArrayNode) o.withArray("problems")).add("ROLLED_BACK: " + older);
                    }
                }
                r.print(d);
                return d.path("ok").asBoolean() ? ExitCodes.OK : ExitCodes.REFUSED;
            }
        }

        @Command(name = "export", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Writes an evidence bundle (entries, heads, public keys) to a new file on this host.")
        static final class Export implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Option(names = "--out", required = true, paramLabel = "FILE", description = "Must not exist yet.")
            Path outFile;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                Map<String, Object> body = Map.of("path", outFile.toAbsolutePath().toString());
                JsonNode d = r.data("POST", "kw/audit/export", body);
                r.print(d);
                return seen(r, d.path("head"), false) == null ? ExitCodes.OK : ExitCodes.REFUSED;
            }
        }

        @Command(name = "proof", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "An inclusion proof of one entry in a signed tree head.")
        static final class Proof implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Option(names = "--sequence", required = true, description = "The entry's sequence number.")
            long sequence;

            @Option(names = "--tree-size", defaultValue = "0", description = "The signed head's size (0 = latest).")
            long treeSize;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                r.print(r.data("GET", "kw/audit/proof?sequence=" + sequence + "&tree_size=" + treeSize, null));
                return ExitCodes.OK;
            }
        }

        @Command(name = "head", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = {"Shows the latest signed tree head (--issue signs a new one first).",
                    "The newest head this user has seen of the vault's log is kept in ~/.config/keyward/seen-heads "
                        + "($XDG_CONFIG_HOME): a head older than that one means the vault directory was rolled "
                        + "back, and exits 1 with a warning (so do 'audit verify' and 'audit export')."})
        static final class Head implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Option(names = "--issue", description = "Sign a head over every entry now in the log.")
            boolean issue;

            @Option(names = "--accept-rollback", description = "Take this head as the newest seen even if it is "
                    + "older than one this user saw before (after a rollback accepted on purpose).")
            boolean acceptRollback;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                JsonNode d = r.data(issue ? "POST" : "GET", "kw/audit/tree-head", null);
                r.print(d);
                return seen(r, d, acceptRollback) == null ? ExitCodes.OK : ExitCodes.REFUSED;
            }
        }

        @Command(name = "checkpoint", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = {"Signs a tree head over every entry now in the log and prints it as a C2SP checkpoint "
                        + "(c2sp.org/tlog-checkpoint: a signed note with origin, tree size and base64 root hash), "
                        + "which standard transparency-log verifiers check (kw/audit/checkpoint).",
                    "--verifier-key prints the key they need (name+keyid+base64 key); -o json prints both."})
        static final class Checkpoint implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Option(names = "--out", paramLabel = "FILE", description = "Write the note to FILE instead of stdout.")
            java.nio.file.Path out;

            @Option(names = "--verifier-key", description = "Print the verifier key instead of the note.")
            boolean verifierKey;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                JsonNode d = r.data("POST", "kw/audit/checkpoint", null);
                if (r.json()) {
                    r.print(d);
                    return ExitCodes.OK;
                }
                if (verifierKey) {
                    r.out.println(d.path("verifier_key").asText());
                    return ExitCodes.OK;
                }
                String note = d.path("note").asText();
                if (out == null) {
                    r.out.print(note);
                    return ExitCodes.OK;
                }
                try {
                    java.nio.file.Files.writeString(out, note, java.nio.charset.StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    throw new CliException(ExitCodes.USAGE, "The file " + out + " could not be written.");
                }
                r.err.println("Checkpoint over " + d.path("tree_size").asLong() + " entries written to " + out + ".");
                return ExitCodes.OK;
            }
        }
    }
}
