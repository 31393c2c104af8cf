package dev.keyward.vault.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The count of failed unseal attempts in a row and the time until which the next one waits, kept
 * in {@code unseal-attempts.json} next to seal.json (not in it: seal.json is rewritten only by
 * init and seal changes, and a damaged seal.json would lose the vault), so that restarting the
 * service does not reset the backoff. Readable while sealed, like seal.json; it holds no secret.
 */
final class UnsealAttempts {
    static final String FILE = "unseal-attempts.json";
    private static final Logger LOG = LoggerFactory.getLogger(UnsealAttempts.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    int failures;
    Instant blockedUntil;

    UnsealAttempts(Path home) {
        this.file = home.resolve(FILE);
        if (Files.isRegularFile(file)) {
            try {
                JsonNode n = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
                failures = Math.max(0, n.path("failures").asInt(0));
                long until = n.path("blockedUntilMillis").asLong(0);
                blockedUntil = until > 0 ? Instant.ofEpochMilli(until) : null;
            } catch (IOException | RuntimeException e) {
                // A damaged file counts as the backoff's maximum would be too harsh; count from one more failure.
                failures = 3;
                LOG.warn("{} could not be read; counting failed unseal attempts from 3", file.getFileName());
            }
        }
    }

    void save() {
        try {
            Path tmp = Files.createTempFile(file.getParent(), ".unseal", ".tmp");
            try {
                Files.writeString(tmp, JSON.createObjectNode().put("failures", failures)
                        .put("blockedUntilMillis", blockedUntil == null ? 0 : blockedUntil.toEpochMilli()).toString(),
                        StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            LOG.warn("the count of failed unseal attempts could not be saved: {}", e.getClass().getSimpleName());
        }
    }

    void reset() {
        failures = 0;
        blockedUntil = null;
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("{} could not be removed", file.getFileName());
        }
    }
}
