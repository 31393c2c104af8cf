package dev.keyward.console;

import java.nio.file.Path;
import java.util.Locale;

/** Where the vault lives: $KEYWARD_HOME, else the platform's per-user data directory. */
public final class KeywardHome {
    private KeywardHome() {
    }

    public static Path resolve() {
        String env = System.getenv("KEYWARD_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        Path userHome = Path.of(System.getProperty("user.home"));
        if (os.contains("win")) {
            String appData = System.getenv("LOCALAPPDATA");
            return (appData != null ? Path.of(appData) : userHome.resolve("AppData/Local")).resolve("Keyward");
        }
        if (os.contains("mac")) {
            return userHome.resolve("Library/Application Support/Keyward");
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : userHome.resolve(".local/share")).resolve("keyward");
    }
}
