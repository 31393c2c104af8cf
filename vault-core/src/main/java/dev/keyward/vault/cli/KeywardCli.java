package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.HsmUnavailableException;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.VaultInUseException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code keyward} command. */
@Command(name = "keyward", mixinStandardHelpOptions = true, version = "keyward " + Keyward.VERSION,
        description = "Keyward: a local, HSM-backed secrets vault. Most commands talk to the endpoint that "
                + "'keyward serve' runs; init and serve own the vault directory.",
        footer = ExitCodes.HELP,
        subcommands = {InitCommand.class, ServeCommand.class, SealCommands.Unseal.class, SealCommands.Seal.class,
            SealCommands.Status.class, LoginCommands.class, KvCommands.class, KvCommands.Token.class,
            CaCommands.Ca.class, AdminCommands.Cert.class, AdminCommands.Policy.class, AuditCommands.Audit.class, CheckCommands.Check.class, KeyCommands.Key.class, InjectCommands.Run.class, InjectCommands.Inject.class, ScanCommand.class, ExceptionCommands.class,
            ReviewCommands.class, ReportCommands.class, DrillCommands.class, SealChangeCommands.Operator.class,
            BackupCommands.Backup.class, BackupCommands.Restore.class, WebhookCommands.class,
            RotationCommands.Rotation.class,
            ApprovalCommands.Request.class, ApprovalCommands.Approve.class, ApprovalCommands.Deny.class,
            ApprovalCommands.Approvals.class,
            AutoComplete.GenerateCompletion.class})
public final class KeywardCli implements Callable<Integer> {
    final Map<String, String> env;
    final java.io.InputStream in;
    final PrintStream out;
    final PrintStream err;

    @Option(names = "--home", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "The vault directory (default: $KEYWARD_HOME, else ~/.local/share/keyward).")
    Path home;

    @Option(names = {"-a", "--address"}, scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "The endpoint (default: $KEYWARD_ADDRESS, the config file, else https://127.0.0.1:8210).")
    String address;

    @Option(names = "--ca-cert", scope = ScopeType.INHERIT, paramLabel = "PEM",
            description = "The vault's CA certificate (default: $KEYWARD_CA_CERT, else <home>/tls/ca.pem).")
    Path caCert;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "FORMAT",
            description = "text (default) or json.")
    String output = "text";

    @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
            description = "The token to use (default: $KEYWARD_TOKEN, else the one saved by 'keyward login').")
    String token;

    @Option(names = "--approval", paramLabel = "ID",
            description = "A grant to present with the call (sent as X-Keyward-Approval), before the command: "
                    + "keyward --approval ID kv get PATH. (Seal and rotation commands take their own --approval.)")
    String approval;

    @Option(names = "--justification", scope = ScopeType.INHERIT, paramLabel = "TEXT",
            description = "Why: recorded in the audit entry; a gated call opens its approval request with it.")
    String justification;

    public KeywardCli(Map<String, String> env, PrintStream out, PrintStream err) {
        this(env, System.in, out, err);
    }

    public KeywardCli(Map<String, String> env, java.io.InputStream in, PrintStream out, PrintStream err) {
        this.env = env;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), System.out, System.err, args));
    }

    /** Runs the CLI and returns its exit code (for tests and main). */
    public static int run(Map<String, String> env, PrintStream out, PrintStream err, String... args) {
        return run(env, System.in, out, err, args);
    }

    /** Runs the CLI with its standard input (shares read with {@code --share-file -}). */
    public static int run(Map<String, String> env, java.io.InputStream in, PrintStream out, PrintStream err,
                          String... args) {
        KeywardCli root = new KeywardCli(env, in, out, err);
        CommandLine cl = new CommandLine(root);
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, cmd, parse) -> {
            if (e instanceof CliException c) {
                err.println("keyward: " + c.getMessage());
                return c.exitCode();
            }
            if (e instanceof VaultInUseException || e instanceof HsmUnavailableException) {
                err.println("keyward: " + e.getMessage());
                return ExitCodes.UNAVAILABLE;
            }
            if (e instanceof AuthenticationFailedException) {
                err.println("keyward: " + e.getMessage());
                return ExitCodes.DENIED;
            }
            if (e instanceof KeywardException k) {
                err.println("keyward: " + k.getMessage());
                return ExitCodes.REFUSED;
            }
            err.println("keyward: unexpected error (" + e.getClass().getSimpleName() + ").");
            return ExitCodes.INTERNAL;
        });
        cl.setParameterExceptionHandler((e, a) -> {
            err.println("keyward: " + e.getMessage());
            e.getCommandLine().usage(err);
            return ExitCodes.USAGE;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(out);
        return ExitCodes.USAGE;
    }

    // ------------------------------------------------------------------ shared helpers

    static KeywardCli root(CommandSpec spec) {
        return (KeywardCli) spec.root().userObject();
    }

    Path home() {
        return home != null ? home : CliConfig.home(env);
    }

    CliConfig config() {
        return CliConfig.load(home(), env);
    }

    Path caPem() {
        if (caCert != null) {
            return caCert;
        }
        String e = env.get("KEYWARD_CA_CERT");
        return e != null && !e.isBlank() ? Path.of(e) : home().resolve("tls").resolve("ca.pem");
    }

    String addressValue() {
        return address != null ? address : config().address();
    }

    VaultClient client() {
        return new VaultClient(addressValue(), caPem(), null, null).header("X-Keyward-Approval", approval)
                .header("X-Keyward-Justification", justification);
    }

    /** Calls the vault with this invocation's token; anything but a success becomes a CLI error. */
    VaultClient.Reply send(String method, String route, Object body) {
        return client().expect(method, route, tokenValue(), body);
    }

    /** {@link #send}, returning the answer's {@code data} object. */
    JsonNode data(String method, String route, Object body) {
        return send(method, route, body).json().path("data");
    }

    Path tokenFile() {
        return home().resolve(".token");
    }

    /** The token to present: --token, $KEYWARD_TOKEN, else the saved one. */
    String tokenValue() {
        if (token != null) {
            return token;
        }
        String e = env.get("KEYWARD_TOKEN");
        if (e != null && !e.isBlank()) {
            return e.trim();
        }
        Path f = tokenFile();
        if (Files.isReadable(f)) {
            try {
                return Files.readString(f, StandardCharsets.UTF_8).trim();
            } catch (IOException ex) {
                throw new CliException(ExitCodes.USAGE, "The saved token could not be read.");
            }
        }
        throw new CliException(ExitCodes.DENIED, "No token: run 'keyward login' or set KEYWARD_TOKEN.");
    }

    boolean json() {
        if (!output.equals("json") && !output.equals("text")) {
            throw new CliException(ExitCodes.USAGE, "The output format is text or json.");
        }
        return output.equals("json");
    }

    /** Prints a JSON node as JSON (-o json) or as "key: value" lines. */
    void print(JsonNode node) {
        if (json()) {
            try {
                out.println(VaultClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
            } catch (IOException e) {
                throw new CliException(ExitCodes.INTERNAL, "The answer could not be printed.");
            }
            return;
        }
        if (node == null || node.isNull()) {
            return;
        }
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> out.println(e.getKey() + ": " + text(e.getValue())));
        } else if (node.isArray()) {
            node.forEach(n -> out.println(text(n)));
        } else {
            out.println(text(node));
        }
    }

    static String text(JsonNode n) {
        return n == null || n.isNull() ? "" : n.isValueNode() ? n.asText() : n.toString();
    }

    /** Reads a secret from a file, an environment variable, or the console, in that order. */
    char[] secret(Path file, String envName, String prompt) {
        if (file != null) {
            try {
                String s = file.toString().equals("-") ? firstLine(in) : Files.readString(file, StandardCharsets.UTF_8);
                return s.strip().toCharArray();
            } catch (IOException e) {
                throw new CliException(ExitCodes.USAGE, "The file " + file + " could not be read.");
            }
        }
        String e = env.get(envName);
        if (e != null && !e.isEmpty()) {
            return e.toCharArray();
        }
        java.io.Console c = System.console();
        if (c == null) {
            throw new CliException(ExitCodes.USAGE, prompt + " is needed: pass a file option or set " + envName + ".");
        }
        char[] v = c.readPassword("%s: ", prompt);
        if (v == null || v.length == 0) {
            throw new CliException(ExitCodes.USAGE, prompt + " is needed.");
        }
        return v;
    }

    /** The first line of standard input ("-" as a file option): a secret handed over by a parent process. */
    private static String firstLine(java.io.InputStream in) throws IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /** Writes a file readable only by its owner (created 0600, then moved into place). */
    static void writePrivate(Path file, byte[] content) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".keyward", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.write(tmp, content);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new CliException(ExitCodes.USAGE, "The file " + file + " could not be written: " + e.getMessage());
        }
    }

    static List<String> split(String csv) {
        List<String> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    static ObjectNode object() {
        return VaultClient.JSON.createObjectNode();
    }
}
