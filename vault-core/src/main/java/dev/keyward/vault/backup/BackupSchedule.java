package dev.keyward.vault.backup;

import dev.keyward.vault.api.InvalidRequestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Scheduled backups while {@code keyward serve} runs (settings {@code backup_dir},
 * {@code backup_interval_minutes}, {@code backup_keep}, {@code backup_passphrase_file} in
 * keyward.properties): every {@code every}, a backup named {@code keyward-backup-<UTC time>.kwbak} in
 * {@code dir}; then all but the newest {@code keep} of them are removed.
 *
 * @param passphraseFile a file holding the backup passphrase, or null: encrypted for the unseal material
 */
public record BackupSchedule(Path dir, Duration every, int keep, Path passphraseFile) {
    public static final String PREFIX = "keyward-backup-";
    public static final String SUFFIX = ".kwbak";
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    public BackupSchedule {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(every, "every");
        if (!dir.isAbsolute()) {
            throw new InvalidRequestException("backup_dir must be an absolute directory, not " + dir + ".");
        }
        if (every.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new InvalidRequestException("backup_interval_minutes must be at least 1.");
        }
        if (keep < 1) {
            throw new InvalidRequestException("backup_keep must be at least 1.");
        }
    }

    /** The file name of a scheduled backup taken at {@code at}. */
    public Path fileFor(Instant at) {
        return dir.resolve(PREFIX + NAME.format(at) + SUFFIX);
    }

    /** The scheduled backups in {@code dir}, oldest first (their names sort by time). */
    public List<Path> existing() {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith(PREFIX) && n.endsWith(SUFFIX);
            }).sorted().forEach(out::add);
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** The backups beyond the newest {@code keep}, which retention removes. */
    public List<Path> beyondRetention() {
        List<Path> all = existing();
        return all.size() <= keep ? List.of() : all.subList(0, all.size() - keep);
    }
}
