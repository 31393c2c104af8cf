package dev.keyward.vault.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.api.PublishedHead;
import dev.keyward.vault.api.StorageException;
import dev.keyward.vault.api.TreeHead;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * A file outside the vault directory, chosen by the operator, that gets every signed tree head as
 * it is made: one canonical JSON line {@code {"head":{...},"log":"<log id>"}} per head, appended and
 * forced to the device. Several vaults may share one (the log id tells them apart). The newest
 * head of a log is its last line. Keep it where a copy of the vault directory does not go: another
 * disk, another machine's mount, append-only storage.
 */
public final class WitnessFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How much of the file's end is read to find a log's newest head (heads are ~400 bytes). */
    private static final int TAIL = 1 << 20;

    private final Path file;

    public WitnessFile(Path file) {
        this.file = file.toAbsolutePath();
    }

    public Path path() {
        return file;
    }

    /** The line for one head. */
    public static String line(String logId, TreeHead head) {
        ObjectNode o = JSON.createObjectNode();
        try {
            o.set("head", JSON.readTree(TreeHeads.toJson(head)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        o.put("log", logId);
        return new String(AuditEntries.canonicalize(o.toString()), StandardCharsets.UTF_8);
    }

    /** Appends the head and forces it to the device. */
    public synchronized void append(String logId, TreeHead head) {
        byte[] b = (line(logId, head) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            Path parent = file.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer buf = ByteBuffer.wrap(b);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(false);
            }
        } catch (IOException e) {
            throw new StorageException("The tree head could not be written to the witness file " + file + ": "
                    + e.getMessage(), e);
        }
    }

    /** The newest head published here for {@code logId} (its last line), if any. */
    public Optional<PublishedHead> newest(String logId) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            long from = Math.max(0, len - TAIL);
            byte[] tail = new byte[(int) (len - from)];
            f.seek(from);
            f.readFully(tail);
            String[] lines = new String(tail, StandardCharsets.UTF_8).split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                Optional<PublishedHead> h = parse(lines[i], logId);
                if (h.isPresent()) {
                    return h;
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("The witness file " + file + " could not be read: " + e.getMessage(), e);
        }
    }

    private Optional<PublishedHead> parse(String line, String logId) {
        try {
            JsonNode n = JSON.readTree(line);
            if (n == null || !logId.equals(n.path("log").asText())) {
                return Optional.empty();
            }
            TreeHead h = TreeHeads.fromJson(n.get("head").toString());
            return Optional.of(new PublishedHead(logId, h.treeSize(), h.fingerprint(), "the witness file " + file
                    + " (" + h.timestamp() + ")"));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // a torn or foreign line
        }
    }
}
