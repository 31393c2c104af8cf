package dev.keyward.vault.rotation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.identity.Records;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A command hook: the new value is made from a password policy ({@link PasswordPolicy}), and an
 * executable applies it wherever it is used. The hook runs as {@code command [args...] STEP} with
 * STEP one of {@code set, test, restore, revoke, check}; it reads one JSON object on standard input
 * ({@code step}, {@code path}, {@code field} and the values the step needs: {@code pending},
 * {@code current}, {@code previous}). Values never go on the command line or in the environment
 * (which holds only PATH, HOME, LANG, KEYWARD_ROTATION_PATH and KEYWARD_ROTATION_STEP). Its exit
 * status is the step's result (0 = done); its standard output is empty or one JSON object (anything
 * else fails the step); standard error is read and dropped (it could echo a value). A hook running
 * past {@code timeout} (default 30s) is killed with its children and the step fails.
 *
 * <p>Parameters: {@code command} (absolute path of an executable), {@code args} (fixed words,
 * space-separated), {@code timeout}, {@code field} (default {@code password}) and the password
 * policy's.
 */
public final class HookRotator implements Rotator {
    public static final String TYPE = "hook";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);
    static final int MAX_OUTPUT = 64 * 1024;

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void validate(Map<String, String> params) {
        for (String k : params.keySet()) {
            if (!PasswordPolicy.PARAMS.contains(k) && !List.of("command", "args", "timeout", "field").contains(k)) {
                throw new InvalidRequestException("The hook rotator has no parameter '" + PasswordPolicy.clip(k)
                        + "'; it takes command, args, timeout, field and the password policy's.");
            }
        }
        command(params);
        timeout(params);
        GeneratedRotator.field(params);
        PasswordPolicy.of(params);
    }

    static Path command(Map<String, String> params) {
        String c = params.get("command");
        if (c == null || c.isBlank()) {
            throw new InvalidRequestException("The hook rotator needs command: the absolute path of an executable.");
        }
        Path p = Path.of(c.trim());
        if (!p.isAbsolute()) {
            throw new InvalidRequestException("command is an absolute path.");
        }
        if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
            throw new InvalidRequestException("command " + PasswordPolicy.clip(c) + " is not an executable file.");
        }
        return p;
    }

    static Duration timeout(Map<String, String> params) {
        String t = params.get("timeout");
        if (t == null) {
            return DEFAULT_TIMEOUT;
        }
        Duration d = dev.keyward.vault.server.Durations.parse(t);
        if (d.isZero() || d.compareTo(MAX_TIMEOUT) > 0) {
            throw new InvalidRequestException("timeout is longer than zero and at most 10m.");
        }
        return d;
    }

    @Override
    public Map<String, String> generate(RotationContext ctx) {
        Map<String, String> out = new TreeMap<>(ctx.current());
        out.put(GeneratedRotator.field(ctx.params()), PasswordPolicy.of(ctx.params()).generate());
        return out;
    }

    @Override
    public void set(RotationContext ctx, Map<String, String> pending) {
        run(ctx, "set", Map.of("pending", pending, "current", ctx.current()));
    }

    @Override
    public void test(RotationContext ctx, Map<String, String> pending) {
        run(ctx, "test", Map.of("pending", pending, "current", ctx.current()));
    }

    @Override
    public void restore(RotationContext ctx, Map<String, String> current, Map<String, String> pending) {
        run(ctx, "restore", Map.of("pending", pending, "current", current));
    }

    @Override
    public void revokePrevious(RotationContext ctx, Map<String, String> previous, Map<String, String> current) {
        run(ctx, "revoke", Map.of("previous", previous, "current", current));
    }

    @Override
    public void check(RotationContext ctx, Map<String, String> current) {
        run(ctx, "check", Map.of("current", current));
    }

    private void run(RotationContext ctx, String step, Map<String, Map<String, String>> values) {
        Map<String, String> params = ctx.params();
        Path command = command(params);
        Duration timeout = timeout(params);
        List<String> argv = new ArrayList<>();
        argv.add(command.toString());
        String args = params.getOrDefault("args", "").trim();
        if (!args.isEmpty()) {
            argv.addAll(Arrays.asList(args.split("\\s+")));
        }
        argv.add(step);
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("step", step);
        input.put("path", ctx.path());
        input.put("field", GeneratedRotator.field(params));
        input.putAll(values);
        byte[] stdin = Records.encode(input);
        ProcessBuilder pb = new ProcessBuilder(argv);
        Map<String, String> env = pb.environment();
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        String home = env.getOrDefault("HOME", "/");
        env.clear();
        env.put("PATH", path);
        env.put("HOME", home);
        env.put("LANG", "C.UTF-8");
        env.put("KEYWARD_ROTATION_PATH", ctx.path());
        env.put("KEYWARD_ROTATION_STEP", step);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            Arrays.fill(stdin, (byte) 0);
            throw new RotationStepException("The hook could not be started.");
        }
        Bounded out = new Bounded(p.getInputStream());
        Bounded err = new Bounded(p.getErrorStream());
        Thread feed = daemon(() -> {
            try (OutputStream o = p.getOutputStream()) {
                o.write(stdin);
            } catch (IOException ignored) {
                // the hook did not read its input; its exit status says the rest
            } finally {
                Arrays.fill(stdin, (byte) 0);
            }
        }, "stdin");
        Thread reader = daemon(out, "stdout");
        Thread drainer = daemon(err, "stderr");
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw new RotationStepException("The hook's " + step + " step did not finish within "
                        + Schedule.human(timeout) + "; it was stopped.");
            }
            reader.join(2000);
            feed.join(1000);
            drainer.join(1000);
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new RotationStepException("The hook's " + step + " step was interrupted.");
        } finally {
            err.clear();
        }
        int status = p.exitValue();
        byte[] printed = out.bytes();
        try {
            if (out.overflow) {
                throw new RotationStepException("The hook's " + step + " step printed more than 64 KiB.");
            }
            if (!isEmptyOrJsonObject(printed)) {
                throw new RotationStepException("The hook's " + step + " step printed something that is not a JSON"
                        + " object (its standard output is empty or one JSON object).");
            }
        } finally {
            Arrays.fill(printed, (byte) 0);
            out.clear();
        }
        if (status != 0) {
            throw new RotationStepException("The hook's " + step + " step exited with status " + status + ".");
        }
    }

    private static boolean isEmptyOrJsonObject(byte[] printed) {
        String s = new String(printed, StandardCharsets.UTF_8).trim();
        if (s.isEmpty()) {
            return true;
        }
        try {
            JsonNode n = Records.JSON.readTree(s);
            return n != null && n.isObject();
        } catch (IOException e) {
            return false;
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable r, String what) {
        Thread t = new Thread(r, "keyward-rotation-hook-" + what);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Reads a stream to its end, keeping at most {@link #MAX_OUTPUT} bytes. */
    private static final class Bounded implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        volatile boolean overflow;

        Bounded(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    synchronized (this) {
                        if (kept.size() + n > MAX_OUTPUT) {
                            overflow = true;
                        } else {
                            kept.write(buf, 0, n);
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process ended or was killed
            } finally {
                Arrays.fill(buf, (byte) 0);
            }
        }

        synchronized byte[] bytes() {
            return kept.toByteArray();
        }

        synchronized void clear() {
            byte[] zero = new byte[kept.size()];
            kept.reset();
            kept.write(zero, 0, zero.length);
            kept.reset();
        }
    }

    @Override
    public String toString() {
        return "HookRotator";
    }
}
