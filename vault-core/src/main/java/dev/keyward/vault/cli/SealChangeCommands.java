package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.Pkcs11SealSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The seal-changing commands, through the endpoint (admin only, gated by approvals, audited):
 * {@code keyward key rotate-root}, {@code keyward seal migrate --to hsm|passphrase|shamir} and
 * {@code keyward operator rekey}. They re-encrypt only the keyring; records are not touched.
 */
final class SealChangeCommands {
    private SealChangeCommands() {
    }

    static final String GATED = "Gated by approvals: without a grant the vault answers with the request that waits "
            + "(exit 4); run again with --approval ID once it is approved.";

    @Command(name = "rotate-root", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = {"A new root key under the current seal (kw/key/rotate-root); the keyring is re-encrypted "
                    + "under it, records are not touched.",
                "Passphrase seal: asks the passphrase (the current one, or a new one). HSM seal: a new AES key "
                    + "on the same token (--hsm-key-label, default: the current label with a counter), logging "
                    + "in with the PIN. Shamir seal: new shares of the same count and threshold, printed once.",
                GATED})
    static final class RotateRoot implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--passphrase-file", paramLabel = "FILE",
                description = "Passphrase seal: the passphrase (else $KEYWARD_PASSPHRASE, else a prompt).")
        Path passphraseFile;

        @Option(names = "--pin-file", paramLabel = "FILE",
                description = "HSM seal: the token's user PIN (else $KEYWARD_PIN, else a prompt).")
        Path pinFile;

        @Option(names = "--hsm-key-label", paramLabel = "LABEL", description = "HSM seal: the new key's label.")
        String keyLabel;

        @Option(names = "--approval", paramLabel = "ID", description = "The approval grant to present.")
        String approval;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            r.json();
            String type = r.client().expect("GET", "sys/seal-status", null, null).json().path("type").asText();
            Map<String, Object> body = new LinkedHashMap<>();
            char[] cred = null;
            if (Pkcs11SealSpec.TYPE.equals(type)) {
                cred = r.secret(pinFile, "KEYWARD_PIN", "HSM PIN");
            } else if (PassphraseSealSpec.TYPE.equals(type)) {
                cred = r.secret(passphraseFile, "KEYWARD_PASSPHRASE", "Passphrase for the new root key");
            }
            try {
                if (cred != null) {
                    body.put("credential", new String(cred));
                }
                put(body, "key_label", keyLabel);
                put(body, "approval_id", approval);
                JsonNode d = r.data("POST", "kw/key/rotate-root", body);
                printResult(r, d, "Rotated the root key (" + d.path("seal_type").asText() + " seal): the keyring is "
                        + "encrypted under the new key.");
            } finally {
                body.clear();
                if (cred != null) {
                    Arrays.fill(cred, '\0');
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = {"Moves the vault to another seal (kw/seal/migrate): hsm, passphrase or shamir. The "
                    + "keyring is re-encrypted under the new seal's root key; the old seal stops working.",
                GATED})
    static final class Migrate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--to", required = true, paramLabel = "SEAL", description = "hsm, passphrase or shamir.")
        String to;

        @Option(names = "--passphrase-file", paramLabel = "FILE",
                description = "Passphrase seal: the new passphrase (else $KEYWARD_PASSPHRASE, else a prompt).")
        Path passphraseFile;

        @Option(names = "--hsm-library", paramLabel = "FILE", description = "HSM seal: the PKCS#11 library.")
        Path library;

        @Mixin
        HsmTokenOptions token = new HsmTokenOptions();

        @Option(names = "--hsm-slot-index", paramLabel = "N",
                description = "HSM seal: the token by its index in the slot list, when no --hsm-token-label.")
        Integer slotIndex;

        @Option(names = "--hsm-key-label", paramLabel = "LABEL",
                description = "HSM seal: the AES key's label (default " + Pkcs11SealSpec.DEFAULT_KEY_LABEL + ").")
        String keyLabel;

        @Option(names = "--pin-file", paramLabel = "FILE",
                description = "HSM seal: the token's user PIN (else $KEYWARD_PIN, else a prompt).")
        Path pinFile;

        @Option(names = "--shares", paramLabel = "N", description = "Shamir seal: how many shares.")
        Integer shares;

        @Option(names = "--threshold", paramLabel = "K", description = "Shamir seal: how many unseal.")
        Integer threshold;

        @Option(names = "--approval", paramLabel = "ID", description = "The approval grant to present.")
        String approval;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            r.json();
            String seal = to.toLowerCase(Locale.ROOT);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("to", seal);
            char[] secret = null;
            try {
                switch (seal) {
                    case "passphrase" -> {
                        secret = r.secret(passphraseFile, "KEYWARD_PASSPHRASE", "New unseal passphrase");
                        body.put("passphrase", new String(secret));
                    }
                    case "hsm" -> {
                        if (library == null) {
                            throw new CliException(ExitCodes.USAGE, "An HSM seal needs --hsm-library.");
                        }
                        token.checked();
                        put(body, "library", library.toAbsolutePath().toString());
                        put(body, "token_label", token.label);
                        put(body, "token_serial", token.serial);
                        if (slotIndex != null) {
                            body.put("slot_index", slotIndex);
                        }
                        put(body, "key_label", keyLabel);
                        secret = r.secret(pinFile, "KEYWARD_PIN", "HSM PIN");
                        body.put("pin", new String(secret));
                    }
                    case "shamir" -> {
                        if (shares == null || threshold == null) {
                            throw new CliException(ExitCodes.USAGE, "A Shamir seal needs --shares and --threshold.");
                        }
                        body.put("shares", shares);
                        body.put("threshold", threshold);
                    }
                    default -> throw new CliException(ExitCodes.USAGE, "--to is hsm, passphrase or shamir.");
                }
                put(body, "approval_id", approval);
                JsonNode d = r.data("POST", "kw/seal/migrate", body);
                printResult(r, d, "Migrated the vault to a " + d.path("seal_type").asText() + " seal.");
            } finally {
                body.clear();
                if (secret != null) {
                    Arrays.fill(secret, '\0');
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "operator", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Operator tasks on the seal: rekey the Shamir shares.",
            subcommands = {Operator.Rekey.class})
    static final class Operator extends CommandGroup {

        @Command(name = "rekey", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
                description = {"New Shamir shares (kw/seal/rekey), with a new count and threshold if wanted; the old "
                        + "shares stop working. The new shares are printed once and stored nowhere.", GATED})
        static final class Rekey implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Option(names = "--shares", required = true, paramLabel = "N", description = "How many shares (2 to 16).")
            int shares;

            @Option(names = "--threshold", required = true, paramLabel = "K", description = "How many unseal (2 to N).")
            int threshold;

            @Option(names = "--approval", paramLabel = "ID", description = "The approval grant to present.")
            String approval;

            @Override
            public Integer call() {
                KeywardCli r = KeywardCli.root(spec);
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("shares", shares);
                body.put("threshold", threshold);
                put(body, "approval_id", approval);
                JsonNode d = r.data("POST", "kw/seal/rekey", body);
                printResult(r, d, "Rekeyed: the old shares no longer unseal the vault.");
                return ExitCodes.OK;
            }
        }
    }

    private static void put(Map<String, Object> body, String key, String value) {
        if (value != null) {
            body.put(key, value);
        }
    }

    /** The answer: JSON as is, or a sentence and the new shares (shown once). */
    static void printResult(KeywardCli r, JsonNode d, String sentence) {
        if (r.json()) {
            r.print(d);
            return;
        }
        r.out.println(sentence);
        JsonNode shares = d.path("shares");
        if (shares.isArray() && shares.size() > 0) {
            r.out.println("Unseal shares: shown only now and stored nowhere. Give each to a different holder; any "
                    + d.path("threshold").asInt() + " of " + shares.size() + " unseal the vault.");
            for (int i = 0; i < shares.size(); i++) {
                r.out.println("share " + (i + 1) + ": " + shares.get(i).asText());
            }
        }
    }
}
