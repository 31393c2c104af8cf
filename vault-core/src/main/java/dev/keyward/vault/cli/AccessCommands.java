package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.api.AuthMethod;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyService;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.policy.PolicyCode;
import dev.keyward.vault.api.PolicyFileException;
import dev.keyward.vault.remote.RemoteVault;
import dev.keyward.vault.server.Durations;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keyward approle ...}, {@code keyward operator ...} and {@code keyward policy list|read|write|delete}:
 * the identity and policy services of the running endpoint, called over HTTPS with this invocation's
 * token (the same services, guarded door and audit as the console's).
 */
final class AccessCommands {
    private AccessCommands() {
    }

    /** Calls the endpoint's services as this invocation's token. */
    static <T> T remote(KeywardCli r, Function<Vault, Function<Caller, T>> f) {
        String token = r.tokenValue();
        String address = r.addressValue();
        if (!address.startsWith("https://")) {
            throw new CliException(ExitCodes.USAGE, "The vault address must start with https://.");
        }
        Path ca = r.caPem();
        if (!Files.isReadable(ca)) {
            throw new CliException(ExitCodes.USAGE, "The vault's CA certificate " + ca
                    + " is not readable: run 'keyward ca export' on the vault host, or pass --ca-cert.");
        }
        try (Vault v = RemoteVault.connect(URI.create(address), ca)) {
            return f.apply(v).apply(new Caller(token, AuthMethod.TOKEN, null, null, null));
        } catch (dev.keyward.vault.api.ServiceUnavailableException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, e.getMessage());
        } catch (dev.keyward.vault.api.NotFoundException e) {
            throw new CliException(ExitCodes.REFUSED, e.getMessage() == null || e.getMessage().isBlank() ? "Not found."
                    : e.getMessage());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception closing) {
            throw new CliException(ExitCodes.INTERNAL, "The connection to the vault did not close cleanly.");
        }
    }

    static Duration duration(String option, String text) {
        if (text == null) {
            return null;
        }
        try {
            return Durations.parse(text);
        } catch (InvalidRequestException e) {
            throw new CliException(ExitCodes.USAGE, option + ": " + e.getMessage());
        }
    }

    /** A command that does one thing to one named item and says so on stderr. */
    abstract static class OnNamed implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        abstract void act(Vault v, Caller c);

        abstract String done();

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            remote(r, v -> c -> {
                act(v, c);
                return null;
            });
            r.err.println(done());
            return ExitCodes.OK;
        }
    }

    /** Prints a one-line secret on stdout, or writes it to {@code out} (0600) and says so on stderr. */
    static void emitSecret(KeywardCli r, String what, String value, Path out, ObjectNode json) {
        if (out != null) {
            KeywardCli.writePrivate(out, (value + "\n").getBytes(StandardCharsets.UTF_8));
            if (r.json()) {
                r.print(json.put("file", out.toString()));
            } else {
                r.err.println("Wrote the " + what + " to " + out + " (mode 0600).");
            }
        } else if (r.json()) {
            r.print(json);
        } else {
            r.out.println(value);
        }
    }

    // ------------------------------------------------------------------ approle

    @Command(name = "approle", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = {"AppRoles: the machine identities pipelines log in with (role_id + secret_id).",
                "A policy file's approles: section (keyward policy apply) replaces these as a whole."},
            subcommands = {AppRole.Create.class, AppRole.Read.class, AppRole.ListCmd.class, AppRole.Delete.class,
                AppRole.RoleId.class, AppRole.SecretId.class})
    static final class AppRole extends CommandGroup {

        @Command(name = "create", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Creates an AppRole (or replaces its settings; its role_id stays the same).")
        static final class Create implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Parameters(index = "0", paramLabel = "NAME")
            String name;

            @Option(names = "--policies", required = true, paramLabel = "P1,P2",
                    description = "The policies its tokens get.")
            String policies;

            @Option(names = "--token-ttl", paramLabel = "D", description = "Token lifetime, e.g. 30m (default 1h).")
            String tokenTtl;

            @Option(names = "--token-max-ttl", paramLabel = "D", description = "Renewals stop here (default 24h).")
            String tokenMaxTtl;

            @Option(names = "--token-num-uses", paramLabel = "N", description = "Uses per token (default 0 = unlimited).")
            int tokenNumUses;

            @Option(names = "--token-bound-cidrs", paramLabel = "CIDR,..", description = "Tokens work only from here.")
            String tokenCidrs;

            @Option(names = "--secret-id-ttl", paramLabel = "D", description = "secret_id lifetime (default 0 = no expiry).")
            String secretIdTtl;

            @Option(names = "--secret-id-num-uses", paramLabel = "N",
                    description = "Logins per secret_id (default 0 = unlimited).")
            int secretIdNumUses;

            @Option(names = "--secret-id-bound-cidrs", paramLabel = "CIDR,..", description = "Logins only from here.")
            String secretIdCidrs;

            @Option(names = "--owner", description = "Who answers for this identity.")
            String owner;

            @Option(names = "--description", description = "What it is for.")
            String description;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                IdentityService.AppRoleSpec s;
                try {
                    s = new IdentityService.AppRoleSpec(name, KeywardCli.split(policies), duration("--token-ttl", tokenTtl),
                            duration("--token-max-ttl", tokenMaxTtl), tokenNumUses,
                            tokenCidrs == null ? List.of() : KeywardCli.split(tokenCidrs),
                            duration("--secret-id-ttl", secretIdTtl), secretIdNumUses,
                            secretIdCidrs == null ? List.of() : KeywardCli.split(secretIdCidrs), owner, description);
                } catch (InvalidRequestException e) {
                    throw new CliException(ExitCodes.USAGE, e.getMessage());
                }
                IdentityService.AppRoleInfo info = remote(r, v -> c -> v.identities().putAppRole(c, s));
                print(r, info);
                return ExitCodes.OK;
            }
        }

        static void print(KeywardCli r, IdentityService.AppRoleInfo a) {
            IdentityService.AppRoleSpec s = a.spec();
            ObjectNode o = KeywardCli.object();
            o.put("name", a.name());
            o.put("role_id", a.roleId());
            s.policies().forEach(o.putArray("policies")::add);
            o.put("token_ttl", Durations.format(s.tokenTtl()));
            o.put("token_max_ttl", Durations.format(s.tokenMaxTtl()));
            o.put("token_num_uses", s.tokenNumUses());
            s.tokenBoundCidrs().forEach(o.putArray("token_bound_cidrs")::add);
            o.put("secret_id_ttl", Durations.format(s.secretIdTtl()));
            o.put("secret_id_num_uses", s.secretIdNumUses());
            s.secretIdBoundCidrs().forEach(o.putArray("secret_id_bound_cidrs")::add);
            o.put("owner", s.owner());
            o.put("description", s.description());
            r.print(o);
        }

        @Command(name = "read", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Shows an AppRole's settings and role_id.")
        static final class Read implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Parameters(index = "0", paramLabel = "NAME")
            String name;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                print(r, remote(r, v -> c -> v.identities().readAppRole(c, name)));
                return ExitCodes.OK;
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Lists the AppRoles by name.")
        static final class ListCmd implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                List<IdentityService.AppRoleInfo> all = remote(r, v -> c -> v.identities().listAppRoles(c));
                var names = VaultClient.JSON.createArrayNode();
                all.forEach(a -> names.add(a.name()));
                r.print(names);
                return ExitCodes.OK;
            }
        }

        @Command(name = "delete", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Deletes an AppRole, its secret_ids, and revokes every token issued through it.")
        static final class Delete extends OnNamed {
            @Override
            void act(Vault v, Caller c) {
                v.identities().deleteAppRole(c, name);
            }

            @Override
            String done() {
                return "Deleted the AppRole " + name + ".";
            }
        }

        @Command(name = "role-id", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Prints an AppRole's role_id (or writes it to --out).")
        static final class RoleId implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Parameters(index = "0", paramLabel = "NAME")
            String name;

            @Option(names = "--out", paramLabel = "FILE", description = "Write it to FILE (0600) instead.")
            Path out;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                String id = remote(r, v -> c -> v.identities().roleId(c, name));
                emitSecret(r, "role_id", id, out, KeywardCli.object().put("role_id", id));
                return ExitCodes.OK;
            }
        }

        @Command(name = "secret-id", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = {"Issues a secret_id for an AppRole and prints it (or writes it to --out, 0600).",
                    "With --wrap-ttl, prints a single-use wrapping token instead: the pipeline unwraps it "
                        + "(POST /v1/sys/wrapping/unwrap) and the secret_id itself never passes through here."})
        static final class SecretId implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Parameters(index = "0", paramLabel = "NAME")
            String name;

            @Option(names = "--wrap-ttl", paramLabel = "D", description = "Wrap it for this long, e.g. 5m (1s to 24h).")
            String wrapTtl;

            @Option(names = "--ttl", paramLabel = "D", description = "Its lifetime (default: the role's secret_id TTL).")
            String ttl;

            @Option(names = "--num-uses", paramLabel = "N", description = "Logins allowed (default: the role's).")
            Integer numUses;

            @Option(names = "--out", paramLabel = "FILE", description = "Write it to FILE (0600) instead of printing it.")
            Path out;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                IdentityService.SecretIdSpec s;
                try {
                    s = new IdentityService.SecretIdSpec(duration("--ttl", ttl), numUses, null, null,
                            duration("--wrap-ttl", wrapTtl));
                } catch (InvalidRequestException e) {
                    throw new CliException(ExitCodes.USAGE, e.getMessage());
                }
                IdentityService.SecretIdResult res = remote(r, v -> c -> v.identities().issueSecretId(c, name, s));
                ObjectNode o = KeywardCli.object();
                if (res.wrap() != null) {
                    o.put("wrapping_token", res.wrap().token());
                    o.put("wrapping_token_ttl", res.wrap().ttl().getSeconds());
                    o.put("secret_id_accessor", res.accessor());
                    emitSecret(r, "wrapping token", res.wrap().token(), out, o);
                } else {
                    o.put("secret_id", res.secretId());
                    o.put("secret_id_accessor", res.accessor());
                    o.put("secret_id_ttl", res.ttl() == null ? 0 : res.ttl().getSeconds());
                    o.put("secret_id_num_uses", res.numUses());
                    emitSecret(r, "secret_id", res.secretId(), out, o);
                }
                return ExitCodes.OK;
            }
        }
    }

    // ------------------------------------------------------------------ operator

    @Command(name = "operator", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = {"Operators: the people who administer the vault (name, passphrase, roles); and operator "
                + "tasks on the seal (rekey the Shamir shares)."},
            subcommands = {Operator.Create.class, Operator.Passwd.class, Operator.Lock.class, Operator.Unlock.class,
                Operator.ListCmd.class, SealChangeCommands.Operator.Rekey.class})
    static final class Operator extends CommandGroup {

        static char[] newPassphrase(KeywardCli r, Path file) {
            return r.secret(file, "KEYWARD_NEW_OPERATOR_PASSPHRASE", "New operator passphrase");
        }

        @Command(name = "create", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Creates an operator with roles (built-in: admin, security-engineer, auditor).")
        static final class Create implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Parameters(index = "0", paramLabel = "NAME")
            String name;

            @Option(names = "--roles", required = true, paramLabel = "R1,R2", description = "Its roles.")
            String roles;

            @Option(names = "--passphrase-file", paramLabel = "FILE",
                    description = "Its passphrase, at least 10 characters (else $KEYWARD_NEW_OPERATOR_PASSPHRASE, else a prompt).")
            Path passphraseFile;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                char[] p = newPassphrase(r, passphraseFile);
                try {
                    IdentityService.OperatorInfo o = remote(r, v -> c -> v.identities().createOperator(c, name, p,
                            KeywardCli.split(roles)));
                    print(r, List.of(o));
                } finally {
                    Arrays.fill(p, '\0');
                }
                return ExitCodes.OK;
            }
        }

        static void print(KeywardCli r, List<IdentityService.OperatorInfo> ops) {
            var arr = VaultClient.JSON.createArrayNode();
            for (IdentityService.OperatorInfo o : ops) {
                ObjectNode n = arr.addObject();
                n.put("name", o.name());
                o.roles().forEach(n.putArray("roles")::add);
                n.put("disabled", o.disabled());
                n.put("locked_until", o.lockedUntil() == null ? "" : o.lockedUntil().toString());
            }
            if (r.json()) {
                r.print(arr);
            } else {
                arr.forEach(n -> r.out.println(n.path("name").asText() + "  roles=" + n.path("roles").toString()
                        + (n.path("disabled").asBoolean() ? "  locked" : "")
                        + (n.path("locked_until").asText().isEmpty() ? "" : "  locked_until=" + n.path("locked_until").asText())));
            }
        }

        @Command(name = "passwd", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Sets an operator's passphrase and clears a lockout after failed logins.")
        static final class Passwd implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Parameters(index = "0", paramLabel = "NAME")
            String name;

            @Option(names = "--passphrase-file", paramLabel = "FILE",
                    description = "The new passphrase (else $KEYWARD_NEW_OPERATOR_PASSPHRASE, else a prompt).")
            Path passphraseFile;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                char[] p = newPassphrase(r, passphraseFile);
                try {
                    remote(r, v -> c -> {
                        v.identities().setOperatorPassphrase(c, name, p);
                        return null;
                    });
                } finally {
                    Arrays.fill(p, '\0');
                }
                r.err.println("Set the passphrase of " + name + ".");
                return ExitCodes.OK;
            }
        }

        @Command(name = "lock", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Locks an operator out: logins fail and every token it holds is revoked.")
        static final class Lock extends OnNamed {
            @Override
            void act(Vault v, Caller c) {
                v.identities().disableOperator(c, name);
            }

            @Override
            String done() {
                return "Locked " + name + " (tokens revoked).";
            }
        }

        @Command(name = "unlock", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Lets a locked operator log in again and clears a lockout after failed logins.")
        static final class Unlock extends OnNamed {
            @Override
            void act(Vault v, Caller c) {
                v.identities().enableOperator(c, name);
            }

            @Override
            String done() {
                return "Unlocked " + name + ".";
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = "Lists the operators with their roles.")
        static final class ListCmd implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                print(r, remote(r, v -> c -> v.identities().listOperators(c)));
                return ExitCodes.OK;
            }
        }
    }

    // ------------------------------------------------------------------ policy list|read|write|delete

    @Command(name = "list", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Lists the policies (built-in ones marked).")
    static final class PolicyList implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            List<PolicyService.PolicyInfo> all = remote(r, v -> c -> v.policies().list(c));
            if (r.json()) {
                var arr = VaultClient.JSON.createArrayNode();
                all.forEach(p -> arr.addObject().put("name", p.name()).put("version", p.version())
                        .put("built_in", p.builtIn()));
                r.print(arr);
            } else {
                all.forEach(p -> r.out.println(p.name() + (p.builtIn() ? "  (built-in)" : "  v" + p.version())));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "read", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Prints one policy as a policy file (what 'keyward policy write' takes).")
    static final class PolicyRead implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            PolicyService.PolicyInfo p = remote(r, v -> c -> v.policies().read(c, name));
            if (p.policy() == null) {
                throw new CliException(ExitCodes.REFUSED, "The policy " + name + " was deleted.");
            }
            String yaml = PolicyCode.export(new PolicyCode.State(List.of(p.policy()), null, null, null, null));
            if (r.json()) {
                r.print(KeywardCli.object().put("name", p.name()).put("version", p.version()).put("yaml", yaml));
            } else {
                r.out.print(yaml);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "write", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = {"Creates or changes one policy from a file (a new version); other policies, roles and "
                    + "identities are left alone.",
                "The file is a policy file with that one policy, as 'keyward policy read' prints it:",
                "  keyward: 1",
                "  policies:",
                "  - name: ci-read",
                "    rules:",
                "    - path: secret/ci/*",
                "      capabilities: [read]",
                "      owner: platform-team",
                "      justification: pipelines read their secrets",
                "      expires: 2027-06-30T00:00:00Z"})
    static final class PolicyWrite implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "FILE")
        Path file;

        @Option(names = "--reason", description = "Why (recorded with the new version).")
        String reason;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            Policy policy = parseOne(file, name);
            PolicyService.PolicyInfo p = remote(r, v -> c -> v.policies().put(c, policy,
                    reason == null ? "written with keyward policy write" : reason));
            r.print(KeywardCli.object().put("name", p.name()).put("version", p.version()));
            return ExitCodes.OK;
        }

        static Policy parseOne(Path file, String name) {
            String yaml;
            try {
                yaml = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CliException(ExitCodes.USAGE, "The file " + file + " could not be read.");
            }
            PolicyCode.State st;
            try {
                st = PolicyCode.parse(yaml);
            } catch (PolicyFileException e) {
                throw new CliException(ExitCodes.USAGE, file + ": " + e.getMessage());
            } catch (InvalidRequestException | IllegalArgumentException e) {
                throw new CliException(ExitCodes.USAGE, file + ": " + e.getMessage());
            }
            if (st.roles() != null || st.operators() != null || st.approles() != null || st.certs() != null) {
                throw new CliException(ExitCodes.USAGE, file + " has more than policies: use 'keyward policy apply' "
                        + "for a whole policy file.");
            }
            if (st.policies() == null || st.policies().size() != 1) {
                throw new CliException(ExitCodes.USAGE, file + " must hold exactly one policy (under policies:).");
            }
            Policy p = st.policies().get(0);
            if (!p.name().equals(name)) {
                throw new CliException(ExitCodes.USAGE, file + " holds the policy '" + p.name() + "', not '" + name + "'.");
            }
            return p;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Deletes a policy (its history stays readable); roles and identities naming it lose it.")
    static final class PolicyDelete implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--reason", description = "Why (recorded with the deletion).")
        String reason;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            remote(r, v -> c -> {
                v.policies().delete(c, name, reason == null ? "deleted with keyward policy delete" : reason);
                return null;
            });
            r.err.println("Deleted the policy " + name + ".");
            return ExitCodes.OK;
        }
    }
}
