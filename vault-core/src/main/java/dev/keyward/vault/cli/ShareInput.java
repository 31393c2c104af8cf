package dev.keyward.vault.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Unseal shares one at a time: from {@code --share-file} files (one share per non-empty line;
 * {@code -} is standard input), else from standard input when it is not a terminal, else
 * asked for on the terminal.
 */
final class ShareInput {
    private final KeywardCli r;
    private final java.util.Iterator<Path> files;
    private final boolean prompt;
    private java.util.Iterator<String> lines = java.util.Collections.emptyIterator();

    ShareInput(KeywardCli r, List<Path> shareFiles) {
        this.r = r;
        List<Path> from = shareFiles == null ? List.of() : shareFiles;
        this.prompt = from.isEmpty() && System.console() != null && r.in == System.in;
        this.files = (from.isEmpty() && !prompt ? List.of(Path.of("-")) : from).iterator();
    }

    /** The next share, or null when there is none left. */
    char[] next(int progress, int threshold) {
        if (prompt) {
            char[] v = System.console().readPassword("Unseal share (%d of %d entered): ", progress, threshold);
            return v == null || v.length == 0 ? null : v;
        }
        while (!lines.hasNext()) {
            if (!files.hasNext()) {
                return null;
            }
            lines = read(files.next()).iterator();
        }
        return lines.next().toCharArray();
    }

    private List<String> read(Path f) {
        try {
            String text = f.toString().equals("-")
                    ? new String(r.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(f, StandardCharsets.UTF_8);
            return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new CliException(ExitCodes.USAGE, "The share file " + f + " could not be read.");
        }
    }
}
