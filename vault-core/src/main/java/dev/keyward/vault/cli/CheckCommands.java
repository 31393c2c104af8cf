package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code keyward check storage}: the vault's own consistency checks. */
final class CheckCommands {
    private CheckCommands() {
    }

    @Command(name = "check", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Checks of the vault itself.", subcommands = {Check.Storage.class, Check.Credentials.class})
    static final class Check extends CommandGroup {

        @Command(name = "storage", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = {"Checks every stored record (exit 1 when something is damaged): each record opens "
                        + "under its binding (nothing was altered or moved, no storage key was damaged), every folder "
                        + "index entry leads to a record, every secret's metadata and versions agree, and no record "
                        + "has a key no feature uses.",
                    "The audit log's own records are checked by 'keyward audit verify'."})
        static final class Storage implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                JsonNode d = r.data("GET", "kw/storage/check", null);
                r.print(d);
                return d.path("ok").asBoolean() ? ExitCodes.OK : ExitCodes.REFUSED;
            }
        }

        @Command(name = "credentials", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = {"Runs every configured rotator's read-only check against its target (the current "
                        + "value still works) and exits 1 on any failure; nothing is changed. For CI.",
                    "Example: keyward check credentials --path app/"})
        static final class Credentials implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @picocli.CommandLine.Option(names = "--path", description = "Only secrets under this path.")
            String prefix = "";

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                JsonNode d = r.data("GET", "kw/rotation/check?prefix=" + java.net.URLEncoder.encode(prefix,
                        java.nio.charset.StandardCharsets.UTF_8), null);
                if (r.json()) {
                    r.print(d);
                } else {
                    for (JsonNode c : d.path("checks")) {
                        r.out.println((c.path("ok").asBoolean() ? "ok      " : "FAILED  ") + c.path("path").asText()
                                + " (" + c.path("rotator").asText() + ", " + c.path("ms").asLong() + " ms)"
                                + (c.path("error").isTextual() ? ": " + c.path("error").asText() : ""));
                    }
                    r.out.println(d.path("checks").size() + " checked, " + (d.path("ok").asBoolean() ? "all ok."
                            : "some failed."));
                }
                return d.path("ok").asBoolean() ? ExitCodes.OK : ExitCodes.REFUSED;
            }
        }
    }
}
