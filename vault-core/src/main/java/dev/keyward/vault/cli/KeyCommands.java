package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keyward key rotate|status|rewrap|rotate-root}: the vault's keys, through the endpoint (audited). */
final class KeyCommands {
    private KeyCommands() {
    }

    @Command(name = "key", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "The vault's data keys: rotate, status, rewrap old records to the newest term.",
            subcommands = {Key.Rotate.class, Key.Status.class, Key.Rewrap.class, SealChangeCommands.RotateRoot.class})
    static final class Key extends CommandGroup {

        @Command(name = "rotate", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Starts a new data-key term for new writes (sys/rotate); older terms still decrypt. "
                        + "'keyward key rewrap' then moves old records to it.")
        static final class Rotate implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                r.send("POST", "sys/rotate", null);
                JsonNode d = r.data("GET", "sys/key-status", null);
                if (r.json()) {
                    r.print(d);
                } else {
                    r.out.println("Rotated: new writes use key term " + d.path("term").asInt() + ".");
                }
                return ExitCodes.OK;
            }
        }

        @Command(name = "status", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "The active key term and the progress of the last rewrap (sys/key-status).")
        static final class Status implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                r.print(r.data("GET", "sys/key-status", null));
                return ExitCodes.OK;
            }
        }

        @Command(name = "rewrap", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = {"Re-encrypts every stored record under the newest key term, in the background "
                        + "while reads and writes go on, and shows progress until it is done.",
                    "The progress is stored: after a restart it resumes at the next unseal (exit 3 if it "
                        + "pauses because the vault sealed)."})
        static final class Rewrap implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Option(names = "--no-wait", description = "Start it and return at once.")
            boolean noWait;

            @Override
            public Integer call() throws InterruptedException {
                KeywardCli r = KeywardCli.root(spec);
                JsonNode d = r.data("POST", "kw/key/rewrap", null);
                while (!noWait && d.path("state").asText().equals("running")) {
                    if (!r.json()) {
                        r.err.println("Rewrapping to term " + d.path("target_term").asInt() + ": "
                                + d.path("examined").asLong() + " of " + d.path("total").asLong() + " records examined, "
                                + d.path("rewrapped").asLong() + " re-encrypted.");
                    }
                    Thread.sleep(250);
                    d = r.data("GET", "kw/key/rewrap", null);
                }
                r.print(d);
                return d.path("state").asText().equals("paused") ? ExitCodes.UNAVAILABLE : ExitCodes.OK;
            }
        }
    }
}
