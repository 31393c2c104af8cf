package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.HsmUnavailableException;
import dev.keyward.vault.api.InitRequest;
import dev.keyward.vault.api.InitResult;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Pkcs11SealSpec;
import dev.keyward.vault.api.SealSpec;
import dev.keyward.vault.api.ShamirSealSpec;
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
            KeywardCli.Ca.class, AdminCommands.Cert.class, AdminCommands.Policy.class, AdminCommands.Audit.class, InjectCommands.Run.class, InjectCommands.Inject.class, ScanCommand.class,
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
        return new VaultClient(addressValue(), caPem(), null, null);
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
            description = {"Creates a new vault in the home directory with a first admin operator. The vault is "
                    + "sealed afterwards.",
                "Seals: a passphrase (default); an HSM key (--hsm-library ...: the root key is a non-extractable "
                    + "AES key on a PKCS#11 token, the PIN is asked at every unseal and never stored); or Shamir "
                    + "shares (--shares N --threshold K: printed once, never stored; any K of them unseal)."})
    static final class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--admin", defaultValue = "admin", description = "The first admin operator's name.")
        String admin;

        @Option(names = "--passphrase-file", paramLabel = "FILE",
                description = "Passphrase seal: the unseal passphrase (else $KEYWARD_PASSPHRASE, else a prompt).")
        Path passphraseFile;

        @Option(names = "--admin-passphrase-file", paramLabel = "FILE",
                description = "The admin's login passphrase (else $KEYWARD_ADMIN_PASSPHRASE, else a prompt).")
        Path adminFile;

        @Option(names = "--hsm-library", paramLabel = "FILE",
                description = "HSM seal: the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so.")
        Path hsmLibrary;

        @Option(names = "--hsm-slot", paramLabel = "ID",
                description = "HSM seal: the token's slot id (default: the first slot, see --hsm-slot-index).")
        Long hsmSlot;

        @Option(names = "--hsm-slot-index", paramLabel = "N",
                description = "HSM seal: the token's index in the library's slot list, when no --hsm-slot (default 0).")
        Integer hsmSlotIndex;

        @Option(names = "--hsm-key-label", paramLabel = "LABEL",
                description = "HSM seal: the AES key's label; an existing key is used, else one is generated "
                        + "(default: " + Pkcs11SealSpec.DEFAULT_KEY_LABEL + ").")
        String hsmKeyLabel;

        @Option(names = "--pin-file", paramLabel = "FILE",
                description = "HSM seal: the token's user PIN (else $KEYWARD_PIN, else a prompt).")
        Path pinFile;

        @Option(names = "--shares", paramLabel = "N", description = "Shamir seal: how many shares (2 to 16).")
        Integer shares;

        @Option(names = "--threshold", paramLabel = "K", description = "Shamir seal: how many shares unseal (2 to N).")
        Integer threshold;

        @Option(names = "--insecure-fast-kdf", hidden = true, description = "Cheap Argon2id (tests only).")
        boolean fastKdf;

        @Override
        public Integer call() {
            KeywardCli r = root(spec);
            boolean json = r.json();
            boolean hsm = hsmLibrary != null;
            boolean shamir = shares != null || threshold != null;
            if (hsm && shamir) {
                throw new CliException(ExitCodes.USAGE, "Choose one seal: --hsm-library (HSM) or --shares and "
                        + "--threshold (Shamir), not both.");
            }
            if (!hsm && (hsmSlot != null || hsmSlotIndex != null || hsmKeyLabel != null || pinFile != null)) {
                throw new CliException(ExitCodes.USAGE, "--hsm-slot, --hsm-slot-index, --hsm-key-label and "
                        + "--pin-file belong to an HSM seal: add --hsm-library.");
            }
            if (shamir && (shares == null || threshold == null)) {
                throw new CliException(ExitCodes.USAGE, "A Shamir seal needs both --shares and --threshold.");
            }
            if ((hsm || shamir) && passphraseFile != null) {
                throw new CliException(ExitCodes.USAGE, "--passphrase-file belongs to the passphrase seal.");
            }
            Argon2Parameters kdf = fastKdf ? Argon2Parameters.insecureForTests() : Argon2Parameters.DEFAULT;
            InitResult result;
            char[] adminPass = null;
            SealSpec seal = null;
            try {
                seal = sealSpec(r, hsm, shamir, kdf);
                adminPass = r.secret(adminFile, "KEYWARD_ADMIN_PASSPHRASE", "Admin passphrase");
                try (Vault v = Keyward.open(VaultOptions.at(r.home()));
                     InitRequest req = new InitRequest(seal, admin, adminPass, kdf)) {
                    result = v.lifecycle().init(req);
                }
            } catch (InvalidRequestException e) {
                throw new CliException(ExitCodes.USAGE, e.getMessage());
            } finally {
                if (adminPass != null) {
                    Arrays.fill(adminPass, '\0');
                }
                wipe(seal);
            }
            print(r, json, result);
            return ExitCodes.OK;
        }

        private static void wipe(SealSpec seal) {
            if (seal instanceof Pkcs11SealSpec p) {
                p.close();
            } else if (seal instanceof PassphraseSealSpec p) {
                p.close();
            }
        }

        private SealSpec sealSpec(KeywardCli r, boolean hsm, boolean shamir, Argon2Parameters kdf) {
            if (shamir) {
                return new ShamirSealSpec(shares, threshold);
            }
            if (hsm) {
                char[] pin = r.secret(pinFile, "KEYWARD_PIN", "HSM user PIN");
                try {
                    return new Pkcs11SealSpec(hsmLibrary.toAbsolutePath(), hsmSlot,
                            hsmSlotIndex == null ? 0 : hsmSlotIndex,
                            hsmKeyLabel == null ? Pkcs11SealSpec.DEFAULT_KEY_LABEL : hsmKeyLabel, pin);
                } finally {
                    Arrays.fill(pin, '\0');
                }
            }
            char[] pass = r.secret(passphraseFile, "KEYWARD_PASSPHRASE", "Unseal passphrase");
            try {
                return new PassphraseSealSpec(pass, kdf);
            } finally {
                Arrays.fill(pass, '\0');
            }
        }

        private static void print(KeywardCli r, boolean json, InitResult result) {
            if (json) {
                ObjectNode o = object();
                o.put("home", r.home().toString());
                o.put("seal_type", result.sealType());
                o.put("sealed", true);
                if (!result.unsealShares().isEmpty()) {
                    o.put("threshold", result.threshold());
                    result.unsealShares().forEach(o.putArray("shares")::add);
                }
                r.print(o);
                return;
            }
            r.out.println("Initialised the vault in " + r.home() + " with a " + result.sealType() + " seal (sealed).");
            if (!result.unsealShares().isEmpty()) {
                r.out.println("Unseal shares: shown only now and stored nowhere. Give each to a different holder; any "
                        + result.threshold() + " of " + result.unsealShares().size() + " unseal the vault.");
                for (int i = 0; i < result.unsealShares().size(); i++) {
                    r.out.println("share " + (i + 1) + ": " + result.unsealShares().get(i));
                }
            }
            r.out.println("Next: keyward serve");
        }
    }

    /**
     * Unseal shares one at a time: from {@code --share-file} files (one share per non-empty line;
     * {@code -} is standard input), else from standard input when it is not a terminal, else
     * asked for on the terminal.
     */
    static final class ShareInput {
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

    @Command(name = "serve", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = {"Owns the vault directory, unseals it and runs the HTTPS endpoint until stopped.",
                "The TLS key of the endpoint's CA is sealed in the vault, so the vault is unsealed before the "
                    + "endpoint listens: with the passphrase, the HSM PIN, or Shamir shares (one at a time, "
                    + "with progress). If it seals later, 'keyward unseal' unseals it through the endpoint."})
    static final class Serve implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--port", description = "TCP port (default: the config file, else 8210).")
        Integer port;

        @Option(names = "--passphrase-file", paramLabel = "FILE",
                description = "The unseal passphrase (else $KEYWARD_PASSPHRASE, else a prompt).")
        Path passphraseFile;

        @Option(names = "--pin-file", paramLabel = "FILE", description = "The HSM PIN for a PKCS#11 seal (else $KEYWARD_PIN, else a prompt).")
        Path pinFile;

        @Option(names = "--share-file", paramLabel = "FILE",
                description = "Shamir seal: a file of unseal shares, one per line ('-' = standard input); repeatable. "
                        + "Without it, shares are read from standard input, or asked for on a terminal.")
        List<Path> shareFiles;

        /** A running endpoint and the vault it owns. */
        record Running(Vault vault, KeywardServer server) implements AutoCloseable {
            @Override
            public void close() {
                server.close();
                vault.close();
            }
        }

        @Override
        public Integer call() throws Exception {
            KeywardCli r = root(spec);
            r.json(); // a bad -o is a usage error before the vault is opened
            Running running = start();
            Runtime.getRuntime().addShutdownHook(new Thread(running::close, "keyward-shutdown"));
            if (r.json()) {
                ObjectNode o = object();
                running.server().urls().forEach(o.putArray("urls")::add);
                r.print(o.put("ca_cert", r.caPem().toString()));
            } else {
                r.out.println("Serving " + String.join(", ", running.server().urls()) + " (CA: " + r.caPem() + ")");
            }
            r.out.flush();
            running.server().join();
            return ExitCodes.OK;
        }

        /** Opens and unseals the vault and starts the endpoint. */
        Running start() {
            KeywardCli r = root(spec);
            CliConfig cfg = r.config();
            ServerConfig sc = cfg.server(port);
            Vault v = Keyward.open(VaultOptions.at(r.home()).withAutoSealAfter(cfg.autoSeal()));
            try {
                VaultStatus st = v.lifecycle().status();
                if (!st.initialized()) {
                    throw new CliException(ExitCodes.UNAVAILABLE, "The vault in " + r.home()
                            + " is not initialised: run 'keyward init' first.");
                }
                if (ShamirSealSpec.TYPE.equals(st.sealType())) {
                    unsealWithShares(r, v, new ShareInput(r, shareFiles));
                } else {
                    boolean hsm = Pkcs11SealSpec.TYPE.equals(st.sealType());
                    char[] pass = hsm ? r.secret(pinFile, "KEYWARD_PIN", "HSM PIN")
                            : r.secret(passphraseFile, "KEYWARD_PASSPHRASE", "Unseal passphrase");
                    try {
                        v.lifecycle().unseal(hsm ? UnsealCredential.pin(pass) : UnsealCredential.passphrase(pass),
                                Caller.LOCAL);
                    } finally {
                        Arrays.fill(pass, '\0');
                    }
                }
                return new Running(v, KeywardServer.start(v, sc, Clock.systemUTC(), r.caPem()));
            } catch (RuntimeException e) {
                v.close();
                throw e;
            }
        }

        private static void unsealWithShares(KeywardCli r, Vault v, ShareInput input) {
            VaultStatus st = v.lifecycle().status();
            while (st.sealed()) {
                char[] share = input.next(st.progress(), st.threshold());
                if (share == null) {
                    throw new CliException(ExitCodes.UNAVAILABLE, "The vault is still sealed: "
                            + (st.threshold() - st.progress()) + " more share(s) needed.");
                }
                try {
                    st = v.lifecycle().unseal(UnsealCredential.share(share), Caller.LOCAL);
                } catch (InvalidRequestException e) {
                    throw new CliException(ExitCodes.DENIED, e.getMessage());
                } finally {
                    Arrays.fill(share, '\0');
                }
                if (st.sealed()) {
                    r.err.println("Share accepted: " + st.progress() + " of " + st.threshold() + ".");
                }
            }
        }
    }

    @Command(name = "unseal", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = {"Unseals the vault served by 'keyward serve', with what its seal needs: the passphrase, "
                    + "the HSM PIN, or Shamir shares.",
                "Shares are sent one at a time and progress is shown; the endpoint keeps the progress, so holders "
                    + "may run this one after another. Exit 0 when unsealed, 3 while still sealed."})
    static final class Unseal implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--passphrase-file", paramLabel = "FILE",
                description = "Passphrase seal: the unseal passphrase (else $KEYWARD_PASSPHRASE, else a prompt).")
        Path passphraseFile;

        @Option(names = "--pin-file", paramLabel = "FILE",
                description = "HSM seal: the token's user PIN (else $KEYWARD_PIN, else a prompt).")
        Path pinFile;

        @Option(names = "--share-file", paramLabel = "FILE",
                description = "Shamir seal: a file of shares, one per line ('-' = standard input); repeatable. "
                        + "Without it, shares are read from standard input, or asked for on a terminal.")
        List<Path> shareFiles;

        @Option(names = "--reset", description = "Shamir seal: forget the shares entered so far.")
        boolean reset;

        @Override
        public Integer call() {
            KeywardCli r = root(spec);
            r.json();
            VaultClient c = r.client();
            JsonNode st = c.expect("GET", "sys/seal-status", null, null).json();
            if (reset) {
                st = c.expect("POST", "sys/unseal", null, Map.of("reset", true)).json();
            } else if (st.path("sealed").asBoolean(true)) {
                String type = st.path("type").asText();
                if (ShamirSealSpec.TYPE.equals(type)) {
                    ShareInput input = new ShareInput(r, shareFiles);
                    while (st.path("sealed").asBoolean(true)) {
                        char[] share = input.next(st.path("progress").asInt(), st.path("t").asInt());
                        if (share == null) {
                            break;
                        }
                        st = submit(c, share);
                        if (st.path("sealed").asBoolean(true) && !r.json()) {
                            r.err.println("Share accepted: " + st.path("progress").asInt() + " of "
                                    + st.path("t").asInt() + ".");
                        }
                    }
                } else {
                    boolean hsm = Pkcs11SealSpec.TYPE.equals(type);
                    st = submit(c, hsm ? r.secret(pinFile, "KEYWARD_PIN", "HSM PIN")
                            : r.secret(passphraseFile, "KEYWARD_PASSPHRASE", "Unseal passphrase"));
                }
            }
            r.print(st);
            if (st.path("sealed").asBoolean(true)) {
                if (!reset && !r.json()) {
                    r.err.println("Still sealed: " + (st.path("t").asInt() - st.path("progress").asInt())
                            + " more share(s) needed.");
                }
                return ExitCodes.UNAVAILABLE;
            }
            return ExitCodes.OK;
        }

        /** Sends one unseal secret (wiped here); a refused one is bad credentials (exit 4). */
        private static JsonNode submit(VaultClient c, char[] secret) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("key", new String(secret));
            Arrays.fill(secret, '\0');
            VaultClient.Reply reply = c.call("POST", "sys/unseal", null, body);
            body.clear();
            if (reply.status() == 400) {
                String msg = reply.json() != null && reply.json().path("errors").size() > 0
                        ? reply.json().path("errors").get(0).asText() : "The unseal key was refused.";
                throw new CliException(ExitCodes.DENIED, msg);
            }
            return VaultClient.check(reply).json();
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
            r.send("POST", "sys/seal", null);
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
                if (outFile == null && r.json()) {
                    r.print(object().put("pem", pem));
                } else if (outFile == null) {
                    r.out.print(pem);
                } else {
                    Files.writeString(outFile, pem, StandardCharsets.US_ASCII);
                    if (r.json()) {
                        r.print(object().put("file", outFile.toString()));
                    } else {
                        r.err.println("Wrote " + outFile);
                    }
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
