package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keyward scan PATH...}: finds stored secrets' values in files, git history and logs. */
@Command(name = "scan", mixinStandardHelpOptions = true, footer = Gate.HELP,
        description = {"Looks for the values of stored secrets in files, directory trees, the whole history of git "
                + "repositories (every blob reachable from a ref or the reflog) and logs (gzip files are read "
                + "decompressed; '-' reads standard input).",
            "The comparison runs inside the vault with keyed hashes under a key made for this scan: no stored "
                + "value, hash or length leaves the vault, and no value found is printed or written. Each "
                + "finding names the file, line and column, the commit, and the secret's path; rotate every "
                + "secret named."})
final class ScanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "PATH", description = "Files, directories, git repositories, or '-'.")
    List<String> paths = List.of();

    @Option(names = "--no-history", description = "Do not read the history of git repositories, only their files.")
    boolean noHistory;

    @Option(names = "--staged", description = "Scan only what is staged for the next commit in the repository at "
            + "PATH (default: the current directory): the pre-commit hook does this.")
    boolean staged;

    @Option(names = "--binary", description = "Scan binary files too (by default they are skipped in directories "
            + "and history, and refused when named).")
    boolean binary;

    @Option(names = "--rotate", description = "Rotate every secret whose current value was found, at once, through "
            + "the rotation service (trigger manual, with a reason naming this scan and where the value was found). A "
            + "secret marked critical needs an approval as for any manual rotation (--approval ID, or --justification "
            + "to open the request). The exit code stays the scan's: 1 when something was found.")
    boolean rotate;

    @Option(names = "--install-hook", description = "Install a pre-commit hook into the repository at PATH (default:"
            + " the current directory) that runs 'keyward scan --staged' and refuses a commit holding a stored value.")
    boolean installHook;

    @Override
    public Integer call() {
        KeywardCli r = KeywardCli.root(spec);
        try {
            return run(r);
        } catch (CliException e) {
            r.err.println("keyward: " + e.getMessage());
            return Gate.ERROR;
        } catch (dev.keyward.vault.api.KeywardException e) {
            r.err.println("keyward: " + e.getMessage());
            return Gate.ERROR;
        }
    }

    private int run(KeywardCli r) {
        if (installHook) {
            return installHook(r, repoArg());
        }
        if (!staged && paths.isEmpty()) {
            throw new CliException(Gate.ERROR, "Name at least one PATH to scan (a file, a directory, a repository, "
                    + "or '-' for standard input).");
        }
        long started = System.nanoTime();
        LeakScanner scanner = new LeakScanner(r, binary);
        scanner.start();
        LeakSources sources = new LeakSources(scanner);
        try {
            if (staged) {
                Path repo = repoArg();
                if (!LeakSources.isRepository(repo)) {
                    throw new CliException(Gate.ERROR, repo + " is not a git repository.");
                }
                sources.staged(repo);
            } else {
                for (String p : paths) {
                    sources.path(p, !noHistory, r.in);
                }
            }
        } catch (IOException e) {
            scanner.problem("scan", "reading failed (" + e.getClass().getSimpleName() + ")");
        }
        scanner.finish();
        double seconds = (System.nanoTime() - started) / 1e9;
        report(r, scanner, seconds, rotate);
        if (!scanner.findings().isEmpty()) {
            return Gate.FOUND;
        }
        return scanner.problems().isEmpty() ? Gate.OK : Gate.ERROR;
    }

    private Path repoArg() {
        if (paths.size() > 1) {
            throw new CliException(Gate.ERROR, "Name one repository.");
        }
        return Path.of(paths.isEmpty() ? "." : paths.get(0));
    }

    /**
     * Prints the findings and, for every secret whose current value was found, the command that
     * rotates it, or with {@code rotateNow} starts those rotations (the reason names the scan and where
     * the value was first found, never the value).
     */
    private static void report(KeywardCli r, LeakScanner s, double seconds, boolean rotateNow) {
        Map<String, String> commits = new HashMap<>();
        TreeSet<String> toRotate = new TreeSet<>();
        Map<String, String> firstSeen = new HashMap<>();
        Map<String, Integer> places = new HashMap<>();
        ArrayNode found = KeywardCli.object().arrayNode();
        for (LeakScanner.Finding f : s.findings()) {
            String commit = f.blob() == null ? null
                    : commits.computeIfAbsent(f.blob(), b -> LeakSources.introducingCommit(f.repo(), b));
            String secret = f.path() + "#" + f.field();
            if (f.current()) {
                toRotate.add(f.path());
                firstSeen.putIfAbsent(f.path(), (commit != null ? "commit " + commit.substring(0, 12) + " " : "")
                        + f.file() + ":" + f.line());
                places.merge(f.path(), 1, Integer::sum);
            }
            if (r.json()) {
                ObjectNode o = found.addObject();
                o.put("file", f.file()).put("line", f.line()).put("column", f.column());
                o.put("commit", commit).put("blob", f.blob());
                o.put("secret", f.path()).put("field", f.field()).put("version", f.version())
                        .put("current", f.current());
            } else {
                String where = (commit != null ? "commit " + commit.substring(0, 12) + " " : f.blob() != null
                        ? "history (blob " + f.blob().substring(0, 12) + ") " : "") + f.file() + ":" + f.line() + ":"
                        + f.column();
                r.out.println("LEAK " + where + "  " + secret + " (version " + f.version()
                        + (f.current() ? ", current)" : ", an earlier version)"));
            }
        }
        for (LeakScanner.Problem p : s.problems()) {
            r.err.println("keyward: " + p.where() + " " + p.message());
        }
        double mb = s.bytes() / 1e6;
        String rate = seconds > 0 ? String.format(Locale.ROOT, "%.1f", mb / seconds) : "-";
        if (r.json()) {
            ObjectNode o = KeywardCli.object();
            o.set("findings", found);
            o.put("documents", s.documents()).put("bytes", s.bytes()).put("seconds", seconds)
                    .put("skipped_binary", s.skippedBinary()).put("values", s.values())
                    .put("values_too_short", s.tooShort());
            ArrayNode rot = o.putArray("rotate");
            toRotate.forEach(rot::add);
            ArrayNode cmds = o.putArray("rotate_commands");
            toRotate.forEach(p -> cmds.add(rotateCommand(p, reason(s, p, firstSeen, places))));
            ArrayNode pr = o.putArray("problems");
            s.problems().forEach(p -> pr.addObject().put("path", p.where()).put("problem", p.message()));
            if (rotateNow && !toRotate.isEmpty()) {
                o.set("rotations", rotateFound(r, reasons(s, toRotate, firstSeen, places)));
            }
            r.print(o);
            return;
        }
        r.out.println(String.format(Locale.ROOT, "Scanned %d documents (%.1f MB) in %.2f s (%s MB/s) for %d stored"
                        + " values: %d found%s.", s.documents(), mb, seconds, rate, s.values(), s.findings().size(),
                s.skippedBinary() > 0 ? "; " + s.skippedBinary() + " binary files skipped" : ""));
        if (s.tooShort() > 0) {
            r.out.println(s.tooShort() + " stored values are shorter than 8 bytes and were not looked for.");
        }
        if (!toRotate.isEmpty()) {
            r.out.println("Rotate these secrets (their current values are exposed): " + String.join(", ", toRotate));
            if (rotateNow) {
                rotateFound(r, reasons(s, toRotate, firstSeen, places));
            } else {
                for (String p : toRotate) {
                    r.out.println("  " + rotateCommand(p, reason(s, p, firstSeen, places)));
                }
                r.out.println("(or scan again with --rotate to rotate them all now)");
            }
        }
    }

    private static Map<String, String> reasons(LeakScanner s, TreeSet<String> paths, Map<String, String> firstSeen,
                                               Map<String, Integer> places) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        paths.forEach(p -> out.put(p, reason(s, p, firstSeen, places)));
        return out;
    }

    /** Why a found secret is rotated: the scan and where its current value was found (a file name, never the value). */
    static String reason(LeakScanner s, String path, Map<String, String> firstSeen, Map<String, Integer> places) {
        int n = places.getOrDefault(path, 1);
        String where = firstSeen.getOrDefault(path, "a scanned document");
        if (where.length() > 300) {
            where = where.substring(0, 297) + "...";
        }
        return "leak scan " + s.scanId() + ": its current value was found in " + where
                + (n > 1 ? " and " + (n - 1) + " more place" + (n > 2 ? "s" : "") : "");
    }

    /** The command that rotates a found secret, quoted for a POSIX shell. */
    static String rotateCommand(String path, String reason) {
        return "keyward rotation run " + shellQuote(path) + " --reason " + shellQuote(reason);
    }

    private static String shellQuote(String s) {
        return s.matches("[A-Za-z0-9._/@:=+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * Rotates the found secrets through the rotation service (manual, with the scan in the reason). A
     * refusal (no rotation configured, a critical secret without approval) is reported per secret on
     * stderr. Returns what happened to each, for the JSON answer.
     */
    private static ArrayNode rotateFound(KeywardCli r, Map<String, String> reasons) {
        ArrayNode out = KeywardCli.object().arrayNode();
        for (Map.Entry<String, String> e : reasons.entrySet()) {
            ObjectNode b = KeywardCli.object();
            b.put("reason", e.getValue());
            b.put("trigger", "manual");
            if (r.approval != null) {
                b.put("approval_id", r.approval);
            }
            try {
                com.fasterxml.jackson.databind.JsonNode run = r.data("POST", "kw/rotation/run/" + e.getKey(), b);
                if (r.json()) {
                    out.addObject().put("secret", e.getKey()).put("run", run.path("id").asText())
                            .put("state", run.path("state").asText());
                } else {
                    r.out.println("Rotation " + run.path("id").asText() + " of secret/" + e.getKey() + " started "
                            + "(manual); 'keyward rotation history " + e.getKey() + "' shows its progress.");
                }
            } catch (CliException refused) {
                // a 404 carries no sentence: the rotation service knows no config for the secret
                String why = refused.getMessage().equals("Not found.") ? "it has no rotation configured (keyward "
                        + "rotation config " + e.getKey() + " --rotator ...)." : refused.getMessage();
                if (r.json()) {
                    out.addObject().put("secret", e.getKey()).put("error", why);
                }
                r.err.println("keyward: secret/" + e.getKey() + " was not rotated: " + why);
            }
        }
        return out;
    }

    private static int installHook(KeywardCli r, Path repo) {
        Path hooks;
        try {
            Process p = LeakSources.git(repo, "rev-parse", "--git-path", "hooks");
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
                throw new CliException(Gate.ERROR, repo + " is not a git repository.");
            }
            hooks = Path.of(out).isAbsolute() ? Path.of(out) : repo.resolve(out);
        } catch (IOException e) {
            throw new CliException(Gate.ERROR, "git could not be asked where the hooks of " + repo + " are.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(Gate.ERROR, "Interrupted.");
        }
        Path hook = hooks.resolve("pre-commit");
        if (Files.exists(hook)) {
            throw new CliException(Gate.ERROR, hook + " exists already: add 'keyward scan --staged .' to it yourself.");
        }
        try {
            Files.createDirectories(hooks);
            Files.writeString(hook, hookScript(), StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException | UnsupportedOperationException e) {
            throw new CliException(Gate.ERROR, hook + " could not be written.");
        }
        r.out.println("Installed " + hook + ": commits holding a stored secret's value are refused.");
        return Gate.OK;
    }

    /** The pre-commit hook (also bin/keyward-pre-commit in the repository). */
    static String hookScript() {
        return """
                #!/bin/sh
                # Keyward pre-commit hook: refuses a commit whose staged files hold the value of a stored secret.
                # The comparison runs inside the vault ('keyward scan --staged'); nothing found is printed.
                # KEYWARD_CLI names the keyward command if it is not on PATH.
                exec "${KEYWARD_CLI:-keyward}" scan --staged "$(git rev-parse --show-toplevel)"
                """;
    }
}
