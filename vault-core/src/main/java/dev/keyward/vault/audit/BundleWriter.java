package dev.keyward.vault.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.StorageException;
import dev.keyward.vault.api.TreeHead;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes an evidence bundle: a ZIP file with {@code manifest.json}, {@code entries.jsonl} (the
 * canonical entries, one per line, in sequence order), {@code leaves.bin} (the vault's leaf
 * hashes, 32 bytes each), {@code heads.jsonl} and {@code keys.jsonl}. Entries and leaves are
 * stored uncompressed so verification runs at hashing speed. See docs/audit-format.md.
 */
public final class BundleWriter implements AutoCloseable {
    public static final String FORMAT = "keyward-audit-bundle";
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final ZipOutputStream zip;
    private boolean finished;

    private BundleWriter(Path file, ZipOutputStream zip) {
        this.file = file;
        this.zip = zip;
    }

    public static BundleWriter create(Path file) {
        try {
            OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return new BundleWriter(file, new ZipOutputStream(new BufferedOutputStream(out, 1 << 16)));
        } catch (FileAlreadyExistsException e) {
            throw new InvalidRequestException("The file " + file + " already exists; choose a new name for the bundle.");
        } catch (IOException e) {
            throw new StorageException("The bundle " + file + " could not be created: " + e.getMessage(), e);
        }
    }

    /** Writes {@code entries.jsonl}; {@code producer} hands each canonical entry to the sink in order. */
    public void writeEntries(long count, Consumer<Consumer<byte[]>> producer) {
        try {
            zip.setLevel(Deflater.NO_COMPRESSION);
            zip.putNextEntry(new ZipEntry("entries.jsonl"));
            producer.accept(entry -> {
                for (byte b : entry) {
                    if (b == '\n' || b == '\r') {
                        throw new IllegalArgumentException("a canonical entry holds no line break");
                    }
                }
                try {
                    zip.write(entry);
                    zip.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            zip.closeEntry();
        } catch (IOException | UncheckedIOException e) {
            throw failed(e);
        }
    }

    public void writeLeaves(byte[] leaves) {
        put("leaves.bin", leaves, Deflater.NO_COMPRESSION);
    }

    /** Writes heads, keys and the manifest naming {@code latest}; the bundle is then complete. */
    public void finish(List<TreeHead> heads, List<AuditKey> keys, TreeHead latest) {
        StringBuilder h = new StringBuilder();
        heads.forEach(x -> h.append(TreeHeads.toJson(x)).append('\n'));
        put("heads.jsonl", h.toString().getBytes(StandardCharsets.UTF_8), Deflater.DEFAULT_COMPRESSION);
        StringBuilder k = new StringBuilder();
        keys.forEach(x -> k.append(TreeHeads.toJson(x)).append('\n'));
        put("keys.jsonl", k.toString().getBytes(StandardCharsets.UTF_8), Deflater.DEFAULT_COMPRESSION);
        ObjectNode m = JSON.createObjectNode();
        m.put("format", FORMAT);
        m.put("version", VERSION);
        m.put("entries", latest.treeSize());
        m.put("latestHeadFingerprint", latest.fingerprint());
        put("manifest.json", AuditEntries.canonicalize(m.toString()), Deflater.DEFAULT_COMPRESSION);
        try {
            zip.finish();
            zip.flush();
        } catch (IOException e) {
            throw failed(e);
        }
        finished = true;
    }

    private void put(String name, byte[] bytes, int level) {
        try {
            zip.setLevel(level);
            zip.putNextEntry(new ZipEntry(name));
            zip.write(bytes);
            zip.closeEntry();
        } catch (IOException e) {
            throw failed(e);
        }
    }

    private StorageException failed(Exception e) {
        return new StorageException("The bundle " + file + " could not be written: " + e.getMessage(), e);
    }

    /** Closes the file; an unfinished bundle is deleted so no partial evidence is left behind. */
    @Override
    public void close() {
        try {
            zip.close();
        } catch (IOException e) {
            finished = false;
        }
        if (!finished) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // nothing more can be done; the caller already has the original failure
            }
        }
    }
}
