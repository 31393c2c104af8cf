package dev.keyward.console.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's own preferences (not vault data): {@code console.properties} next to the vault.
 *
 * @param autoLock      lock the console after this long without input
 * @param revealFor     hide a revealed value again after this long
 * @param clipboardFor  clear a copied value from the clipboard after this long (if unchanged)
 * @param theme         light or dark
 */
public record ConsoleSettings(Duration autoLock, Duration revealFor, Duration clipboardFor, Theme theme) {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleSettings.class);
    public static final String FILE = "console.properties";

    public enum Theme { LIGHT, DARK }

    public static final ConsoleSettings DEFAULTS = new ConsoleSettings(Duration.ofMinutes(5), Duration.ofSeconds(20),
            Duration.ofSeconds(30), Theme.LIGHT);

    public ConsoleSettings {
        if (autoLock.isNegative() || autoLock.isZero()) {
            throw new IllegalArgumentException("autoLock must be positive");
        }
    }

    public ConsoleSettings withAutoLock(Duration d) {
        return new ConsoleSettings(d, revealFor, clipboardFor, theme);
    }

    public ConsoleSettings withTheme(Theme t) {
        return new ConsoleSettings(autoLock, revealFor, clipboardFor, t);
    }

    public static ConsoleSettings load(Path home) {
        Path file = home.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return DEFAULTS;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
            long minutes = Long.parseLong(p.getProperty("autoLockMinutes", "5"));
            Theme theme = Theme.valueOf(p.getProperty("theme", "LIGHT"));
            return new ConsoleSettings(Duration.ofMinutes(Math.max(1, minutes)), DEFAULTS.revealFor,
                    DEFAULTS.clipboardFor, theme);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("Ignoring unreadable console settings in {}: {}", file, e.getClass().getSimpleName());
            return DEFAULTS;
        }
    }

    public void save(Path home) throws IOException {
        Properties p = new Properties();
        p.setProperty("autoLockMinutes", Long.toString(autoLock.toMinutes()));
        p.setProperty("theme", theme.name());
        Files.createDirectories(home);
        Path tmp = home.resolve(FILE + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "Keyward console settings");
        }
        Files.move(tmp, home.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
