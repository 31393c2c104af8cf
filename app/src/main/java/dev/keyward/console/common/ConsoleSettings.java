package dev.keyward.console.common;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's settings, kept in the vault directory's one configuration file,
 * {@code keyward.properties} (the file {@code keyward serve} and the CLI read; keys documented in
 * docs/console.md). The console writes only its own keys and leaves every other line, comments
 * included, as it was.
 *
 * <pre>
 * console.auto_lock_minutes = 5     # lock the console after this long without input
 * console.theme = light             # light or dark
 * console.endpoint = false          # run the HTTPS endpoint inside the console while it is open
 * port = 8210                       # the endpoint's port (shared with keyward serve)
 * mutual_tls = true                 # ask clients for certificates (shared with keyward serve)
 * </pre>
 *
 * @param autoLock      lock the console after this long without input
 * @param revealFor     hide a revealed value again after this long
 * @param clipboardFor  clear a copied value from the clipboard after this long (if unchanged)
 * @param theme         light or dark
 * @param endpoint      whether the console runs the HTTPS endpoint
 * @param port          the endpoint's port
 * @param mutualTls     whether the endpoint asks clients for certificates
 */
public record ConsoleSettings(Duration autoLock, Duration revealFor, Duration clipboardFor, Theme theme,
                              boolean endpoint, int port, boolean mutualTls) {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleSettings.class);
    public static final String FILE = "keyward.properties";
    public static final int DEFAULT_PORT = 8210;
    public static final int MIN_PORT = 1024;
    public static final int MAX_PORT = 65535;
    static final String AUTO_LOCK = "console.auto_lock_minutes";
    static final String THEME = "console.theme";
    static final String ENDPOINT = "console.endpoint";
    static final String PORT = "port";
    static final String MUTUAL_TLS = "mutual_tls";

    public enum Theme { LIGHT, DARK }

    public static final ConsoleSettings DEFAULTS = new ConsoleSettings(Duration.ofMinutes(5), Duration.ofSeconds(20),
            Duration.ofSeconds(30), Theme.LIGHT, false, DEFAULT_PORT, true);

    public ConsoleSettings {
        if (autoLock.isNegative() || autoLock.isZero()) {
            throw new IllegalArgumentException("autoLock must be positive");
        }
        if (port < MIN_PORT || port > MAX_PORT) {
            throw new IllegalArgumentException("port must be between " + MIN_PORT + " and " + MAX_PORT);
        }
    }

    public ConsoleSettings withAutoLock(Duration d) {
        return new ConsoleSettings(d, revealFor, clipboardFor, theme, endpoint, port, mutualTls);
    }

    public ConsoleSettings withTheme(Theme t) {
        return new ConsoleSettings(autoLock, revealFor, clipboardFor, t, endpoint, port, mutualTls);
    }

    public ConsoleSettings withEndpoint(boolean on, int p, boolean mtls) {
        return new ConsoleSettings(autoLock, revealFor, clipboardFor, theme, on, p, mtls);
    }

    /** Reads the settings; a missing file or key gives the default, an unreadable value too (logged by key only). */
    public static ConsoleSettings load(Path home) {
        Path file = home.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return DEFAULTS;
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("Ignoring the unreadable settings file {}: {}", file, e.getClass().getSimpleName());
            return DEFAULTS;
        }
        long minutes = number(p, AUTO_LOCK, DEFAULTS.autoLock.toMinutes());
        long port = number(p, PORT, DEFAULT_PORT);
        Theme theme = DEFAULTS.theme;
        String t = p.getProperty(THEME, "").strip().toUpperCase(Locale.ROOT);
        if (!t.isEmpty()) {
            try {
                theme = Theme.valueOf(t);
            } catch (IllegalArgumentException e) {
                LOG.warn("Ignoring the setting {} in {}: not light or dark", THEME, file);
            }
        }
        if (port < MIN_PORT || port > MAX_PORT) {
            LOG.warn("Ignoring the setting {} in {}: not between {} and {}", PORT, file, MIN_PORT, MAX_PORT);
            port = DEFAULT_PORT;
        }
        return new ConsoleSettings(Duration.ofMinutes(Math.max(1, minutes)), DEFAULTS.revealFor, DEFAULTS.clipboardFor,
                theme, bool(p, ENDPOINT, DEFAULTS.endpoint), (int) port, bool(p, MUTUAL_TLS, DEFAULTS.mutualTls));
    }

    private static long number(Properties p, String key, long fallback) {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            LOG.warn("Ignoring the setting {}: not a number", key);
            return fallback;
        }
    }

    private static boolean bool(Properties p, String key, boolean fallback) {
        String v = p.getProperty(key);
        return v == null || v.isBlank() ? fallback : Boolean.parseBoolean(v.strip());
    }

    /** The console's keys and values as written to the file. */
    Map<String, String> entries() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(AUTO_LOCK, Long.toString(autoLock.toMinutes()));
        m.put(THEME, theme.name().toLowerCase(Locale.ROOT));
        m.put(ENDPOINT, Boolean.toString(endpoint));
        m.put(PORT, Integer.toString(port));
        m.put(MUTUAL_TLS, Boolean.toString(mutualTls));
        return m;
    }

    /**
     * Writes the console's keys into {@code keyward.properties}: a line that sets one of them is
     * replaced in place, missing keys are appended, every other line stays. Atomic replace.
     */
    public void save(Path home) throws IOException {
        update(home, entries());
    }

    /**
     * Sets {@code values} in {@code home/keyward.properties}: a line that sets one of the keys is
     * replaced in place, missing keys are appended, every other line (comments too) stays. Atomic.
     */
    public static void update(Path home, Map<String, String> values) throws IOException {
        Files.createDirectories(home);
        Path file = home.resolve(FILE);
        List<String> lines = Files.isRegularFile(file) ? Files.readAllLines(file, StandardCharsets.UTF_8)
                : new ArrayList<>(List.of("# Keyward settings (keyward serve, the CLI and the console); see docs/console.md"));
        Map<String, String> todo = new LinkedHashMap<>(values);
        List<String> out = new ArrayList<>(lines.size() + todo.size());
        for (String line : lines) {
            String key = keyOf(line);
            if (key != null && todo.containsKey(key)) {
                out.add(key + " = " + todo.remove(key));
            } else if (key == null || !values.containsKey(key)) {
                out.add(line);
            }
        }
        todo.forEach((k, v) -> out.add(k + " = " + v));
        Path tmp = home.resolve(FILE + ".tmp");
        Files.write(tmp, out, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The key a properties line sets, or null for blank lines, comments and continuations we do not touch. */
    static String keyOf(String line) {
        String s = line.stripLeading();
        if (s.isEmpty() || s.startsWith("#") || s.startsWith("!")) {
            return null;
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(s));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
        return p.stringPropertyNames().stream().findFirst().orElse(null);
    }
}
