package dev.keyward.vault.cli;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * What {@code keyward scan} reads: files (gzip-compressed logs are read decompressed), directory
 * trees, every blob of a git repository's history (through the {@code git} command: {@code
 * rev-list --all --reflog --objects} and {@code cat-file --batch}), the staged files of a commit
 * being made, and standard input. Each becomes one document handed to a {@link Visitor}.
 */
final class LeakSources {
    /**
     * One document: where it comes from, for findings.
     *
     * @param file     the file's path (in a repository: its path in the tree)
     * @param repo     the repository of a blob from history, else null
     * @param blob     the blob's id, for history, else null
     * @param explicit named on the command line (a binary file is then an error, not a skip)
     */
    record Doc(String file, Path repo, String blob, boolean explicit) {
    }

    interface Visitor {
        void document(Doc doc, InputStream content) throws IOException;

        void problem(String where, String message);
    }

    private final Visitor visitor;

    LeakSources(Visitor visitor) {
        this.visitor = visitor;
    }

    /** A path named on the command line: a file, a directory (and its git history), or "-". */
    void path(String arg, boolean history, InputStream stdin) throws IOException {
        if (arg.equals("-")) {
            visitor.document(new Doc("<stdin>", null, null, true), stdin);
            return;
        }
        Path p = Path.of(arg);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            visitor.problem(arg, "does not exist");
            return;
        }
        if (Files.isDirectory(p)) {
            boolean repo = isRepository(p);
            walk(p, p);
            if (history && repo) {
                history(p);
            }
            return;
        }
        file(p, arg, true);
    }

    static boolean isRepository(Path dir) {
        return Files.exists(dir.resolve(".git"))
                || Files.isRegularFile(dir.resolve("HEAD")) && Files.isDirectory(dir.resolve("objects"));
    }

    private void walk(Path root, Path dir) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(children::add);
        } catch (AccessDeniedException e) {
            visitor.problem(dir.toString(), "cannot be read (permission denied)");
            return;
        } catch (IOException e) {
            visitor.problem(dir.toString(), "cannot be read (" + e.getClass().getSimpleName() + ")");
            return;
        }
        children.sort(null);
        for (Path c : children) {
            if (Files.isSymbolicLink(c)) {
                continue; // not followed: it may point outside the tree, or in a loop
            }
            if (Files.isDirectory(c, LinkOption.NOFOLLOW_LINKS)) {
                if (c.getFileName().toString().equals(".git")) {
                    continue; // the repository itself is read as history
                }
                walk(root, c);
            } else if (Files.isRegularFile(c, LinkOption.NOFOLLOW_LINKS)) {
                file(c, c.toString(), false);
            }
        }
    }

    private void file(Path p, String label, boolean explicit) throws IOException {
        if (!Files.isRegularFile(p)) {
            visitor.problem(label, "is not a regular file");
            return;
        }
        InputStream in;
        try {
            in = Files.newInputStream(p);
        } catch (AccessDeniedException e) {
            visitor.problem(label, "cannot be read (permission denied)");
            return;
        } catch (NoSuchFileException e) {
            visitor.problem(label, "vanished while scanning");
            return;
        } catch (IOException e) {
            visitor.problem(label, "cannot be read (" + e.getClass().getSimpleName() + ")");
            return;
        }
        try (InputStream content = maybeGunzip(in)) {
            visitor.document(new Doc(label, null, null, explicit), content);
        } catch (java.util.zip.ZipException e) {
            visitor.problem(label, "looks gzip-compressed but is damaged");
        } catch (IOException e) {
            visitor.problem(label, "could not be read to the end (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Rotated logs are often gzip files: read them decompressed. */
    private static InputStream maybeGunzip(InputStream in) throws IOException {
        BufferedInputStream b = new BufferedInputStream(in, 65536);
        b.mark(2);
        int m1 = b.read();
        int m2 = b.read();
        b.reset();
        return m1 == 0x1f && m2 == 0x8b ? new GZIPInputStream(b, 65536) : b;
    }

    // ------------------------------------------------------------ git

    /** Every blob reachable from any ref or reflog entry, each once, named by one path it has. */
    void history(Path repo) throws IOException {
        List<String[]> blobs = new ArrayList<>(); // {id, path}
        Process list = git(repo, "rev-list", "--all", "--reflog", "--objects");
        Process check = git(repo, "cat-file", "--batch-check=%(objecttype) %(objectname) %(rest)");
        Thread pump = pump(list.getInputStream(), check.getOutputStream());
        try (BufferedReader r = new BufferedReader(new InputStreamReader(check.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("blob ")) {
                    String rest = line.substring(5);
                    int sp = rest.indexOf(' ');
                    blobs.add(sp < 0 ? new String[] {rest, "(no path)"}
                            : new String[] {rest.substring(0, sp), rest.substring(sp + 1)});
                }
            }
        }
        join(pump);
        if (!finished(list, repo, "rev-list") | !finished(check, repo, "cat-file")) {
            return;
        }
        List<String> names = new ArrayList<>();
        List<Doc> docs = new ArrayList<>();
        for (String[] b : blobs) {
            names.add(b[0]);
            docs.add(new Doc(b[1], repo, b[0], false));
        }
        blobs(repo, names, docs);
    }

    /** What is staged in the repository's index and differs from HEAD (for a pre-commit hook). */
    void staged(Path repo) throws IOException {
        Process diff = git(repo, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMRT");
        byte[] out = diff.getInputStream().readAllBytes();
        if (!finished(diff, repo, "diff --cached")) {
            return;
        }
        List<String> names = new ArrayList<>();
        List<Doc> docs = new ArrayList<>();
        for (String name : new String(out, StandardCharsets.UTF_8).split("\0")) {
            if (!name.isEmpty()) {
                names.add(":" + name);
                docs.add(new Doc(name + " (staged)", null, null, false));
            }
        }
        blobs(repo, names, docs);
    }

    /** Reads objects through one {@code git cat-file --batch}; docs.get(i) describes names.get(i). */
    private void blobs(Path repo, List<String> names, List<Doc> docs) throws IOException {
        if (names.isEmpty()) {
            return;
        }
        Process cat = git(repo, "cat-file", "--batch");
        Thread writer = new Thread(() -> {
            try (OutputStream o = cat.getOutputStream()) {
                for (String n : names) {
                    o.write((n + "\n").getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // the reader sees the stream end early and says so
            }
        }, "keyward-scan-git-writer");
        writer.setDaemon(true);
        writer.start();
        try (InputStream in = new BufferedInputStream(cat.getInputStream(), 1 << 16)) {
            for (int i = 0; i < names.size(); i++) {
                String header = readLine(in);
                if (header == null) {
                    visitor.problem(repo.toString(), "git cat-file stopped early: history only partly scanned");
                    break;
                }
                String[] h = header.split(" ");
                if (h.length < 3 || !h[1].equals("blob")) {
                    continue; // "missing", or not a blob
                }
                long size = Long.parseLong(h[2]);
                BoundedStream body = new BoundedStream(in, size);
                visitor.document(docs.get(i), body);
                body.skipRest();
                in.read(); // the newline after the content
            }
        }
        join(writer);
        finished(cat, repo, "cat-file --batch");
    }

    /** The oldest commit (by any ref or reflog entry) that brought a blob in, or null. */
    static String introducingCommit(Path repo, String blob) {
        try {
            Process p = git(repo, "log", "--all", "--reflog", "--topo-order", "--reverse", "--format=%H",
                    "--find-object=" + blob);
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor(30, TimeUnit.SECONDS);
            return out.isEmpty() ? null : out.lines().findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Runs git in {@code repo}. The environment is ours less every {@code KEYWARD_*} variable (a
     * token or secret_id there is no business of git's); standard error is discarded.
     */
    static Process git(Path repo, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.add("-C");
        cmd.add(repo.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYWARD_"));
        try {
            return pb.start();
        } catch (IOException e) {
            throw new CliException(ExitCodes.USAGE, "git could not be started (is it installed?): the history of "
                    + repo + " cannot be scanned.");
        }
    }

    private boolean finished(Process p, Path repo, String what) {
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                visitor.problem(repo.toString(), "git " + what + " did not finish");
                return false;
            }
            if (p.exitValue() != 0) {
                visitor.problem(repo.toString(), "git " + what + " failed (exit " + p.exitValue()
                        + "): is it a git repository?");
                return false;
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Thread pump(InputStream from, OutputStream to) {
        Thread t = new Thread(() -> {
            try (from; to) {
                from.transferTo(to);
            } catch (IOException e) {
                // the consumer's exit status says what went wrong
            }
        }, "keyward-scan-git-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void join(Thread t) {
        try {
            t.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(96);
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            b.write(c);
        }
        return c == -1 && b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
    }

    /** At most {@code remaining} bytes of the underlying stream; close does not close it. */
    private static final class BoundedStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedStream(InputStream in, long size) {
            this.in = in;
            this.remaining = size;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int c = in.read();
            if (c >= 0) {
                remaining--;
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        void skipRest() throws IOException {
            while (remaining > 0) {
                long s = in.skip(remaining);
                if (s <= 0) {
                    if (in.read() < 0) {
                        return;
                    }
                    s = 1;
                }
                remaining -= s;
            }
        }

        @Override
        public void close() {
            // the batch stream stays open for the next object
        }
    }
}
