package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.SecretReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Secret injection: {@code keyward run} and {@code keyward inject}. */
final class InjectCommands {
    private static final Pattern TEMPLATE = Pattern.compile("\\{\\{\\s*(kw://[^\\s}]+)\\s*}}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private InjectCommands() {
    }

    /** A token for one command: fresh from a login (revoked afterwards), or the saved one (kept). */
    record Lease(String token, boolean revokeAfter) {
        @Override
        public String toString() {
            return "Lease[token=***, revokeAfter=" + revokeAfter + "]";
        }
    }

    static Lease lease(KeywardCli r, VaultClient c, LoginCommands.Credentials creds) {
        if (creds.given(r)) {
            JsonNode auth = creds.login(r, c);
            return new Lease(auth.path("client_token").asText(), true);
        }
        return new Lease(r.tokenValue(), false);
    }

    static void revoke(VaultClient c, Lease lease, KeywardCli r) {
        if (!lease.revokeAfter()) {
            return;
        }
        try {
            VaultClient.Reply reply = c.call("POST", "auth/token/revoke-self", lease.token(), null);
            if (reply.status() != 204 && reply.status() != 200) {
                r.err.println("keyward: warning: the short-lived token could not be revoked (" + reply.status() + ").");
            }
        } catch (CliException e) {
            r.err.println("keyward: warning: the short-lived token could not be revoked: " + e.getMessage());
        }
    }

    /** Reads each referenced field once per path and version. */
    static Map<String, String> resolve(VaultClient c, String token, Map<String, SecretReference> refs) {
        Map<String, JsonNode> cache = new HashMap<>();
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : refs.entrySet()) {
            SecretReference ref = e.getValue();
            String key = ref.path() + "@" + ref.version();
            JsonNode data = cache.computeIfAbsent(key, k -> {
                String q = ref.version() > 0 ? "?version=" + ref.version() : "";
                VaultClient.Reply reply = c.call("GET", "secret/data/" + ref.path() + q, token, null);
                if (reply.status() == 404) {
                    throw new CliException(ExitCodes.REFUSED, "The secret " + ref.path()
                            + (ref.version() > 0 ? " version " + ref.version() : "") + " does not exist or is deleted.");
                }
                return VaultClient.check(reply).json().path("data").path("data");
            });
            JsonNode v = data.get(ref.field());
            if (v == null || !v.isTextual()) {
                throw new CliException(ExitCodes.REFUSED, "The secret " + ref.path() + " has no field " + ref.field() + ".");
            }
            out.put(e.getKey(), v.asText());
        }
        return out;
    }

    /** How long a reload command may run. */
    static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(60);

    static Duration duration(String text, String option) {
        try {
            return dev.keyward.vault.server.Durations.parse(text);
        } catch (InvalidRequestException e) {
            throw new CliException(ExitCodes.USAGE, option + ": " + e.getMessage());
        }
    }

    static SecretReference parse(String text) {
        try {
            return SecretReference.parse(text);
        } catch (InvalidRequestException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage());
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = {"Runs a command with secrets in its environment: keyward run --env DB_PASS=kw://app/db#password -- cmd args",
                "Logs in with a short-lived token (--role-id/--operator; else uses the saved token), resolves the "
                    + "references, masks the values in the command's output, revokes the token when the command "
                    + "exits, and exits with the command's exit code.",
                "The command inherits this environment without any KEYWARD_* variable (passphrases, PINs, tokens, "
                    + "AppRole credentials) except KEYWARD_HOME, KEYWARD_ADDRESS and KEYWARD_CA_CERT, plus the "
                    + "injected variables."})
    static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--env", paramLabel = "NAME=kw://path#field[@version]", description = "A variable to inject.")
        List<String> env = new ArrayList<>();

        @Option(names = "--env-file", paramLabel = "FILE", description = "Lines NAME=kw://... (# comments allowed).")
        Path envFile;

        @Option(names = "--no-masking", description = "Do not mask injected values in the command's output.")
        boolean noMasking;

        @Option(names = "--watch", description = "Keep running: when a referenced secret (one without @version) gets "
                + "a new current version, restart or signal the command (--on-change).")
        boolean watch;

        @Option(names = "--on-change", defaultValue = "restart", paramLabel = "ACTION",
                description = "With --watch: restart (default; SIGTERM, then SIGKILL after --grace) or signal:NAME "
                    + "(e.g. signal:HUP; see --values-file).")
        String onChange;

        @Option(names = "--grace", defaultValue = "10s", paramLabel = "DURATION",
                description = "With --watch: how long a restarted command may take to stop (default ${DEFAULT-VALUE}).")
        String grace;

        @Option(names = "--values-file", paramLabel = "FILE", description = "With --watch: also keep NAME='value' "
                + "lines in FILE (0600, replaced atomically before each signal), for a command that reloads on a signal.")
        Path valuesFile;

        @Mixin
        LoginCommands.Credentials creds = new LoginCommands.Credentials();

        @Option(names = "--request", paramLabel = "ID",
                description = "An approved elevation to use for this one job: started before the command, ended when it exits.")
        String request;

        @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments (after --).")
        List<String> command;

        @Override
        public Integer call() throws Exception {
            KeywardCli r = KeywardCli.root(spec);
            Map<String, SecretReference> refs = new LinkedHashMap<>();
            List<String> lines = new ArrayList<>(env);
            if (envFile != null) {
                try {
                    for (String l : Files.readAllLines(envFile, StandardCharsets.UTF_8)) {
                        if (!l.isBlank() && !l.strip().startsWith("#")) {
                            lines.add(l.strip());
                        }
                    }
                } catch (IOException e) {
                    throw new CliException(ExitCodes.USAGE, "The env file " + envFile + " could not be read.");
                }
            }
            for (String l : lines) {
                int eq = l.indexOf('=');
                if (eq <= 0 || !ENV_NAME.matcher(l.substring(0, eq)).matches()) {
                    throw new CliException(ExitCodes.USAGE, "An injected variable is NAME=kw://path#field[@version].");
                }
                refs.put(l.substring(0, eq), parse(l.substring(eq + 1)));
            }
            VaultClient c = r.client();
            if (watch && request != null) {
                throw new CliException(ExitCodes.USAGE, "--request is for one job; it does not go with --watch.");
            }
            if (watch) {
                WatchedChild.OnChange action = WatchedChild.OnChange.parse(onChange);
                Duration graceTime = duration(grace, "--grace");
                Lease lease = lease(r, c, creds);
                try {
                    return runWatched(r, c, lease, refs, action, graceTime);
                } finally {
                    revoke(c, lease, r);
                }
            }
            Lease lease = lease(r, c, creds);
            Process child = null;
            Thread hook = null;
            boolean elevated = false;
            try {
                if (request != null) {
                    c.expect("POST", ApprovalCommands.BASE + "elevations/" + request + "/start", lease.token(),
                            KeywardCli.object());
                    elevated = true;
                }
                Map<String, String> values = resolve(c, lease.token(), refs);
                ProcessBuilder pb = new ProcessBuilder(command);
                ChildEnvironment.prepare(pb.environment(), values);
                pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
                if (noMasking) {
                    pb.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
                }
                try {
                    child = pb.start();
                } catch (IOException e) {
                    throw new CliException(ExitCodes.USAGE, "The command " + command.get(0) + " could not be started.");
                }
                Process started = child;
                boolean endOnExit = elevated;
                hook = new Thread(() -> {
                    started.destroy();
                    if (endOnExit) {
                        endElevation(c, lease, request, r);
                    }
                    revoke(c, lease, r);
                }, "keyward-run-cleanup");
                Runtime.getRuntime().addShutdownHook(hook);
                List<Thread> pumps = new ArrayList<>();
                if (!noMasking) {
                    Masking m = new Masking(values.values());
                    pumps.add(pump(m, child.getInputStream(), r.out));
                    pumps.add(pump(m, child.getErrorStream(), r.err));
                }
                int code = child.waitFor();
                for (Thread t : pumps) {
                    t.join();
                }
                return code;
            } finally {
                if (hook != null) {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException ignored) {
                        // shutting down: the hook revokes
                    }
                }
                if (elevated) {
                    endElevation(c, lease, request, r);
                }
                revoke(c, lease, r);
            }
        }

        /** Drops the job's elevation (it would end at its expiry anyway); says so when it cannot. */
        private static void endElevation(VaultClient c, Lease lease, String id, KeywardCli r) {
            try {
                c.expect("POST", ApprovalCommands.BASE + "elevations/" + id + "/end", lease.token(), KeywardCli.object());
            } catch (CliException e) {
                r.err.println("keyward: the elevation " + id + " could not be ended now (" + e.getMessage()
                        + "); it ends at its expiry.");
            }
        }

        /** {@code run --watch}: the command runs until it exits on its own; changes restart or signal it. */
        private int runWatched(KeywardCli r, VaultClient c, Lease lease, Map<String, SecretReference> refs,
                               WatchedChild.OnChange action, Duration graceTime) throws InterruptedException {
            Watch w = new Watch(c, lease.token(), refs.values(), r.err);
            if (w.watchesAnything()) {
                w.mark();
            } else {
                r.err.println("keyward: every reference names a version (@N): there is nothing to watch.");
            }
            Map<String, String> first = resolve(c, lease.token(), refs);
            WatchedChild child = new WatchedChild(command, action, !noMasking, r.out, r.err, graceTime, valuesFile);
            child.start(first);
            Thread watcher = new Thread(() -> {
                Map<String, String> current = first;
                try {
                    while (w.watchesAnything()) {
                        java.util.Set<String> changed = w.next();
                        Map<String, String> next;
                        try {
                            next = resolve(c, lease.token(), refs);
                        } catch (CliException e) {
                            r.err.println("keyward: watching: " + e.getMessage() + " The command keeps its values.");
                            continue;
                        }
                        if (!next.equals(current)) {
                            current = next;
                            child.changed(next, changed);
                        }
                    }
                } catch (InterruptedException stopped) {
                    // run is ending
                }
            }, "keyward-run-watch");
            watcher.setDaemon(true);
            watcher.start();
            Thread hook = new Thread(() -> {
                watcher.interrupt();
                child.stop();
                revoke(c, lease, r);
            }, "keyward-run-cleanup");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                return child.waitForExit();
            } catch (InterruptedException e) {
                child.stop();
                return 130;
            } finally {
                watcher.interrupt();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // shutting down: the hook cleans up
                }
            }
        }

        private static Thread pump(Masking m, InputStream in, OutputStream out) {
            Thread t = new Thread(() -> {
                try (in) {
                    m.copy(in, out);
                } catch (IOException ignored) {
                    // the child closed its side
                }
            }, "keyward-run-output");
            t.setDaemon(true);
            t.start();
            return t;
        }
    }

    @Command(name = "inject", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Renders {{ kw://path#field[@version] }} in a template into a file created with mode 0600.")
    static final class Inject implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-i", "--in"}, required = true, paramLabel = "TEMPLATE",
                description = "The template: {{ kw://path#field }} or {{ kw://path#field@version }} references.")
        Path in;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The rendered file (mode 0600).")
        Path outFile;

        @Option(names = "--watch", description = "Keep running: when a referenced secret (one without @version) gets "
                + "a new current version, render the file again (replaced atomically, 0600) and run --reload.")
        boolean watch;

        @Option(names = "--reload", paramLabel = "CMD", description = "With --watch: a shell command run after each "
                + "rewrite (e.g. 'systemctl reload app'); it gets no secret in its arguments or environment.")
        String reload;

        @Mixin
        LoginCommands.Credentials creds = new LoginCommands.Credentials();

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            String template;
            try {
                template = Files.readString(in, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CliException(ExitCodes.USAGE, "The template " + in + " could not be read.");
            }
            Map<String, SecretReference> refs = new LinkedHashMap<>();
            Matcher m = TEMPLATE.matcher(template);
            while (m.find()) {
                refs.put(m.group(1), parse(m.group(1)));
            }
            if (reload != null && !watch) {
                throw new CliException(ExitCodes.USAGE, "--reload runs after a rewrite: it needs --watch.");
            }
            VaultClient c = r.client();
            Lease lease = lease(r, c, creds);
            try {
                Watch w = new Watch(c, lease.token(), refs.values(), r.err);
                if (watch && w.watchesAnything()) {
                    w.mark();
                }
                String written = render(template, resolve(c, lease.token(), refs));
                AtomicFiles.replacePrivate(outFile, written.getBytes(StandardCharsets.UTF_8));
                r.err.println("Wrote " + outFile + " (" + refs.size() + " references, mode 0600).");
                if (!watch) {
                    return ExitCodes.OK;
                }
                if (!w.watchesAnything()) {
                    r.err.println("keyward: every reference names a version (@N): there is nothing to watch.");
                    return ExitCodes.OK;
                }
                while (true) {
                    try {
                        w.next();
                    } catch (InterruptedException stopped) {
                        return ExitCodes.OK;
                    }
                    String next;
                    try {
                        next = render(template, resolve(c, lease.token(), refs));
                    } catch (CliException e) {
                        r.err.println("keyward: watching: " + e.getMessage() + " The file is left as it is.");
                        continue;
                    }
                    if (next.equals(written)) {
                        continue;
                    }
                    AtomicFiles.replacePrivate(outFile, next.getBytes(StandardCharsets.UTF_8));
                    written = next;
                    r.err.println("Rewrote " + outFile + " (mode 0600).");
                    if (reload != null) {
                        runReload(r, reload);
                    }
                }
            } finally {
                revoke(c, lease, r);
            }
        }

        private static String render(String template, Map<String, String> values) {
            StringBuilder sb = new StringBuilder();
            Matcher mm = TEMPLATE.matcher(template);
            while (mm.find()) {
                mm.appendReplacement(sb, Matcher.quoteReplacement(values.get(mm.group(1))));
            }
            mm.appendTail(sb);
            return sb.toString();
        }

        /** Runs the reload command with {@code sh -c}: the cleaned environment, no secret, a time limit. */
        private static void runReload(KeywardCli r, String cmd) {
            ProcessBuilder pb = new ProcessBuilder("sh", "-c", cmd);
            ChildEnvironment.prepare(pb.environment(), Map.of());
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
            try {
                Process p = pb.start();
                if (!p.waitFor(RELOAD_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    r.err.println("keyward: the reload command did not finish within " + RELOAD_TIMEOUT.toSeconds()
                            + " s: stopped.");
                } else if (p.exitValue() != 0) {
                    r.err.println("keyward: the reload command exited " + p.exitValue() + ".");
                }
            } catch (IOException e) {
                r.err.println("keyward: the reload command could not be started (no sh?).");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
