package dev.keyward.console.common;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console window's size and position, kept as {@code console.window = x,y,width,height} in
 * {@code keyward.properties} when the window closes and used again at the next start when it fits
 * on a screen.
 */
public record WindowGeometry(double x, double y, double width, double height) {
    private static final Logger LOG = LoggerFactory.getLogger(WindowGeometry.class);
    static final String KEY = "console.window";

    public static Optional<WindowGeometry> load(Path home) {
        Path file = home.resolve(ConsoleSettings.FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        String v = p.getProperty(KEY);
        if (v == null) {
            return Optional.empty();
        }
        String[] parts = v.split(",");
        try {
            if (parts.length == 4) {
                WindowGeometry g = new WindowGeometry(Double.parseDouble(parts[0].strip()),
                        Double.parseDouble(parts[1].strip()), Double.parseDouble(parts[2].strip()),
                        Double.parseDouble(parts[3].strip()));
                if (g.width >= 400 && g.height >= 300) {
                    return Optional.of(g);
                }
            }
        } catch (NumberFormatException e) {
            // ignored below
        }
        LOG.warn("Ignoring the setting {}: not x,y,width,height", KEY);
        return Optional.empty();
    }

    public void save(Path home) throws IOException {
        ConsoleSettings.update(home, Map.of(KEY, String.format(Locale.ROOT, "%.0f,%.0f,%.0f,%.0f", x, y, width,
                height)));
    }
}
