package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.SecretPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keyward kv ...} and {@code keyward token ...}: thin clients of the HTTPS endpoint. */
@Command(name = "kv", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = {"Versioned secrets at secret/ (KV v2).",
            "Paths are inside the secret/ mount: 'ci/db' and 'secret/ci/db' (as the Vault CLI writes it) are the same."},
        subcommands = {KvCommands.Get.class, KvCommands.Put.class, KvCommands.Patch.class, KvCommands.ListCmd.class,
            KvCommands.Delete.class, KvCommands.Undelete.class, KvCommands.Destroy.class, KvCommands.Metadata.class})
final class KvCommands extends CommandGroup {

    /**
     * A path in the secret/ mount. The mount prefix is implied, and accepted as the Vault CLI writes
     * it: {@code secret/ci/x} is {@code ci/x}.
     */
    static String path(String p) {
        try {
            return SecretPaths.validateSecretPath(withoutMount(SecretPaths.normalize(p)));
        } catch (InvalidRequestException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage());
        }
    }

    static String withoutMount(String p) {
        return p != null && p.startsWith("secret/") ? p.substring("secret/".length()) : p;
    }

    /** key=value, key=@file (the file's content). */
    static Map<String, String> pairs(List<String> args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new CliException(ExitCodes.USAGE, "Fields are given as key=value or key=@file.");
            }
            String k = a.substring(0, eq);
            String v = a.substring(eq + 1);
            if (v.startsWith("@")) {
                try {
                    v = Files.readString(Path.of(v.substring(1)), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new CliException(ExitCodes.USAGE, "The file for field " + k + " could not be read.");
                }
            }
            out.put(k, v);
        }
        return out;
    }

    static List<Integer> versions(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String s : KeywardCli.split(csv)) {
            try {
                out.add(Integer.parseInt(s));
            } catch (NumberFormatException e) {
                throw new CliException(ExitCodes.USAGE, "Versions are numbers separated by commas.");
            }
        }
        return out;
    }

    // No standard help mixin here: its --version would clash with the secret version option.
    @Command(name = "get", footer = ExitCodes.HELP,
            description = "Reads a secret (all fields, or one with --field).")
    static final class Get implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Parameters(index = "0", paramLabel = "PATH")
        String path;

        @Option(names = "--version", description = "A version (default: the current one).")
        Integer version;

        @Option(names = "--field", description = "Print only this field's value.")
        String field;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            String q = version == null ? "" : "?version=" + version;
            JsonNode j = VaultClient.check(r.client().call("GET", "secret/data/" + path(path) + q, r.tokenValue(),
                    null)).json();
            JsonNode data = j.path("data").path("data");
            if (field != null) {
                if (!data.has(field)) {
                    throw new CliException(ExitCodes.REFUSED, "The secret has no field named " + field + ".");
                }
                r.out.println(data.get(field).asText());
                return ExitCodes.OK;
            }
            r.print(r.json() ? j.path("data") : data);
            return ExitCodes.OK;
        }
    }

    /** The body of a put or patch: {@code data} from KEY=VALUE pairs, and {@code options.cas} if given. */
    private static ObjectNode writeBody(List<String> fields, Integer cas) {
        ObjectNode body = KeywardCli.object();
        body.set("data", VaultClient.JSON.valueToTree(pairs(fields)));
        if (cas != null) {
            body.putObject("options").put("cas", cas);
        }
        return body;
    }

    @Command(name = "put", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Writes a new version: keyward kv put PATH key=value [key=@file]...")
    static final class Put implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "PATH")
        String path;

        @Parameters(index = "1..*", paramLabel = "KEY=VALUE", arity = "1..*")
        List<String> fields;

        @Option(names = "--cas", description = "Write only if the current version is this (0 = only if new).")
        Integer cas;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            r.print(r.data("POST", "secret/data/" + path(path), writeBody(fields, cas)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "patch", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Changes some fields of the current version, giving a new version.")
    static final class Patch implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "PATH")
        String path;

        @Parameters(index = "1..*", paramLabel = "KEY=VALUE", arity = "1..*")
        List<String> fields;

        @Option(names = "--cas", description = "Patch only if the current version is this.")
        Integer cas;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            r.print(VaultClient.check(r.client().call("PATCH", "secret/data/" + path(path), r.tokenValue(),
                    writeBody(fields, cas), "application/merge-patch+json")).json().path("data"));
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Lists the names under a folder (folders end in '/').")
    static final class ListCmd implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", paramLabel = "FOLDER", defaultValue = "")
        String folder;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            String f = withoutMount(SecretPaths.normalize(folder));
            if (f.equals("secret")) {
                f = "";
            }
            VaultClient.Reply reply = r.client().call("LIST", "secret/metadata/" + f, r.tokenValue(), null);
            if (reply.status() == 404) {
                r.print(VaultClient.JSON.createArrayNode());
                return ExitCodes.OK;
            }
            r.print(VaultClient.check(reply).json().path("data").path("keys"));
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Soft-deletes the current version, or --versions.")
    static final class Delete implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "PATH")
        String path;

        @Option(names = "--versions", paramLabel = "N,M", description = "Versions to delete.")
        String versions;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            if (versions == null) {
                r.send("DELETE", "secret/data/" + path(path), null);
            } else {
                r.send("POST", "secret/delete/" + path(path), Map.of("versions", versions(versions)));
            }
            r.err.println("Deleted.");
            return ExitCodes.OK;
        }
    }

    /** A command on given versions of a secret: one POST route and one confirmation. */
    abstract static class VersionsCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "PATH")
        String path;

        @Option(names = "--versions", required = true, paramLabel = "N,M", description = "The versions, e.g. 1,2.")
        String versions;

        abstract String route();

        abstract String done();

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            r.send("POST", route() + path(path), Map.of("versions", versions(versions)));
            r.err.println(done());
            return ExitCodes.OK;
        }
    }

    @Command(name = "undelete", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Restores soft-deleted versions.")
    static final class Undelete extends VersionsCommand {
        @Override
        String route() {
            return "secret/undelete/";
        }

        @Override
        String done() {
            return "Restored.";
        }
    }

    @Command(name = "destroy", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Destroys versions for good.")
    static final class Destroy extends VersionsCommand {
        @Override
        String route() {
            return "secret/destroy/";
        }

        @Override
        String done() {
            return "Destroyed.";
        }
    }

    @Command(name = "metadata", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "A secret's metadata: get, put, delete (delete removes every version).")
    static final class Metadata implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ACTION", description = "get, put or delete")
        String action;

        @Parameters(index = "1", paramLabel = "PATH")
        String path;

        @Option(names = "--max-versions", paramLabel = "N", description = "How many versions to keep (put).")
        Integer maxVersions;

        @Option(names = "--cas-required", paramLabel = "BOOL", description = "Writes must give --cas (put).")
        Boolean casRequired;

        @Option(names = "--delete-version-after", paramLabel = "DURATION", description = "e.g. 0s, 30m, 24h")
        String deleteAfter;

        @Option(names = "--custom", paramLabel = "KEY=VALUE", description = "Custom metadata (replaces all).")
        List<String> custom;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            String p = "secret/metadata/" + path(path);
            switch (action) {
                case "get" -> r.print(r.data("GET", p, null));
                case "put" -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    if (maxVersions != null) {
                        body.put("max_versions", maxVersions);
                    }
                    if (casRequired != null) {
                        body.put("cas_required", casRequired);
                    }
                    if (deleteAfter != null) {
                        body.put("delete_version_after", deleteAfter);
                    }
                    if (custom != null) {
                        body.put("custom_metadata", pairs(custom));
                    }
                    r.send("POST", p, body);
                    r.err.println("Updated.");
                }
                case "delete" -> {
                    r.send("DELETE", p, null);
                    r.err.println("Removed every version.");
                }
                default -> throw new CliException(ExitCodes.USAGE, "The metadata action is get, put or delete.");
            }
            return ExitCodes.OK;
        }
    }

    // ------------------------------------------------------------------ tokens

    @Command(name = "token", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "The current token: lookup, renew, revoke.",
            subcommands = {Token.Lookup.class, Token.Renew.class, Token.Revoke.class})
    static final class Token extends CommandGroup {

        @Command(name = "lookup", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Shows the token's identity, policies and expiry.")
        static final class Lookup implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                ObjectNode d = (ObjectNode) r.data("GET", "auth/token/lookup-self", null).deepCopy();
                d.remove("id");
                r.print(d);
                return ExitCodes.OK;
            }
        }

        @Command(name = "renew", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Extends the token (never past its max TTL).")
        static final class Renew implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Option(names = "--increment", paramLabel = "DURATION", description = "e.g. 30m, 1h")
            String increment;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                Map<String, Object> body = new LinkedHashMap<>();
                if (increment != null) {
                    body.put("increment", increment);
                }
                ObjectNode a = (ObjectNode) r.send("POST", "auth/token/renew-self", body)
                        .json().path("auth").deepCopy();
                a.remove("client_token");
                r.print(a);
                return ExitCodes.OK;
            }
        }

        @Command(name = "revoke", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Revokes the token now and forgets the saved copy.")
        static final class Revoke implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Override
            public Integer call() throws IOException {
                KeywardCli r = KeywardCli.root(spec);
                r.send("POST", "auth/token/revoke-self", null);
                if (r.token == null && !r.env.containsKey("KEYWARD_TOKEN")) {
                    Files.deleteIfExists(r.tokenFile());
                }
                r.err.println("Revoked.");
                return ExitCodes.OK;
            }
        }
    }
}
