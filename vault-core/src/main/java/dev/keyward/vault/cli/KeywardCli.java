package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.InitRequest;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultInUseException;
import dev.keyward.vault.api.VaultOptions;
import dev.keyward.vault.api.VaultStatus;
import dev.keyward.vault.server.KeywardServer;
import dev.keyward.vault.server.ServerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code keyward} command. */
@Command(name = "keyward", mixinStandardHelpOptions = true, version = "keyward " + Keyward.VERSION,
        description = "Keyward: a local, HSM-backed secrets vault. Most commands talk to the endpoint that "
                + "'keyward serve' runs; init and serve own the vault directory.",
        footer = ExitCodes.HELP,
        subcommands = {KeywardCli.Init.class, KeywardCli.Serve.class, KeywardCli.Unseal.class, KeywardCli.Seal.class,
            KeywardCli.Status.class, LoginCommands.class, KvCommands.class, KvCommands.Token.class,
            KeywardCli.Ca.class, AdminCommands.Cert.class, AdminCommands.Policy.class, AdminCommands.Audit.class, InjectCommands.Run.class, InjectCommands.Inject.class,
            AutoComplete.GenerateCompletion.class})
public final class KeywardCli implements Callable<Integer> {
    final Map<String, String> env;
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

    public KeywardCli(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), System.out, System.err, args));
    }

    /** Runs the CLI and returns its exit code (for tests and main). */
    public static int run(Map<String, String> env, PrintStream out, PrintStream err, String... args) {
        KeywardCli root = new KeywardCli(env, out, err);
        CommandLine cl = new CommandLine(root);
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, cmd, parse) -> {
            if (e instanceof CliException c) {
                err.println("keyward: " + c.getMessage());
                return c.exitCode();
            }
            if (e instanceof VaultInUseException v) {
                err.println("keyward: " + v.getMessage());
                return ExitCodes.UNAVAILABLE;
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
        return new VaultClient(addressValue(), caPem(), null, null);
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
                String s = Files.readString(file, StandardCharsets.UTF_8);
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

    // ------------------------------------------------------------------ lifecycle commands

    @Command(name = "init", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Creates a new vault in the home directory (passphrase seal) with a first admin operator.")
    static final class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--admin", defaultValue = "admin", description = "The first admin operator's name.")
        String admin;

        @Option(names = "--passphrase-file", paramLabel = "FILE",
                description = "The unseal passphrase (else $KEYWARD_PASSPHRASE, else a prompt).")
        Path passphraseFile;

        @Option(names = "--admin-passphrase-file", paramLabel = "FILE",
                description = "The admin's login passphrase (else $KEYWARD_ADMIN_PASSPHRASE, else a prompt).")
        Path adminFile;

        @Option(names = "--insecure-fast-kdf", hidden = true, description = "Cheap Argon2id (tests only).")
        boolean fastKdf;

        @Override
        public Integer call() {
            KeywardCli r = root(spec);
            char[] pass = r.secret(passphraseFile, "KEYWARD_PASSPHRASE", "Unseal passphrase");
            char[] adminPass = r.secret(adminFile, "KEYWARD_ADMIN_PASSPHRASE", "Admin passphrase");
            Argon2Parameters kdf = fastKdf ? Argon2Parameters.insecureForTests() : Argon2Parameters.DEFAULT;
            try (Vault v = Keyward.open(VaultOptions.at(r.home()));
                 InitRequest req = new InitRequest(new PassphraseSealSpec(pass, kdf), admin, adminPass, kdf)) {
                v.lifecycle().init(req);
            } finally {
                Arrays.fill(pass, '\0');
                Arrays.fill(adminPass, '\0');
            }
            r.out.println("Initialised the vault in " + r.home() + " (sealed). Next: keyward serve");
            return ExitCodes.OK;
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Owns the vault directory, unseals it and runs the HTTPS endpoint until stopped.")
    static final class Serve implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--port", description = "TCP port (default: the config file, else 8210).")
        Integer port;

        @Option(names = "--passphrase-file", paramLabel = "FILE",
                description = "The unseal passphrase (else $KEYWARD_PASSPHRASE, else a prompt).")
        Path passphraseFile;

        @Option(names = "--pin-file", paramLabel = "FILE", description = "The HSM PIN for a PKCS#11 seal (else $KEYWARD_PIN).")
        Path pinFile;

        @Override
        public Integer call() throws Exception {
            KeywardCli r = root(spec);
            CliConfig cfg = r.config();
            ServerConfig sc = cfg.server(port);
            Vault v = Keyward.open(VaultOptions.at(r.home()).withAutoSealAfter(cfg.autoSeal()));
            KeywardServer server;
            try {
                if (!v.lifecycle().status().initialized()) {
                    throw new CliException(ExitCodes.UNAVAILABLE, "The vault in " + r.home()
                            + " is not initialised: run 'keyward init' first.");
                }
                String type = v.lifecycle().status().sealType();
                if ("shamir".equals(type)) {
                    throw new CliException(ExitCodes.USAGE, "A Shamir-sealed vault is unsealed share by share: "
                            + "this version of 'serve' needs a passphrase or PKCS#11 seal.");
                }
                boolean hsm = "pkcs11".equals(type);
                char[] pass = hsm ? r.secret(pinFile, "KEYWARD_PIN", "HSM PIN")
                        : r.secret(passphraseFile, "KEYWARD_PASSPHRASE", "Unseal passphrase");
                try {
                    v.lifecycle().unseal(hsm ? UnsealCredential.pin(pass) : UnsealCredential.passphrase(pass), "local");
                } finally {
                    Arrays.fill(pass, '\0');
                }
                server = KeywardServer.start(v, sc, Clock.systemUTC(), r.caPem());
            } catch (RuntimeException e) {
                v.close();
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                v.close();
            }, "keyward-shutdown"));
            r.out.println("Serving " + String.join(", ", server.urls()) + " (CA: " + r.caPem() + ")");
            r.out.flush();
            server.join();
            return ExitCodes.OK;
        }
    }

    @Command(name = "unseal", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Unseals the vault served by 'keyward serve'.")
    static final class Unseal implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--passphrase-file", paramLabel = "FILE",
                description = "The unseal passphrase (else $KEYWARD_PASSPHRASE, else a prompt).")
        Path passphraseFile;

        @Option(names = "--pin-file", paramLabel = "FILE", description = "An HSM PIN (else $KEYWARD_PIN).")
        Path pinFile;

        @Override
        public Integer call() {
            KeywardCli r = root(spec);
            char[] secret = pinFile != null || r.env.containsKey("KEYWARD_PIN") && passphraseFile == null
                    ? r.secret(pinFile, "KEYWARD_PIN", "HSM PIN")
                    : r.secret(passphraseFile, "KEYWARD_PASSPHRASE", "Unseal passphrase");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("key", new String(secret));
            Arrays.fill(secret, '\0');
            JsonNode st = r.client().expect("POST", "sys/unseal", null, body).json();
            r.print(st);
            return st.path("sealed").asBoolean(true) ? ExitCodes.UNAVAILABLE : ExitCodes.OK;
        }
    }

    @Command(name = "seal", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Seals the vault now: every key in memory is dropped.")
    static final class Seal implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            KeywardCli r = root(spec);
            r.client().expect("POST", "sys/seal", r.tokenValue(), null);
            r.out.println("Sealed.");
            return ExitCodes.OK;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Shows the seal status (exit 3 when sealed or unreachable).")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            KeywardCli r = root(spec);
            JsonNode st = r.client().expect("GET", "sys/seal-status", null, null).json();
            r.print(st);
            return st.path("sealed").asBoolean(true) ? ExitCodes.UNAVAILABLE : ExitCodes.OK;
        }
    }

    @Command(name = "ca", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "The vault's local certificate authority.", subcommands = Ca.Export.class)
    static final class Ca implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(root(spec).out);
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
                KeywardCli r = root(spec);
                Path src = r.home().resolve("tls").resolve("ca.pem");
                if (!Files.isReadable(src)) {
                    throw new CliException(ExitCodes.UNAVAILABLE, "No CA certificate in " + r.home()
                            + " yet: 'keyward serve' creates it on its first start.");
                }
                String pem = Files.readString(src, StandardCharsets.US_ASCII);
                if (outFile == null) {
                    r.out.print(pem);
                } else {
                    Files.writeString(outFile, pem, StandardCharsets.US_ASCII);
                    r.err.println("Wrote " + outFile);
                }
                return ExitCodes.OK;
            }
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
