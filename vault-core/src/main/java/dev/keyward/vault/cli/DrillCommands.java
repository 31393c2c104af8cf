package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keyward drill compromise}: a rehearsal of a leaked secret on a scratch copy of the vault. */
@Command(name = "drill", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = "Rehearsals on a scratch copy of the vault.", subcommands = {DrillCommands.Compromise.class,
            DrillCommands.ListAll.class})
final class DrillCommands extends CommandGroup {

    @Command(name = "compromise", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = {"Treats a secret as leaked, on a scratch copy of the vault (the directory copied while no "
                    + "call is in flight, opened as a second vault and unsealed with your unseal material): rotate, "
                    + "revoke the tokens of whoever can read it, contain the identity, check the response, verify "
                    + "the copy's audit log, delete the copy. Prints each step's time; exit 1 when a step failed.",
                "The vault itself is not changed; the result is kept for the compliance report."})
    static final class Compromise implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--secret", required = true, paramLabel = "PATH", description = "The secret treated as leaked.")
        String secret;

        @Option(names = "--identity", paramLabel = "TYPE:NAME",
                description = "The identity to contain (default: every identity that can read the secret).")
        String identity;

        @Option(names = "--passphrase-file", paramLabel = "FILE",
                description = "Passphrase seal: the unseal passphrase (else $KEYWARD_PASSPHRASE, else a prompt).")
        Path passphraseFile;

        @Option(names = "--pin-file", paramLabel = "FILE", description = "HSM seal: the PIN (else $KEYWARD_PIN).")
        Path pinFile;

        @Option(names = "--share-file", paramLabel = "FILE",
                description = "Shamir seal: a file of shares, one per line ('-' = standard input); repeatable.")
        List<Path> shareFiles;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            List<char[]> keys = new ArrayList<>();
            try {
                if (shareFiles != null && !shareFiles.isEmpty()) {
                    ShareInput in = new ShareInput(r, shareFiles);
                    for (char[] k = in.next(0, 0); k != null; k = in.next(keys.size(), 0)) {
                        keys.add(k);
                    }
                } else if (pinFile != null || (passphraseFile == null && r.env.get("KEYWARD_PIN") != null)) {
                    keys.add(r.secret(pinFile, "KEYWARD_PIN", "HSM PIN"));
                } else {
                    keys.add(r.secret(passphraseFile, "KEYWARD_PASSPHRASE", "Unseal passphrase"));
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("secret", secret);
                body.put("identity", identity);
                body.put("keys", keys.stream().map(String::new).toList());
                JsonNode d = r.data("POST", "kw/governance/drills", body);
                if (r.json()) {
                    r.print(d);
                } else {
                    table(r, d);
                }
                return d.path("ok").asBoolean() ? ExitCodes.OK : ExitCodes.REFUSED;
            } finally {
                keys.forEach(k -> Arrays.fill(k, '\0'));
            }
        }
    }

    static void table(KeywardCli r, JsonNode d) {
        r.out.println("Compromise drill of " + d.path("secret").asText() + " on a scratch copy (" + d.path("id").asText()
                + "; the vault itself is unchanged)");
        r.out.println(String.format(Locale.ROOT, "%-18s %8s  %-6s %s", "step", "ms", "result", "what happened"));
        for (JsonNode s : d.path("steps")) {
            r.out.println(String.format(Locale.ROOT, "%-18s %8d  %-6s %s", s.path("name").asText(),
                    s.path("millis").asLong(), s.path("ok").asBoolean() ? "ok" : "FAILED", s.path("detail").asText()));
        }
        r.out.println(String.format(Locale.ROOT, "%-18s %8d  %s", "total", d.path("total_millis").asLong(),
                d.path("ok").asBoolean() ? "ok" : "FAILED"));
    }

    @Command(name = "list", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "The drills run so far, newest first.")
    static final class ListAll implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            JsonNode d = r.data("GET", "kw/governance/drills", null);
            if (r.json()) {
                r.print(d);
            } else {
                d.path("drills").forEach(x -> r.out.println(x.path("id").asText() + "  " + x.path("started_at").asText()
                        + "  " + x.path("secret").asText() + "  " + (x.path("ok").asBoolean() ? "ok" : "FAILED") + "  "
                        + x.path("total_millis").asLong() + " ms  by " + x.path("started_by").asText()));
            }
            return ExitCodes.OK;
        }
    }
}
