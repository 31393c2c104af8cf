package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code keyward check storage}: the vault's own consistency checks; {@code check credentials} (CredentialCheckCommand). */
final class CheckCommands {
    private CheckCommands() {
    }

    @Command(name = "check", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Checks of the vault itself and of rotation targets.",
            subcommands = {Check.Storage.class, CredentialCheckCommand.class})
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
    }
}
