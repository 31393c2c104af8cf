package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.BackupInfo;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Pkcs11SealSpec;
import dev.keyward.vault.api.ShamirSealSpec;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.Vault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keyward backup} (and {@code backup inspect}) and {@code keyward restore}: see docs/backup.md. */
final class BackupCommands {
    private BackupCommands() {
    }

    /** How the backup is protected, and the unseal material of a vault this process opens. */
    static final class Material {
        @Option(names = "--passphrase-file", paramLabel = "FILE",
                description = "Protect the backup with a separate backup passphrase read from FILE (else "
                        + "$KEYWARD_BACKUP_PASSPHRASE with --protect passphrase, else a prompt).")
        Path backupPassphraseFile;

        @Option(names = "--unseal-passphrase-file", paramLabel = "FILE",
                description = "Passphrase seal: the vault's unseal passphrase (else $KEYWARD_PASSPHRASE, else a prompt).")
        Path unsealPassphraseFile;

        @Option(names = "--pin-file", paramLabel = "FILE",
                description = "HSM seal: the token's user PIN (else $KEYWARD_PIN, else a prompt).")
        Path pinFile;

        @Option(names = "--share-file", paramLabel = "FILE",
                description = "Shamir seal: a file of unseal shares, one per line ('-' = standard input); repeatable.")
        List<Path> shareFiles;
    }

    static char[] backupPassphrase(KeywardCli r, Path file) {
        return r.secret(file, "KEYWARD_BACKUP_PASSPHRASE", "Backup passphrase");
    }

    @Command(name = "backup", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            subcommands = BackupCommands.Inspect.class,
            description = {"Writes an encrypted backup of the vault to a new file: a consistent snapshot taken while "
                    + "the vault serves, with a SHA-256 of its contents and the latest signed audit head.",
                "When 'keyward serve' runs, the service takes it (the file is written on the vault host; the token "
                    + "needs admin on sys/backup). When none runs, this command opens the vault directory itself, "
                    + "unseals it with its unseal material and takes it as the owner.",
                "--protect unseal (default): only the same unseal material (passphrase, HSM PIN, shares) restores it. "
                    + "--protect passphrase: a separate backup passphrase (Argon2id) restores it.",
                "Restore with 'keyward restore FILE' into an empty directory."})
    static final class Backup implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", paramLabel = "FILE", description = "The backup file; must not exist yet.")
        Path out;

        @Option(names = "--protect", paramLabel = "HOW", defaultValue = BackupInfo.FOR_UNSEAL,
                description = "unseal (default) or passphrase.")
        String protect;

        @picocli.CommandLine.ArgGroup(exclusive = false)
        Material material = new Material();

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            r.json();
            if (out == null) {
                throw new CliException(ExitCodes.USAGE, "Name the backup file: keyward backup --out FILE.");
            }
            boolean withPassphrase = material.backupPassphraseFile != null || protect.equals(BackupInfo.FOR_PASSPHRASE);
            if (!withPassphrase && !protect.equals(BackupInfo.FOR_UNSEAL)) {
                throw new CliException(ExitCodes.USAGE, "--protect is 'unseal' or 'passphrase'.");
            }
            Path file = out.toAbsolutePath().normalize();
            char[] pass = withPassphrase ? backupPassphrase(r, material.backupPassphraseFile) : null;
            try {
                JsonNode d;
                if (serviceAnswers(r)) {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("path", file.toString());
                    if (pass != null) {
                        body.put("passphrase", new String(pass));
                    }
                    d = r.data("POST", "kw/backup", body);
                    body.clear();
                } else {
                    d = direct(r, file, pass == null ? null : pass.clone());
                }
                r.print(d);
                return ExitCodes.OK;
            } finally {
                if (pass != null) {
                    Arrays.fill(pass, '\0');
                }
            }
        }

        /** Whether a service answers for this home (else the vault directory is opened here). */
        private static boolean serviceAnswers(KeywardCli r) {
            if (!Files.isReadable(r.caPem())) {
                return false; // never served: no CA to pin
            }
            try {
                r.client().expect("GET", "sys/seal-status", null, null);
                return true;
            } catch (CliException e) {
                if (e.exitCode() == ExitCodes.UNAVAILABLE && Keyward.initialized(r.home())) {
                    return false;
                }
                throw e;
            }
        }

        private JsonNode direct(KeywardCli r, Path file, char[] pass) {
            if (!Keyward.initialized(r.home())) {
                throw new CliException(ExitCodes.UNAVAILABLE, "No service answers and " + r.home()
                        + " holds no vault: start 'keyward serve', or pass --home.");
            }
            try (Vault v = Keyward.open(r.config().vaultOptions(r.home()))) {
                ServeCommand.unsealLocally(r, v, material.unsealPassphraseFile, material.pinFile, material.shareFiles, null);
                return describe(Keyward.backupAsOwner(v, file, pass));
            }
        }
    }

    /** A backup's description as the service's answer gives it. */
    static JsonNode describe(BackupInfo b) {
        ObjectNode o = KeywardCli.object();
        o.put("path", b.file());
        o.put("created", b.created().toString());
        o.put("protection", b.protection());
        o.put("seal_type", b.sealType());
        o.put("records", b.records());
        o.put("bytes", b.bytes());
        o.put("sha256", b.sha256());
        if (b.auditHead() != null) {
            ObjectNode h = o.putObject("audit_head");
            h.put("tree_size", b.auditHead().treeSize());
            h.put("fingerprint", b.auditHead().fingerprint());
            h.put("log_id", b.logId());
        }
        return o;
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = "Checks a backup file's SHA-256 and prints its header (no key needed, nothing changes).")
    static final class Inspect implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The backup file.")
        Path file;

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            r.print(describe(Keyward.inspectBackup(file)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
            description = {"Restores a backup into an empty vault directory (--home; it may hold only a "
                    + "keyward.properties), e.g. on another machine. Nothing is served: start it with 'keyward serve'.",
                "A passphrase-protected backup needs its backup passphrase; one protected by the unseal material "
                    + "needs the vault's unseal passphrase, HSM PIN or shares. Its first unseal writes the "
                    + "'vault.restore' audit entry; 'keyward audit verify' checks the log across the move.",
                "A truncated or altered file, a wrong passphrase and a non-empty directory are refused and change "
                    + "nothing."})
    static final class Restore implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The backup file.")
        Path file;

        @picocli.CommandLine.ArgGroup(exclusive = false)
        Material material = new Material();

        @Override
        public Integer call() {
            KeywardCli r = KeywardCli.root(spec);
            r.json();
            BackupInfo header;
            try {
                header = Keyward.inspectBackup(file);
            } catch (InvalidRequestException e) {
                throw new CliException(ExitCodes.REFUSED, e.getMessage());
            }
            dev.keyward.vault.backup.Restore.checkEmpty(r.home());
            char[] pass = null;
            List<UnsealCredential> unseal = new ArrayList<>();
            try {
                if (header.protection().equals(BackupInfo.FOR_PASSPHRASE)) {
                    pass = backupPassphrase(r, material.backupPassphraseFile);
                } else if (ShamirSealSpec.TYPE.equals(header.sealType())) {
                    ShareInput in = new ShareInput(r, material.shareFiles);
                    for (char[] s = in.next(0, 0); s != null; s = in.next(unseal.size(), 0)) {
                        unseal.add(UnsealCredential.share(s));
                        Arrays.fill(s, '\0');
                    }
                } else if (Pkcs11SealSpec.TYPE.equals(header.sealType())) {
                    char[] pin = r.secret(material.pinFile, "KEYWARD_PIN", "HSM PIN");
                    unseal.add(UnsealCredential.pin(pin));
                    Arrays.fill(pin, '\0');
                } else {
                    char[] p = r.secret(material.unsealPassphraseFile, "KEYWARD_PASSPHRASE", "Unseal passphrase");
                    unseal.add(UnsealCredential.passphrase(p));
                    Arrays.fill(p, '\0');
                }
                BackupInfo done = Keyward.restore(file, r.home(), pass, unseal);
                if (r.json()) {
                    r.print(describe(done));
                } else {
                    r.out.println("Restored " + done.records() + " records from " + file + " into " + r.home() + ".");
                    if (done.auditHead() != null) {
                        r.out.println("Audit head in the backup: " + done.auditHead().treeSize() + " entries, fingerprint "
                                + done.auditHead().fingerprint() + ".");
                    }
                    r.out.println("Start it with 'keyward serve --home " + r.home() + "'; its first unseal records "
                            + "the restore in the audit log.");
                }
                return ExitCodes.OK;
            } finally {
                if (pass != null) {
                    Arrays.fill(pass, '\0');
                }
                unseal.forEach(UnsealCredential::close);
            }
        }
    }
}
