package dev.keyward.vault.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.vault.api.PublishedHead;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * The newest signed tree head a client (the CLI, the console) has seen of each vault's log, kept
 * in the user's configuration directory, outside any vault directory: a restored older copy of a
 * vault does not bring it back. {@code $XDG_CONFIG_HOME/keyward/seen-heads/<log id>.json}, else
 * {@code ~/.config/keyward/seen-heads/...}.
 */
public final class SeenHeads {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    public SeenHeads(Path dir) {
        this.dir = dir;
    }

    /** The store of the user whose environment this is. */
    public static SeenHeads of(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".config");
        return new SeenHeads(base.resolve("keyward").resolve("seen-heads"));
    }

    private Path file(String logId) {
        if (!logId.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a log id is 64 hex digits");
        }
        return dir.resolve(logId + ".json");
    }

    /** The newest head seen of the log, if any. */
    public Optional<PublishedHead> newest(String logId) {
        Path f = file(logId);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(Files.readString(f, StandardCharsets.UTF_8));
            return Optional.of(new PublishedHead(logId, n.get("treeSize").longValue(), n.get("fingerprint").asText(),
                    "this client (" + f + ")"));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // unreadable: start over from the next head seen
        }
    }

    /**
     * Compares a head the vault just served with the newest one seen before. Returns why the vault
     * is older (a smaller head than one seen, or another head of the same size), and otherwise
     * keeps the served head as the newest seen and returns empty. With {@code accept} the served
     * head becomes the newest seen whatever it is (after a rollback accepted on purpose).
     */
    public Optional<String> observe(String logId, long treeSize, String fingerprint, boolean accept) {
        Optional<PublishedHead> seen = newest(logId);
        if (!accept && seen.isPresent()) {
            PublishedHead s = seen.get();
            if (treeSize < s.treeSize()) {
                return Optional.of("The vault's newest signed head covers " + treeSize + " entries, but "
                        + s.source() + " saw a head over " + s.treeSize() + " entries (fingerprint " + s.fingerprint()
                        + ") before: the vault directory was rolled back or restored from an older copy.");
            }
            if (treeSize == s.treeSize() && !fingerprint.equals(s.fingerprint())) {
                return Optional.of("The vault's signed head over " + treeSize + " entries is " + fingerprint + ", but "
                        + s.source() + " saw " + s.fingerprint() + " for that size before: the log was replaced.");
            }
            if (treeSize == s.treeSize()) {
                return Optional.empty();
            }
        }
        store(logId, treeSize, fingerprint);
        return Optional.empty();
    }

    private void store(String logId, long treeSize, String fingerprint) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".seen", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(tmp, JSON.createObjectNode().put("treeSize", treeSize).put("fingerprint", fingerprint)
                        .toString(), StandardCharsets.UTF_8);
                Files.move(tmp, file(logId), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Keeping it is a help, not a duty: the next head seen is kept instead.
        }
    }
}
