package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Pkcs11SealSpec;
import dev.keyward.vault.api.ShamirSealSpec;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultOptions;
import dev.keyward.vault.api.VaultStatus;
import dev.keyward.vault.server.KeywardServer;
import dev.keyward.vault.server.ServerConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keyward serve}: owns the vault directory, unseals it and runs the HTTPS endpoint. */
@Command(name = "serve", mixinStandardHelpOptions = true, footer = ExitCodes.HELP,
        description = {"Owns the vault directory, unseals it and runs the HTTPS endpoint until stopped.",
            "The TLS key of the endpoint's CA is sealed in the vault, so the vault is unsealed before the "
                + "endpoint listens: with the passphrase, the HSM PIN, or Shamir shares (one at a time, "
                + "with progress). If it seals later, 'keyward unseal' unseals it through the endpoint."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", description = "TCP port (default: the config file, else 8210).")
    Integer port;

    @Option(names = "--passphrase-file", paramLabel = "FILE",
            description = "The unseal passphrase ('-': the first line of standard input; else $KEYWARD_PASSPHRASE, else a prompt).")
    Path passphraseFile;

    @Option(names = "--pin-file", paramLabel = "FILE", description = "The HSM PIN for a PKCS#11 seal ('-': the first line "
            + "of standard input; else $KEYWARD_PIN, else hsm_pin_file in keyward.properties, for an unattended service; "
            + "else a prompt).")
    Path pinFile;

    @picocli.CommandLine.Mixin
    HsmTokenOptions token = new HsmTokenOptions();

    @Option(names = "--audit-file", paramLabel = "FILE",
            description = "Also append every audit entry as one JSON line to FILE, for a SIEM (default: "
                    + "$KEYWARD_AUDIT_FILE, else audit_file in keyward.properties; relative to the vault directory).")
    Path auditFile;

    @Option(names = "--audit-witness-file", paramLabel = "FILE",
            description = "Publish every signed tree head to FILE, kept outside the vault directory, and refuse to "
                    + "unseal a vault whose audit log is older than the newest head there (default: "
                    + "$KEYWARD_AUDIT_WITNESS_FILE, else audit_witness_file in keyward.properties).")
    Path witnessFile;

    @Option(names = "--accept-rollback", description = "Unseal even though the audit log is older than a tree head "
            + "already published (after restoring a backup on purpose); the acceptance is audited.")
    boolean acceptRollback;

    @Option(names = "--wait-for-unseal", description = "Start sealed and wait for 'keyward unseal' on the local socket "
            + "<home>/unseal.sock (how the systemd user unit runs it), unless an unseal key is given (a passphrase or "
            + "PIN file or variable, hsm_pin_file, share files); the endpoint listens once unsealed.")
    boolean waitForUnseal;

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
        KeywardCli r = KeywardCli.root(spec);
        r.json(); // a bad -o is a usage error before the vault is opened
        Running running = start();
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "keyward-shutdown"));
        if (r.json()) {
            ObjectNode o = KeywardCli.object();
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
        KeywardCli r = KeywardCli.root(spec);
        CliConfig cfg = r.config();
        ServerConfig sc = cfg.server(port);
        VaultOptions options = cfg.vaultOptions(r.home());
        if (auditFile != null) {
            options = options.withAuditFile(auditFile);
        }
        if (witnessFile != null) {
            options = options.withWitnessFile(witnessFile);
        }
        options = options.withAcceptRollback(acceptRollback);
        Vault v = Keyward.open(options);
        try {
            VaultStatus st = v.lifecycle().status();
            if (!st.initialized()) {
                throw new CliException(ExitCodes.UNAVAILABLE, "The vault in " + r.home()
                        + " is not initialised: run 'keyward init' first.");
            }
            String pinSetting = cfg.get("hsm_pin_file", null); // unattended start of an HSM-sealed service
            Path pin = pinFile != null ? pinFile : pinSetting == null ? null : r.home().toAbsolutePath().resolve(pinSetting);
            boolean keyGiven = passphraseFile != null || pin != null || shareFiles != null
                    || r.env.containsKey("KEYWARD_PASSPHRASE") || r.env.containsKey("KEYWARD_PIN");
            if (waitForUnseal && !keyGiven) {
                UnsealSocket.await(r, v, r.home());
            } else {
                unsealLocally(r, v, passphraseFile, pin, shareFiles, token.checked());
            }
            dev.keyward.vault.backup.BackupSchedule schedule = cfg.backupSchedule(r.home());
            if (schedule != null) {
                Keyward.scheduleBackups(v, schedule);
            }
            return new Running(v, KeywardServer.start(v, sc, Clock.systemUTC(), r.caPem()));
        } catch (RuntimeException e) {
            v.close();
            throw e;
        }
    }

    /** Unseals a vault this process opened: passphrase, HSM PIN or shares, as its seal needs. */
    static void unsealLocally(KeywardCli r, Vault v, Path passphraseFile, Path pinFile, List<Path> shareFiles,
                              HsmTokenOptions token) {
        VaultStatus st = v.lifecycle().status();
        if (ShamirSealSpec.TYPE.equals(st.sealType())) {
            unsealWithShares(r, v, new ShareInput(r, shareFiles));
            return;
        }
        boolean hsm = Pkcs11SealSpec.TYPE.equals(st.sealType());
        char[] pass = hsm ? r.secret(pinFile, "KEYWARD_PIN", "HSM PIN")
                : r.secret(passphraseFile, "KEYWARD_PASSPHRASE", "Unseal passphrase");
        try {
            v.lifecycle().unseal(hsm ? UnsealCredential.pin(pass, token == null ? null : token.label,
                    token == null ? null : token.serial) : UnsealCredential.passphrase(pass), Caller.LOCAL);
        } finally {
            Arrays.fill(pass, '\0');
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
