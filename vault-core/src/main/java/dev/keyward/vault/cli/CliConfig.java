package dev.keyward.vault.cli;

import dev.keyward.vault.server.ServerConfig;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Configuration from {@code $KEYWARD_HOME/keyward.properties}; command-line flags and environment
 * variables override it. Every key is optional; the defaults are the safe ones.
 *
 * <pre>
 * listen = 127.0.0.1,::1          # addresses the endpoint binds (loopback only unless allow_non_loopback)
 * port = 8210
 * mutual_tls = true               # ask for client certificates (cert login)
 * max_body_bytes = 1048576
 * max_header_bytes = 16384
 * idle_timeout_seconds = 30
 * request_timeout_seconds = 10
 * rate_limit_per_source = 2000    # requests/s per source address, 0 = off
 * rate_limit_per_identity = 1000  # requests/s per token, 0 = off
 * auto_seal_minutes = 30          # seal after this long without a call, 0 = never
 * address = https://127.0.0.1:8210  # where CLI commands find the endpoint
 * audit_file = siem/keyward-audit.jsonl  # also append every audit entry as a JSON line (relative: under home)
 * audit_witness_file = /var/lib/witness/keyward-heads.jsonl  # publish every signed tree head there
 * backup_interval_minutes = 0     # scheduled backups while 'keyward serve' runs, 0 = off (docs/backup.md)
 * backup_dir = backups            # where they go (relative: under home)
 * backup_keep = 7                 # how many scheduled backups are kept; older ones are removed
 * backup_passphrase_file = /etc/keyward/backup-pass  # protect them with this passphrase (else: the unseal material)
 * </pre>
 * The console keeps its own keys ({@code console.*}) in the same file; see docs/console.md.
 */
public final class CliConfig {
    public static final String FILE = "keyward.properties";

    private final Properties props;
    private final Map<String, String> env;

    private CliConfig(Properties props, Map<String, String> env) {
        this.props = props;
        this.env = env;
    }

    /** The default home: $KEYWARD_HOME, else ~/.local/share/keyward. */
    public static Path home(Map<String, String> env) {
        String h = env.get("KEYWARD_HOME");
        if (h != null && !h.isBlank()) {
            return Path.of(h);
        }
        String xdg = env.get("XDG_DATA_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "keyward");
        }
        return Path.of(System.getProperty("user.home"), ".local", "share", "keyward");
    }

    public static CliConfig load(Path home, Map<String, String> env) {
        Properties p = new Properties();
        Path f = home.resolve(FILE);
        if (Files.isRegularFile(f)) {
            try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw new CliException(ExitCodes.USAGE, "The configuration file " + f + " could not be read: "
                        + e.getMessage());
            }
        }
        return new CliConfig(p, env);
    }

    /** A value from the environment (KEYWARD_ + upper-case key) or the file. */
    public String get(String key, String fallback) {
        String e = env.get("KEYWARD_" + key.toUpperCase(java.util.Locale.ROOT));
        if (e != null && !e.isBlank()) {
            return e.trim();
        }
        String v = props.getProperty(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    private long number(String key, long fallback) {
        String v = get(key, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new CliException(ExitCodes.USAGE, "The setting " + key + " must be a number, not '" + v + "'.");
        }
    }

    public ServerConfig server(Integer portOverride) {
        ServerConfig d = ServerConfig.defaults();
        List<InetAddress> addrs = new ArrayList<>();
        String listen = get("listen", null);
        if (listen == null) {
            addrs.addAll(d.addresses());
        } else {
            for (String a : listen.split(",")) {
                try {
                    addrs.add(InetAddress.getByName(a.trim()));
                } catch (UnknownHostException e) {
                    throw new CliException(ExitCodes.USAGE, "The listen address '" + a.trim() + "' is not valid.");
                }
            }
        }
        int port = portOverride != null ? portOverride : (int) number("port", d.port());
        return new ServerConfig(addrs, port, Boolean.parseBoolean(get("mutual_tls", Boolean.toString(d.mutualTls()))),
                (int) number("max_body_bytes", d.maxBodyBytes()), (int) number("max_header_bytes", d.maxHeaderBytes()),
                Duration.ofSeconds(number("idle_timeout_seconds", d.idleTimeout().toSeconds())),
                Duration.ofSeconds(number("request_timeout_seconds", d.requestTimeout().toSeconds())),
                number("rate_limit_per_source", (long) d.perSourceRate()),
                number("rate_limit_per_identity", (long) d.perIdentityRate()),
                Boolean.parseBoolean(get("allow_non_loopback", "false")));
    }

    public Duration autoSeal() {
        return Duration.ofMinutes(number("auto_seal_minutes", 30));
    }

    /** The JSON-lines audit file for a SIEM ({@code audit_file}), or null. */
    public Path auditFile() {
        String v = get("audit_file", null);
        return v == null ? null : Path.of(v);
    }

    /** Where signed tree heads are published outside the vault ({@code audit_witness_file}), or null. */
    public Path witnessFile() {
        String v = get("audit_witness_file", null);
        return v == null ? null : Path.of(v);
    }

    /** The vault's options as this file and the environment set them. */
    public dev.keyward.vault.api.VaultOptions vaultOptions(Path home) {
        return dev.keyward.vault.api.VaultOptions.at(home).withAutoSealAfter(autoSeal()).withAuditFile(auditFile())
                .withWitnessFile(witnessFile());
    }

    /** Scheduled backups ({@code backup_*}), or null when {@code backup_interval_minutes} is 0 or unset. */
    public dev.keyward.vault.backup.BackupSchedule backupSchedule(Path home) {
        long every = number("backup_interval_minutes", 0);
        if (every <= 0) {
            return null;
        }
        Path dir = home.toAbsolutePath().resolve(get("backup_dir", "backups"));
        String pass = get("backup_passphrase_file", null);
        try {
            return new dev.keyward.vault.backup.BackupSchedule(dir, Duration.ofMinutes(every),
                    (int) number("backup_keep", 7), pass == null ? null : home.toAbsolutePath().resolve(pass));
        } catch (dev.keyward.vault.api.InvalidRequestException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage());
        }
    }

    public String address() {
        return get("address", "https://127.0.0.1:" + number("port", ServerConfig.DEFAULT_PORT));
    }
}
