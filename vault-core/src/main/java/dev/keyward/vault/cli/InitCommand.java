package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.InitRequest;
import dev.keyward.vault.api.InitResult;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.Pkcs11SealSpec;
import dev.keyward.vault.api.SealSpec;
import dev.keyward.vault.api.ShamirSealSpec;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keyward init}: creates the vault with its seal and first admin (it owns the directory while it runs). */
@Command(name = "init", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = {"Creates a new vault in the home directory with a first admin operator. The vault is "
                + "sealed afterwards.",
            "Seals: a passphrase (default); an HSM key (--hsm-library ...: the root key is a non-extractable "
                + "AES key on a PKCS#11 token, the PIN is asked at every unseal and never stored); or Shamir "
                + "shares (--shares N --threshold K: printed once, never stored; any K of them unseal)."})
final class InitCommand implements Callable<Integer> {
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
            description = "HSM seal: the token's slot id (default: the first slot, see --hsm-slot-index); "
                    + "seal.json records the label and serial of the token found there, not the slot.")
    Long hsmSlot;

    @Option(names = "--hsm-slot-index", paramLabel = "N",
            description = "HSM seal: the token's index in the library's slot list, when no --hsm-slot (default 0).")
    Integer hsmSlotIndex;

    @picocli.CommandLine.Mixin
    HsmTokenOptions token = new HsmTokenOptions();

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
        KeywardCli r = KeywardCli.root(spec);
        boolean json = r.json();
        boolean hsm = hsmLibrary != null;
        boolean shamir = shares != null || threshold != null;
        if (hsm && shamir) {
            throw new CliException(ExitCodes.USAGE, "Choose one seal: --hsm-library (HSM) or --shares and "
                    + "--threshold (Shamir), not both.");
        }
        if (!hsm && (hsmSlot != null || hsmSlotIndex != null || hsmKeyLabel != null || pinFile != null
                || token.given())) {
            throw new CliException(ExitCodes.USAGE, "--hsm-slot, --hsm-slot-index, --hsm-token-label, "
                    + "--hsm-token-serial, --hsm-key-label and --pin-file belong to an HSM seal: add --hsm-library.");
        }
        if (token.checked().label != null && (hsmSlot != null || hsmSlotIndex != null)) {
            throw new CliException(ExitCodes.USAGE, "Choose the token once: by --hsm-token-label, or by --hsm-slot "
                    + "or --hsm-slot-index.");
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
            boolean fresh = empty(r.home());
            try (Vault v = Keyward.open(VaultOptions.at(r.home()));
                 InitRequest req = new InitRequest(seal, admin, adminPass, kdf)) {
                result = v.lifecycle().init(req);
            } catch (RuntimeException e) {
                if (fresh && !Keyward.initialized(r.home())) {
                    removeWhatInitLeft(r.home()); // nothing half-made stays behind: init can simply be run again
                }
                throw e;
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

    private static boolean empty(Path dir) {
        if (!java.nio.file.Files.isDirectory(dir)) {
            return true;
        }
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
            return files.findAny().isEmpty();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** After a failed init in a directory that was empty: removes the files the attempt created. */
    private static void removeWhatInitLeft(Path dir) {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.deleteIfExists(f);
            }
        } catch (java.io.IOException e) {
            // what is left is named by the error the caller reports; a retry of init overwrites it
        }
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
                        hsmSlotIndex == null ? 0 : hsmSlotIndex, token.label, token.serial,
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
            ObjectNode o = KeywardCli.object();
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
