package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keyward login approle|cert|operator}: gets a token and saves it (0600) in the home directory. */
@Command(name = "login", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = "Logs in and saves the token in <home>/.token (mode 0600).",
        subcommands = {LoginCommands.AppRole.class, LoginCommands.Cert.class, LoginCommands.Operator.class})
final class LoginCommands extends CommandGroup {

    /** How a command obtains a fresh token (shared by login, run and inject). */
    static final class Credentials {
        @Option(names = "--role-id", paramLabel = "ID", description = "AppRole role_id (else $KEYWARD_ROLE_ID).")
        String roleId;

        @Option(names = "--secret-id-file", paramLabel = "FILE",
                description = "File holding the AppRole secret_id (else $KEYWARD_SECRET_ID).")
        Path secretIdFile;

        @Option(names = "--operator", paramLabel = "NAME", description = "Log in as this operator instead.")
        String operator;

        @Option(names = "--operator-passphrase-file", paramLabel = "FILE",
                description = "The operator's passphrase (else $KEYWARD_OPERATOR_PASSPHRASE, else a prompt).")
        Path operatorFile;

        boolean given(KeywardCli r) {
            return operator != null || roleId != null || r.env.containsKey("KEYWARD_ROLE_ID");
        }

        /** Logs in and returns the auth block. */
        JsonNode login(KeywardCli r, VaultClient c) {
            if (operator != null) {
                return Operator.login(r, c, operator, operatorFile);
            }
            String role = roleId != null ? roleId : r.env.get("KEYWARD_ROLE_ID");
            if (role == null) {
                throw new CliException(ExitCodes.USAGE, "Give --role-id (and a secret_id) or --operator.");
            }
            return AppRole.login(r, c, role, secretIdFile);
        }
    }

    static void save(KeywardCli r, JsonNode auth, boolean store) {
        if (store) {
            KeywardCli.writePrivate(r.tokenFile(), auth.path("client_token").asText().getBytes(StandardCharsets.UTF_8));
        }
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("accessor", auth.path("accessor").asText());
        shown.put("policies", auth.path("policies"));
        shown.put("lease_duration", auth.path("lease_duration").asLong());
        shown.put("renewable", auth.path("renewable").asBoolean());
        shown.put("saved_to", store ? r.tokenFile().toString() : null);
        r.print(VaultClient.JSON.valueToTree(shown));
    }

    @Command(name = "approle", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Logs in with an AppRole role_id and secret_id.")
    static final class AppRole implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--role-id", paramLabel = "ID", description = "The role_id (else --role-id-file, else $KEYWARD_ROLE_ID).")
        String roleId;

        @Option(names = "--role-id-file", paramLabel = "FILE", description = "File holding the role_id.")
        Path roleIdFile;

        @Option(names = "--secret-id-file", paramLabel = "FILE",
                description = "File holding the secret_id (else $KEYWARD_SECRET_ID).")
        Path secretIdFile;

        @Option(names = "--no-store", description = "Print nothing secret and do not save the token.")
        boolean noStore;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            String role = roleId != null ? roleId : roleIdFile != null ? new String(r.secret(roleIdFile, "", "role_id"))
                    : r.env.get("KEYWARD_ROLE_ID");
            if (role == null) {
                throw new CliException(ExitCodes.USAGE, "Give --role-id, --role-id-file or set KEYWARD_ROLE_ID.");
            }
            save(r, login(r, r.client(), role, secretIdFile), !noStore);
            return ExitCodes.OK;
        }

        static JsonNode login(KeywardCli r, VaultClient c, String roleId, Path secretIdFile) {
            char[] secret = r.secret(secretIdFile, "KEYWARD_SECRET_ID", "secret_id");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("role_id", roleId);
            body.put("secret_id", new String(secret));
            Arrays.fill(secret, '\0');
            return c.expect("POST", "auth/approle/login", null, body).json().path("auth");
        }
    }

    @Command(name = "cert", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Logs in with a TLS client certificate issued by the vault's CA.")
    static final class Cert implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--cert", required = true, paramLabel = "PEM", description = "The client certificate.")
        Path cert;

        @Option(names = "--key", required = true, paramLabel = "PEM", description = "Its private key.")
        Path key;

        @Option(names = "--name", description = "The certificate identity to use (default: the first match).")
        String name;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            VaultClient c = new VaultClient(r.addressValue(), r.caPem(), cert, key);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            save(r, c.expect("POST", "auth/cert/login", null, body).json().path("auth"), true);
            return ExitCodes.OK;
        }
    }

    @Command(name = "operator", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Logs in as an operator (name and passphrase).")
    static final class Operator implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--name", required = true, description = "The operator's name.")
        String name;

        @Option(names = "--passphrase-file", paramLabel = "FILE",
                description = "The passphrase (else $KEYWARD_OPERATOR_PASSPHRASE, else a prompt).")
        Path passphraseFile;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            save(r, login(r, r.client(), name, passphraseFile), true);
            return ExitCodes.OK;
        }

        static JsonNode login(KeywardCli r, VaultClient c, String name, Path file) {
            char[] pass = r.secret(file, "KEYWARD_OPERATOR_PASSPHRASE", "Operator passphrase");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("password", new String(pass));
            Arrays.fill(pass, '\0');
            if (!name.matches("[A-Za-z0-9._@-]{1,64}")) {
                throw new CliException(ExitCodes.USAGE, "An operator name is 1 to 64 letters, digits, '.', '_', '@' or '-'.");
            }
            return c.expect("POST", "auth/userpass/login/" + name, null, body).json().path("auth");
        }
    }
}
