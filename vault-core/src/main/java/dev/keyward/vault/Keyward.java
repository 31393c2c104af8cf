package dev.keyward.vault;

import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.Endpoint;
import dev.keyward.vault.api.HsmProbe;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Pkcs11SealInfo;
import dev.keyward.vault.api.PassphraseRating;
import dev.keyward.vault.api.Pkcs11SealSpec;
import dev.keyward.vault.api.ServiceLocation;
import dev.keyward.vault.api.ServiceUnavailableException;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultOptions;
import dev.keyward.vault.audit.BundleVerifier;
import dev.keyward.vault.cli.CliConfig;
import dev.keyward.vault.cli.CliException;
import dev.keyward.vault.engine.Engine;
import dev.keyward.vault.remote.RemoteVault;
import dev.keyward.vault.remote.ServiceLocator;
import dev.keyward.vault.engine.EngineConfig;
import dev.keyward.vault.seal.PassphraseCheck;
import dev.keyward.vault.seal.Pkcs11SealProvider;
import dev.keyward.vault.seal.SealConfigStore;
import dev.keyward.vault.server.KeywardServer;
import dev.keyward.vault.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Opens a vault directory. The one entry point for the console, the server and the CLI. */
public final class Keyward {
    /** Keyward's version, as reported by status calls. */
    public static final String VERSION = "0.1.0";

    private Keyward() {
    }

    /** Opens (and owns) the vault directory; it comes up sealed, or uninitialised. */
    public static Vault open(VaultOptions options) {
        return Engine.open(EngineConfig.defaults(options));
    }

    /**
     * The options {@code home/keyward.properties} and the {@code KEYWARD_*} environment give a vault
     * opened in this process (auto-seal, the JSON-lines audit file, the tree-head witness file), as
     * {@code keyward serve} uses them. A settings file that cannot be read is an
     * {@link InvalidRequestException}.
     */
    public static VaultOptions options(Path home) {
        try {
            return CliConfig.load(home, System.getenv()).vaultOptions(home);
        } catch (CliException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }

    /**
     * Where the service ({@code keyward serve}) of the vault in {@code home} should be listening, from
     * the directory's files and {@code KEYWARD_*} variables only; empty when its service never ran
     * (there is no CA certificate to pin). Connects to nothing.
     */
    public static Optional<ServiceLocation> locateService(Path home) {
        return ServiceLocator.locate(home, System.getenv());
    }

    /**
     * A client of the running vault service at {@code location}: every {@code api} call goes over
     * HTTPS to the same services behind the same guarded door ({@code /v1/kw/api/...}), trusting only
     * the pinned CA. Checks at once that the service answers and is that vault; throws
     * {@link ServiceUnavailableException} otherwise. Closing the returned vault disconnects; the
     * service keeps running.
     */
    public static Vault attach(ServiceLocation location) {
        Vault v = RemoteVault.connect(location.address(), location.caCertificate());
        v.lifecycle().status();
        return v;
    }

    /**
     * Verifies an exported audit evidence bundle offline: no vault, no unseal material. Pass the
     * fingerprint of a tree head recorded earlier (or null) to also detect a cut or replaced log.
     * Never throws for a damaged bundle: the result lists what is wrong.
     */
    public static AuditVerification verifyAuditBundle(java.nio.file.Path bundle, String recordedFingerprint,
                                                      AuditProgress progress) {
        return BundleVerifier.verify(bundle, recordedFingerprint, progress == null ? AuditProgress.NONE : progress);
    }

    /**
     * For a client of a vault (the console): compares a head the vault served with the newest this
     * user has seen of the same log, kept outside any vault directory
     * ({@code ~/.config/keyward/seen-heads}). Returns why the vault is older than that (it was
     * rolled back or restored from an older copy), or empty, in which case the head is now the
     * newest seen. {@code logId} comes from {@code AuditService.logId}.
     */
    public static Optional<String> checkSeenHead(String logId, dev.keyward.vault.api.TreeHead head,
                                                 boolean acceptRollback) {
        return dev.keyward.vault.audit.SeenHeads.of(System.getenv()).observe(logId, head.treeSize(),
                head.fingerprint(), acceptRollback);
    }

    /**
     * Rates a passphrase (unseal or operator login) with the zxcvbn estimator: refused below the
     * floor, usable after a confirmation at score 2, accepted from score 3. The first call loads
     * the estimator's dictionaries (a few hundred milliseconds): call it off the UI thread.
     */
    public static PassphraseRating ratePassphrase(CharSequence passphrase) {
        return PassphraseCheck.rate(passphrase);
    }

    /**
     * Whether {@code home} holds an initialised vault, judged from its seal configuration file
     * alone: no database is opened and nothing is locked. For choosing a first screen quickly;
     * {@code open(...).lifecycle().status()} is the authority.
     */
    public static boolean initialized(Path home) {
        return Files.isRegularFile(home.resolve(SealConfigStore.FILE));
    }

    /**
     * Tests a PKCS#11 token before init: loads the library, logs in with the PIN, looks the key
     * labels up and logs out. Creates nothing. A refused PIN throws
     * {@link dev.keyward.vault.api.AuthenticationFailedException}; a library or token that does not
     * answer throws {@link dev.keyward.vault.api.HsmUnavailableException}. Does not close the spec.
     */
    public static HsmProbe testHsm(Pkcs11SealSpec spec) {
        return Pkcs11SealProvider.probe(spec);
    }

    /**
     * Starts the HTTPS endpoint for {@code vault} in this process, as {@code keyward serve} does:
     * the other settings (listen addresses, limits, rate limits) come from
     * {@code home/keyward.properties}; {@code port} and {@code mutualTls} are given here. The vault
     * must be unsealed (the local CA's key is sealed). The CA certificate is written to
     * {@code home/tls/ca.pem}.
     */
    public static Endpoint serve(Vault vault, Path home, int port, boolean mutualTls) {
        ServerConfig config;
        try {
            config = CliConfig.load(home, System.getenv()).server(port).withMutualTls(mutualTls);
        } catch (CliException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        KeywardServer server = KeywardServer.start(vault, config, Clock.systemUTC(), home.resolve("tls")
                .resolve("ca.pem"));
        return new Endpoint() {
            @Override
            public List<String> urls() {
                return server.urls();
            }

            @Override
            public int port() {
                return server.port();
            }

            @Override
            public boolean mutualTls() {
                return config.mutualTls();
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }

    /**
     * Restores a backup into {@code home}, which must not exist or be empty (a keyward.properties may
     * be there, and the files of a vault opened but never initialised that holds no record); nothing
     * is opened or served. A passphrase-protected backup needs
     * {@code backupPassphrase}; one taken for the unseal material needs {@code unseal} (the passphrase,
     * the HSM PIN, or enough shares for the seal in the backup). Truncated or altered files, a wrong
     * key and a non-empty target are refused before anything is written. The restored vault is sealed;
     * its first unseal writes the {@code vault.restore} audit entry. See docs/backup.md.
     */
    public static dev.keyward.vault.api.BackupInfo restore(Path file, Path home, char[] backupPassphrase,
                                                           List<dev.keyward.vault.api.UnsealCredential> unseal) {
        return restore(file, home, backupPassphrase, unseal, dev.keyward.vault.api.BackupProgress.NONE);
    }

    /**
     * As {@link #restore(Path, Path, char[], List)}, telling {@code progress} (on the calling thread)
     * the bytes checked and read of the file and the records restored so far.
     */
    public static dev.keyward.vault.api.BackupInfo restore(Path file, Path home, char[] backupPassphrase,
                                                           List<dev.keyward.vault.api.UnsealCredential> unseal,
                                                           java.util.function.Consumer<dev.keyward.vault.api.BackupProgress>
                                                                   progress) {
        return dev.keyward.vault.backup.Restore.restore(file, home, new dev.keyward.vault.backup.Restore.Opener(
                backupPassphrase, unseal == null || unseal.isEmpty() ? null
                : new dev.keyward.vault.backup.SealOpener(dev.keyward.vault.seal.SealRegistry.defaults(), unseal)),
                java.time.Instant.now(), progress == null ? dev.keyward.vault.api.BackupProgress.NONE : progress);
    }

    /**
     * Starts scheduled backups with retention for a vault opened by {@link #open} in this process
     * (keyward serve reads the schedule from keyward.properties). They run while it is unsealed.
     */
    public static void scheduleBackups(Vault vault, dev.keyward.vault.backup.BackupSchedule schedule) {
        if (!(vault instanceof Engine e)) {
            throw new InvalidRequestException("Scheduled backups run in the process that owns the vault directory.");
        }
        e.scheduleBackups(schedule);
    }

    /**
     * A backup by the process that owns and has unsealed the vault (opened by {@link #open}), as the
     * built-in backup job: keyward backup when no service runs. Audited like any backup.
     */
    public static dev.keyward.vault.api.BackupInfo backupAsOwner(Vault vault, Path file, char[] passphrase) {
        if (!(vault instanceof Engine e)) {
            throw new InvalidRequestException("Only the process that owns the vault directory backs it up directly.");
        }
        return e.backupAsOwner(file, passphrase);
    }

    /**
     * The scheduled backups {@code keyward serve} takes for {@code home}, in one sentence, as its
     * keyward.properties sets them ({@code backup_*}; see docs/backup.md). Nothing is opened.
     */
    public static String describeBackupSchedule(Path home) {
        dev.keyward.vault.backup.BackupSchedule s;
        try {
            s = dev.keyward.vault.cli.CliConfig.load(home, java.util.Map.of()).backupSchedule(home);
        } catch (RuntimeException e) {
            return "Scheduled backups: the settings in " + home.resolve("keyward.properties")
                    + " cannot be used: " + e.getMessage();
        }
        if (s == null) {
            return "Scheduled backups: off (set backup_interval_minutes in keyward.properties; keyward serve takes them).";
        }
        return "Scheduled backups while keyward serve runs: every " + s.every().toMinutes() + " min into " + s.dir()
                + ", keeping the newest " + s.keep() + ", protected by "
                + (s.passphraseFile() == null ? "the unseal material" : "the passphrase in " + s.passphraseFile()) + ".";
    }

    /** Checks a backup file's SHA-256 and reads its header (no key needed); damage is an InvalidRequestException. */
    public static dev.keyward.vault.api.BackupInfo inspectBackup(Path file) {
        return dev.keyward.vault.backup.BackupFile.open(file).info(file, 0);
    }

    /**
     * Where the keys of the HSM-sealed vault in {@code home} are, from its seal configuration (no
     * database, no token); empty for a vault with another seal or none.
     */
    public static Optional<Pkcs11SealInfo> hsmSeal(Path home) {
        return new SealConfigStore(home).load().filter(c -> Pkcs11SealSpec.TYPE.equals(c.type()))
                .map(Pkcs11SealProvider::describe);
    }

    /**
     * Starts {@code keyward serve} for the vault in {@code home} as a process of its own, with the
     * unseal passphrase (or, with {@code pin}, the HSM PIN) on its standard input, and waits until it
     * serves; see {@link dev.keyward.vault.remote.ServiceLauncher}. The array is wiped.
     */
    public static void startService(java.nio.file.Path home, boolean pin, char[] secret, java.time.Duration wait) {
        dev.keyward.vault.remote.ServiceLauncher.start(home, pin ? dev.keyward.vault.remote.ServiceLauncher.Credential.PIN
                : dev.keyward.vault.remote.ServiceLauncher.Credential.PASSPHRASE, secret,
                dev.keyward.vault.remote.ServiceLauncher.currentClassPath(), wait);
    }
}
