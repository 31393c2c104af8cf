package dev.keyward.vault.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The command {@code keyward run --watch} supervises: started with the secrets in its
 * environment, and when a referenced secret changes either restarted with the new values
 * (gracefully: SIGTERM, then SIGKILL after the grace period) or sent a signal (after the values
 * file, if any, was rewritten, so that the command can read the new values on the signal).
 */
final class WatchedChild {
    /** What a change does to the command. */
    record OnChange(boolean restart, String signal) {
        static final Set<String> SIGNALS = Set.of("HUP", "INT", "QUIT", "TERM", "USR1", "USR2", "ALRM", "WINCH");

        static OnChange parse(String spec) {
            String s = spec == null ? "restart" : spec.trim();
            if (s.equals("restart")) {
                return new OnChange(true, null);
            }
            if (s.toLowerCase(Locale.ROOT).startsWith("signal:")) {
                String sig = s.substring("signal:".length()).toUpperCase(Locale.ROOT);
                if (sig.startsWith("SIG")) {
                    sig = sig.substring(3);
                }
                if (SIGNALS.contains(sig)) {
                    return new OnChange(false, sig);
                }
            }
            throw new CliException(ExitCodes.USAGE, "--on-change is restart or signal:NAME with NAME one of "
                    + String.join(", ", new java.util.TreeSet<>(SIGNALS)) + " (e.g. signal:HUP).");
        }
    }

    private final List<String> command;
    private final boolean mask;
    private final PrintStream out;
    private final PrintStream err;
    private final Duration grace;
    private final Path valuesFile;
    private final OnChange onChange;
    private final Set<String> everyValue = new LinkedHashSet<>();
    private final List<Thread> pumps = new ArrayList<>();
    private Process child;
    private boolean replacing;

    WatchedChild(List<String> command, OnChange onChange, boolean mask, PrintStream out, PrintStream err,
                 Duration grace, Path valuesFile) {
        this.command = List.copyOf(command);
        this.onChange = onChange;
        this.mask = mask;
        this.out = out;
        this.err = err;
        this.grace = grace;
        this.valuesFile = valuesFile;
    }

    /** Starts the command with {@code values} added to its (cleaned) environment. */
    synchronized void start(Map<String, String> values) {
        writeValues(values);
        everyValue.addAll(values.values());
        ProcessBuilder pb = new ProcessBuilder(command);
        ChildEnvironment.prepare(pb.environment(), values);
        pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
        if (!mask) {
            pb.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        }
        try {
            child = pb.start();
        } catch (IOException e) {
            throw new CliException(ExitCodes.USAGE, "The command " + command.get(0) + " could not be started.");
        }
        if (mask) {
            Masking m = new Masking(List.copyOf(everyValue)); // old values stay masked too
            pumps.add(pump(m, child.getInputStream(), out));
            pumps.add(pump(m, child.getErrorStream(), err));
        }
    }

    /** A referenced secret changed: restart the command with {@code values}, or signal it. */
    synchronized void changed(Map<String, String> values, Set<String> paths) {
        if (child == null) {
            return;
        }
        if (!child.isAlive()) {
            return; // exited on its own: run ends with its code
        }
        if (onChange.restart()) {
            replacing = true;
            try {
                err.println("keyward: " + String.join(", ", paths) + " changed: restarting the command.");
                stop(child);
                start(values);
            } finally {
                replacing = false;
                notifyAll();
            }
        } else {
            writeValues(values);
            everyValue.addAll(values.values());
            err.println("keyward: " + String.join(", ", paths) + " changed: sending SIG" + onChange.signal()
                    + " to the command.");
            signal(child, onChange.signal());
        }
    }

    /** Waits for the command to exit on its own (not for a restart) and returns its exit code. */
    int waitForExit() throws InterruptedException {
        while (true) {
            Process p;
            synchronized (this) {
                while (replacing) {
                    wait();
                }
                p = child;
            }
            int code = p.waitFor();
            synchronized (this) {
                while (replacing) {
                    wait();
                }
                if (child == p) {
                    for (Thread t : pumps) {
                        t.join(2000);
                    }
                    return code;
                }
            }
        }
    }

    /** Stops the command (on shutdown or interrupt). */
    synchronized void stop() {
        if (child != null && child.isAlive()) {
            stop(child);
        }
    }

    private void stop(Process p) {
        p.toHandle().descendants().forEach(ProcessHandle::destroy);
        p.destroy(); // SIGTERM
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                err.println("keyward: the command did not stop within " + grace.toSeconds() + " s: killing it.");
                p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void signal(Process p, String sig) {
        if (sig.equals("TERM")) {
            p.destroy();
            return;
        }
        try {
            // argv names the signal and the process id only; the environment is the cleaned one.
            ProcessBuilder kill = new ProcessBuilder("kill", "-s", sig, Long.toString(p.pid()));
            ChildEnvironment.prepare(kill.environment(), Map.of());
            kill.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            int code = kill.start().waitFor();
            if (code != 0) {
                err.println("keyward: SIG" + sig + " could not be sent to the command (kill exited " + code + ").");
            }
        } catch (IOException e) {
            err.println("keyward: SIG" + sig + " could not be sent to the command: no 'kill' command.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes NAME='value' lines (shell-quoted, 0600, atomically) for a command that reloads on a signal. */
    private void writeValues(Map<String, String> values) {
        if (valuesFile == null) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> sb.append(k).append("='").append(v.replace("'", "'\\''")).append("'\n"));
        AtomicFiles.replacePrivate(valuesFile, sb.toString().getBytes(StandardCharsets.UTF_8));
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
