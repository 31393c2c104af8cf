package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.vault.api.Pkcs11SealSpec;
import dev.keyward.vault.api.ShamirSealSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keyward unseal}, {@code seal} and {@code status}: the seal state of the vault that 'keyward serve' runs. */
final class SealCommands {
    private SealCommands() {
    }

    @Command(name = "unseal", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = {"Unseals the vault served by 'keyward serve', with what its seal needs: the passphrase, "
                    + "the HSM PIN, or Shamir shares. A service started with --wait-for-unseal (the systemd unit) "
                    + "is reached on its local socket <home>/unseal.sock, else over HTTPS.",
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

        @picocli.CommandLine.Mixin
        HsmTokenOptions token = new HsmTokenOptions();

        @Option(names = "--reset", description = "Shamir seal: forget the shares entered so far.")
        boolean reset;

        /** Where unseal keys go: the HTTPS endpoint, or the local socket of a service waiting sealed. */
        private interface Channel {
            JsonNode status();

            JsonNode reset();

            /** Sends one unseal key (wiped here), for an HSM seal with the token named, if any. */
            JsonNode submit(char[] secret, HsmTokenOptions token);
        }

        private static Channel https(VaultClient c) {
            return new Channel() {
                @Override
                public JsonNode status() {
                    return c.expect("GET", "sys/seal-status", null, null).json();
                }

                @Override
                public JsonNode reset() {
                    return c.expect("POST", "sys/unseal", null, Map.of("reset", true)).json();
                }

                @Override
                public JsonNode submit(char[] secret, HsmTokenOptions token) {
                    return Unseal.submit(c, secret, token);
                }
            };
        }

        private static Channel socket(Path home) {
            return new Channel() {
                @Override
                public JsonNode status() {
                    return UnsealSocket.call(home, KeywardCli.object());
                }

                @Override
                public JsonNode reset() {
                    return UnsealSocket.call(home, KeywardCli.object().put("reset", true));
                }

                @Override
                public JsonNode submit(char[] secret, HsmTokenOptions token) {
                    com.fasterxml.jackson.databind.node.ObjectNode req = KeywardCli.object().put("key", new String(secret));
                    if (token != null && token.label != null) {
                        req.put("token_label", token.label);
                        if (token.serial != null) {
                            req.put("token_serial", token.serial);
                        }
                    }
                    Arrays.fill(secret, '\0');
                    return UnsealSocket.call(home, req);
                }
            };
        }

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            r.json();
            // A service started with --wait-for-unseal listens on its local socket until unsealed.
            Channel c = UnsealSocket.waiting(r.home()) ? socket(r.home()) : https(r.client());
            JsonNode st = c.status();
            if (reset) {
                st = c.reset();
            } else if (st.path("sealed").asBoolean(true)) {
                String type = st.path("type").asText();
                if (ShamirSealSpec.TYPE.equals(type)) {
                    ShareInput input = new ShareInput(r, shareFiles);
                    while (st.path("sealed").asBoolean(true)) {
                        char[] share = input.next(st.path("progress").asInt(), st.path("t").asInt());
                        if (share == null) {
                            break;
                        }
                        st = c.submit(share, null);
                        if (st.path("sealed").asBoolean(true) && !r.json()) {
                            r.err.println("Share accepted: " + st.path("progress").asInt() + " of "
                                    + st.path("t").asInt() + ".");
                        }
                    }
                } else {
                    boolean hsm = Pkcs11SealSpec.TYPE.equals(type);
                    token.checked();
                    st = c.submit(hsm ? r.secret(pinFile, "KEYWARD_PIN", "HSM PIN")
                            : r.secret(passphraseFile, "KEYWARD_PASSPHRASE", "Unseal passphrase"), hsm ? token : null);
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
        private static JsonNode submit(VaultClient c, char[] secret, HsmTokenOptions token) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("key", new String(secret));
            if (token != null && token.label != null) {
                body.put("token_label", token.label);
                if (token.serial != null) {
                    body.put("token_serial", token.serial);
                }
            }
            Arrays.fill(secret, '\0');
            VaultClient.Reply reply = c.call("POST", "sys/unseal", null, body);
            body.clear();
            if (reply.status() == 400 || reply.status() == 429) { // a refused key, or the backoff after refused keys
                String msg = reply.json() != null && reply.json().path("errors").size() > 0
                        ? reply.json().path("errors").get(0).asText() : "The unseal key was refused.";
                throw new CliException(ExitCodes.DENIED, msg);
            }
            return VaultClient.check(reply).json();
        }
    }

    @Command(name = "seal", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Seals the vault now: every key in memory is dropped. 'seal migrate' moves it to another seal.",
            subcommands = {SealChangeCommands.Migrate.class})
    static final class Seal implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
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
            KeywardCli r = KeywardCli.root(spec);
            JsonNode st = r.client().expect("GET", "sys/seal-status", null, null).json();
            java.util.List<String> rotations = st.path("sealed").asBoolean(true) ? java.util.List.of()
                    : RotationCommands.attention(r);
            if (!rotations.isEmpty() && st instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
                o.set("rotation_attention", VaultClient.JSON.valueToTree(rotations));
            }
            r.print(st);
            return st.path("sealed").asBoolean(true) ? ExitCodes.UNAVAILABLE : ExitCodes.OK;
        }
    }
}
