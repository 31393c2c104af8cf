package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Every command documents itself: --help, its options, the exit codes; the completion script covers it all. */
class CliSurfaceTest {

    static List<CommandLine> all(CommandLine cl) {
        List<CommandLine> out = new ArrayList<>();
        out.add(cl);
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (!out.contains(sub)) {
                out.addAll(all(sub));
            }
        }
        return out;
    }

    static List<CommandLine> commands() {
        return all(new CommandLine(new KeywardCli(Map.of(), System.out, System.err)));
    }

    static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = KeywardCli.run(Map.of("KEYWARD_HOME", "/nonexistent"), new PrintStream(out, true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        assertEquals(0, code, String.join(" ", args) + ": " + err);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyCommandHasHelpWithDescribedOptionsAndExitCodes() {
        List<String> problems = new ArrayList<>();
        for (CommandLine cl : commands()) {
            CommandSpec spec = cl.getCommandSpec();
            String name = spec.qualifiedName();
            if (name.endsWith("generate-completion")) {
                continue; // picocli's own command
            }
            if (spec.findOption("--help") == null) {
                problems.add(name + ": no --help");
            }
            if (spec.usageMessage().description().length == 0) {
                problems.add(name + ": no description");
            }
            for (OptionSpec o : spec.options()) {
                if (!o.hidden() && o.description().length == 0) {
                    problems.add(name + " " + o.longestName() + ": no description");
                }
            }
            List<String> args = new ArrayList<>(List.of(name.split(" ")).subList(1, name.split(" ").length));
            args.add("--help");
            String help = run(args.toArray(String[]::new)).replaceAll("\\s+", " ");
            if (!help.contains("Exit codes: 0 ok, 1 refused by the vault, 2 usage error, 3 sealed or unreachable, "
                    + "4 permission denied or bad credentials")
                    && !help.contains("Exit codes (a gate, as diff and grep): 0 clean")) {
                problems.add(name + ": --help does not list the exit codes");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void theCompletionScriptCoversEveryCommandAndOption() {
        String script = run("generate-completion");
        List<String> missing = new ArrayList<>();
        for (CommandLine cl : commands()) {
            CommandSpec spec = cl.getCommandSpec();
            if (!script.contains(spec.name())) {
                missing.add(spec.qualifiedName());
            }
            for (OptionSpec o : spec.options()) {
                if (!o.hidden() && !script.contains(o.longestName())) {
                    missing.add(spec.qualifiedName() + " " + o.longestName());
                }
            }
        }
        assertTrue(missing.isEmpty(), "not completed: " + missing);
        assertTrue(script.contains("--hsm-library") && script.contains("--share-file"), "the new seal options");
    }
}
