package dev.keyward.vault.seal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.api.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * {@code seal.json} in the vault directory, replaced atomically and synced to disk. The process
 * that opened the vault owns the directory (its lock), so the file is read once and then served
 * from memory; {@link #save} updates both.
 */
public final class SealConfigStore {
    public static final String FILE = "seal.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    /** What the file holds, once read or written; null until then. */
    private volatile Optional<SealConfig> cached;

    public SealConfigStore(Path dir) {
        this.file = dir.resolve(FILE);
    }

    public boolean exists() {
        return load().isPresent();
    }

    public Optional<SealConfig> load() {
        Optional<SealConfig> c = cached;
        if (c == null) {
            c = read();
            cached = c;
        }
        return c.map(s -> new SealConfig(s.type(), s.params().deepCopy()));
    }

    private Optional<SealConfig> read() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(Files.readAllBytes(file));
            String type = root.path("type").asText(null);
            if (type == null || !root.path("params").isObject()) {
                throw new IntegrityException("seal.json is not a Keyward seal configuration.");
            }
            return Optional.of(new SealConfig(type, (ObjectNode) root.get("params")));
        } catch (IOException | ClassCastException e) {
            throw new IntegrityException("seal.json could not be read: it is corrupt.");
        }
    }

    public void save(SealConfig config) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", 1);
        root.put("type", config.type());
        root.set("params", config.params());
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException ignored) {
                // directories cannot be synced on every platform
            }
            cached = Optional.of(new SealConfig(config.type(), config.params().deepCopy()));
        } catch (IOException e) {
            cached = null; // read the file again: it may or may not have been replaced
            throw new StorageException("seal.json could not be written: " + e.getMessage(), e);
        }
    }
}
