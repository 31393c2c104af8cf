package dev.keyward.vault.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keyward ca export}: the local CA that clients must trust. */
final class CaCommands {
    private CaCommands() {
    }

    @Command(name = "ca", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "The vault's local certificate authority.", subcommands = Ca.Export.class)
    static final class Ca implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(KeywardCli.root(spec).out);
            return ExitCodes.USAGE;
        }

        @Command(name = "export", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Writes the CA certificate (PEM) that clients must trust.")
        static final class Export implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Option(names = "--out", paramLabel = "FILE", description = "Where to write it (default: stdout).")
            Path outFile;

            @Override
            public Integer call() throws IOException {
                KeywardCli r = KeywardCli.root(spec);
                Path src = r.home().resolve("tls").resolve("ca.pem");
                if (!Files.isReadable(src)) {
                    throw new CliException(ExitCodes.UNAVAILABLE, "No CA certificate in " + r.home()
                            + " yet: 'keyward serve' creates it on its first start.");
                }
                String pem = Files.readString(src, StandardCharsets.US_ASCII);
                if (outFile == null && r.json()) {
                    r.print(KeywardCli.object().put("pem", pem));
                } else if (outFile == null) {
                    r.out.print(pem);
                } else {
                    Files.writeString(outFile, pem, StandardCharsets.US_ASCII);
                    if (r.json()) {
                        r.print(KeywardCli.object().put("file", outFile.toString()));
                    } else {
                        r.err.println("Wrote " + outFile);
                    }
                }
                return ExitCodes.OK;
            }
        }
    }
}
