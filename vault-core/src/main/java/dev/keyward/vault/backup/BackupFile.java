package dev.keyward.vault.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.BackupInfo;
import dev.keyward.vault.api.BackupProgress;
import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.TreeHead;
import dev.keyward.vault.audit.TreeHeads;
import dev.keyward.vault.crypto.Aead;
import dev.keyward.vault.crypto.AesGcm;
import dev.keyward.vault.crypto.Argon2;
import dev.keyward.vault.crypto.DestroyableKey;
import dev.keyward.vault.seal.SealConfig;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * The backup file format (see docs/backup.md):
 *
 * <pre>
 * "KEYWARD-BACKUP1\n"                 magic, 16 bytes
 * u32 length, header                  JSON: format, time, protection, seal.json, KDF salt and
 *                                     parameters, the wrapped data key, the latest signed audit head
 * ciphertext                          Tink AES-GCM-HKDF streaming AEAD (1 MiB segments) under the
 *                                     data key, with magic + length + header as associated data
 * "KWSHA256", 32 bytes                SHA-256 of every byte before it
 * </pre>
 *
 * The data key is 32 random bytes, wrapped (AES-256-GCM) either by the vault's root key (only the
 * same unseal material restores it) or by an Argon2id key from a separate backup passphrase. The
 * plaintext is a sequence of records and an end frame with their count and the SHA-256 of the
 * plaintext before it; see {@link BackupWriter} and {@link BackupReader}.
 */
public final class BackupFile {
    static final byte[] MAGIC = "KEYWARD-BACKUP1\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] TRAILER = "KWSHA256".getBytes(StandardCharsets.US_ASCII);
    static final int TRAILER_BYTES = TRAILER.length + 32;
    static final int MAX_HEADER = 1 << 20;
    static final int SEGMENT = 1 << 20;
    public static final byte[] WRAP_AAD = "keyward.backup.data-key.v1".getBytes(StandardCharsets.US_ASCII);
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    private BackupFile() {
    }

    /** The parsed header of a backup whose trailer checked out. */
    public record Header(byte[] bytes, String protection, Instant created, SealConfig seal, byte[] wrappedKey,
                         byte[] salt, Argon2Parameters kdf, TreeHead auditHead, String logId, long length,
                         String sha256) {
        /** The associated data of the ciphertext: magic, length and header, as written. */
        byte[] associatedData() {
            ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + bytes.length);
            return b.put(MAGIC).putInt(bytes.length).put(bytes).array();
        }

        /** Where the ciphertext starts. */
        long bodyOffset() {
            return MAGIC.length + 4L + bytes.length;
        }

        public BackupInfo info(Path file, long records) {
            return new BackupInfo(file.toString(), created, protection, seal.type(), records, length, sha256,
                    auditHead, logId);
        }
    }

    /** The header's bytes for a new backup. */
    public static byte[] header(String protection, Instant created, SealConfig seal, byte[] wrappedKey, byte[] salt,
                         Argon2Parameters kdf, TreeHead head, String logId, String version) {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", 1);
        o.put("keyward", version);
        o.put("created", created.toString());
        o.put("protection", protection);
        ObjectNode s = o.putObject("seal");
        s.put("type", seal.type());
        s.set("params", seal.params().deepCopy());
        o.put("wrapped_key", Base64.getEncoder().encodeToString(wrappedKey));
        if (salt != null) {
            ObjectNode k = o.putObject("kdf");
            k.put("algorithm", "argon2id");
            k.put("salt", Base64.getEncoder().encodeToString(salt));
            k.put("memory_kib", kdf.memoryKiB());
            k.put("iterations", kdf.iterations());
            k.put("parallelism", kdf.parallelism());
        }
        if (head != null) {
            o.set("audit_head", read(TreeHeads.toJson(head)));
        }
        if (logId != null) {
            o.put("log_id", logId);
        }
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException("the backup header could not be written", e);
        }
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Checks the file's trailer (its SHA-256 over everything before it) and reads its header. A
     * truncated or altered file fails here, before anything is decrypted or written.
     */
    public static Header open(Path file) {
        return open(file, BackupProgress.NONE);
    }

    /** As {@link #open(Path)}, telling {@code progress} the bytes checked of the file's length. */
    public static Header open(Path file, Consumer<BackupProgress> progress) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidRequestException("The backup file " + file + " does not exist.");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < MAGIC.length + 4 + TRAILER_BYTES) {
                throw damaged(file, "it is too short to be a Keyward backup (truncated?)");
            }
            ByteBuffer magic = ByteBuffer.allocate(MAGIC.length);
            readFully(ch, magic, 0);
            if (!Arrays.equals(magic.array(), MAGIC)) {
                throw new InvalidRequestException("The file " + file + " is not a Keyward backup.");
            }
            MessageDigest sha = sha256();
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            long pos = 0;
            long end = size - TRAILER_BYTES;
            while (pos < end) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), end - pos));
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw damaged(file, "it ended while being read");
                }
                buf.flip();
                sha.update(buf);
                pos += n;
                progress.accept(new BackupProgress(BackupProgress.Phase.CHECKING, 0, -1, pos, end));
            }
            ByteBuffer trailer = ByteBuffer.allocate(TRAILER_BYTES);
            readFully(ch, trailer, end);
            byte[] t = trailer.array();
            byte[] digest = sha.digest();
            if (!Arrays.equals(Arrays.copyOf(t, TRAILER.length), TRAILER)
                    || !MessageDigest.isEqual(Arrays.copyOfRange(t, TRAILER.length, TRAILER_BYTES), digest)) {
                throw damaged(file, "its SHA-256 does not match its contents (truncated or altered)");
            }
            ByteBuffer len = ByteBuffer.allocate(4);
            readFully(ch, len, MAGIC.length);
            int headerLength = len.getInt(0);
            if (headerLength <= 0 || headerLength > MAX_HEADER || MAGIC.length + 4L + headerLength > end) {
                throw damaged(file, "its header length is impossible");
            }
            ByteBuffer hb = ByteBuffer.allocate(headerLength);
            readFully(ch, hb, MAGIC.length + 4L);
            return parse(file, hb.array(), size, HEX.formatHex(digest));
        } catch (IOException e) {
            throw new InvalidRequestException("The backup file " + file + " could not be read: " + e.getMessage());
        }
    }

    private static Header parse(Path file, byte[] bytes, long size, String sha) {
        try {
            JsonNode o = JSON.readTree(bytes);
            if (o.path("format").asInt() != 1) {
                throw new InvalidRequestException("The backup " + file + " has format " + o.path("format")
                        + ", which this Keyward does not read.");
            }
            String protection = o.path("protection").asText();
            if (!protection.equals(BackupInfo.FOR_UNSEAL) && !protection.equals(BackupInfo.FOR_PASSPHRASE)) {
                throw damaged(file, "its protection '" + protection + "' is unknown");
            }
            JsonNode seal = o.path("seal");
            if (!seal.path("params").isObject() || !seal.hasNonNull("type")) {
                throw damaged(file, "it carries no seal configuration");
            }
            byte[] salt = null;
            Argon2Parameters kdf = null;
            if (protection.equals(BackupInfo.FOR_PASSPHRASE)) {
                JsonNode k = o.path("kdf");
                salt = Base64.getDecoder().decode(k.path("salt").asText());
                kdf = new Argon2Parameters(k.path("memory_kib").asInt(), k.path("iterations").asInt(),
                        k.path("parallelism").asInt());
            }
            TreeHead head = o.hasNonNull("audit_head") ? TreeHeads.fromJson(o.get("audit_head").toString()) : null;
            return new Header(bytes, protection, Instant.parse(o.path("created").asText()),
                    new SealConfig(seal.get("type").asText(), (ObjectNode) seal.get("params").deepCopy()),
                    Base64.getDecoder().decode(o.path("wrapped_key").asText()), salt, kdf, head,
                    o.path("log_id").asText(null), size, sha);
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidRequestException ire) {
                throw ire;
            }
            throw damaged(file, "its header cannot be read");
        }
    }

    static InvalidRequestException damaged(Path file, String why) {
        return new InvalidRequestException("The backup " + file + " is damaged: " + why + ". Nothing was changed.");
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        long pos = at;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    // ------------------------------------------------------------------ keys

    /** The streaming AEAD for a data key (Tink's AES-256-GCM-HKDF, 1 MiB segments). */
    static StreamingAead streaming(byte[] dataKey) {
        try {
            return new AesGcmHkdfStreaming(dataKey, "HmacSha256", 32, SEGMENT, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the streaming AEAD is not available", e);
        }
    }

    /** Wraps the data key under an Argon2id key from the backup passphrase. */
    public static byte[] wrapWithPassphrase(byte[] dataKey, char[] passphrase, byte[] salt, Argon2Parameters p) {
        try (AesGcm kek = passphraseKey(passphrase, salt, p)) {
            return kek.encrypt(dataKey, WRAP_AAD);
        }
    }

    /** The data key of a passphrase backup; a wrong passphrase is an authentication failure. */
    static byte[] unwrapWithPassphrase(Header h, char[] passphrase) {
        try (AesGcm kek = passphraseKey(passphrase, h.salt(), h.kdf())) {
            return kek.decrypt(h.wrappedKey(), WRAP_AAD);
        } catch (IntegrityException e) {
            throw new AuthenticationFailedException("The backup passphrase is wrong (the backup's key did not open)."
                    + " Nothing was changed.");
        }
    }

    /** The data key of an unseal-material backup, opened by the vault's root key. */
    static byte[] unwrapWithRoot(Header h, Aead root) {
        try {
            return root.decrypt(h.wrappedKey(), WRAP_AAD);
        } catch (IntegrityException e) {
            throw new AuthenticationFailedException("The unseal material does not open this backup: it was taken"
                    + " from a vault with another root key. Nothing was changed.");
        }
    }

    private static AesGcm passphraseKey(char[] passphrase, byte[] salt, Argon2Parameters p) {
        byte[] k = Argon2.derive(passphrase, salt, p, AesGcm.KEY_BYTES);
        try {
            return new AesGcm(DestroyableKey.copyOf(k, "AES"));
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes before the ciphertext: magic, header length, header. */
    static byte[] prefix(byte[] header) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(MAGIC.length + 4 + header.length);
        try (DataOutputStream d = new DataOutputStream(b)) {
            d.write(MAGIC);
            d.writeInt(header.length);
            d.write(header);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return b.toByteArray();
    }

    /** An input stream of the file's ciphertext only (between the header and the trailer). */
    static InputStream body(Path file, Header h) throws IOException {
        InputStream in = Files.newInputStream(file);
        long skip = h.bodyOffset();
        while (skip > 0) {
            long n = in.skip(skip);
            if (n <= 0) {
                in.close();
                throw new IOException("unexpected end of file");
            }
            skip -= n;
        }
        return new BoundedInput(in, h.length() - TRAILER_BYTES - h.bodyOffset());
    }

    /** At most {@code remaining} bytes of {@code in}. */
    private static final class BoundedInput extends java.io.FilterInputStream {
        private long remaining;

        BoundedInput(InputStream in, long remaining) {
            super(in);
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }
}
