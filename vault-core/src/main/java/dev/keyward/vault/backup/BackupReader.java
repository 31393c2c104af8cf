package dev.keyward.vault.backup;

import dev.keyward.vault.api.BackupProgress;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.function.Consumer;

/**
 * Reads the records of a backup whose header checked out ({@link BackupFile#open}), decrypting
 * through the streaming AEAD: any altered segment, a cut stream, a wrong count or content digest is
 * a damaged backup, reported before the caller commits anything.
 */
public final class BackupReader {
    private BackupReader() {
    }

    /** Receives the records in key order. */
    @FunctionalInterface
    public interface Sink {
        void record(String key, byte[] value);
    }

    /** Reads every record into {@code sink}; returns their number. */
    public static long read(Path file, BackupFile.Header h, byte[] dataKey, Sink sink) {
        return read(file, h, dataKey, sink, BackupProgress.NONE);
    }

    /** As above, telling {@code progress} the encrypted bytes read of the body's length and the records so far. */
    public static long read(Path file, BackupFile.Header h, byte[] dataKey, Sink sink,
                            Consumer<BackupProgress> progress) {
        MessageDigest sha = BackupFile.sha256();
        long bodyLength = h.length() - BackupFile.TRAILER_BYTES - h.bodyOffset();
        long[] read = {0};
        try (InputStream body = new java.io.FilterInputStream(BackupFile.body(file, h)) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0) {
                        read[0] += n;
                    }
                    return n;
                }
            };
             InputStream plain = BackupFile.streaming(dataKey).newDecryptingStream(body, h.associatedData());
             DigestInputStream hashed = new DigestInputStream(new BufferedInputStream(plain, 1 << 16), sha);
             DataInputStream in = new DataInputStream(hashed)) {
            long n = 0;
            while (true) {
                int kind = in.readUnsignedByte();
                if (kind == BackupWriter.END) {
                    long count = in.readLong();
                    byte[] expected = ((MessageDigest) sha.clone()).digest();
                    hashed.on(false);
                    byte[] stored = in.readNBytes(32);
                    if (count != n || !MessageDigest.isEqual(expected, stored)) {
                        throw BackupFile.damaged(file, "its contents do not match their SHA-256");
                    }
                    if (in.read() != -1) {
                        throw BackupFile.damaged(file, "it has data after its end");
                    }
                    return n;
                }
                if (kind != BackupWriter.RECORD) {
                    throw BackupFile.damaged(file, "it holds an unknown frame");
                }
                int kl = in.readUnsignedShort();
                String key = new String(in.readNBytes(kl), StandardCharsets.US_ASCII);
                int vl = in.readInt();
                if (vl < 0 || vl > (64 << 20)) {
                    throw BackupFile.damaged(file, "a record has an impossible length");
                }
                byte[] value = new byte[vl];
                in.readFully(value);
                sink.record(key, value);
                n++;
                if (n % 1000 == 0) {
                    progress.accept(new BackupProgress(BackupProgress.Phase.RESTORING, n, -1, read[0], bodyLength));
                }
            }
        } catch (EOFException e) {
            throw BackupFile.damaged(file, "it ends before its last record (truncated)");
        } catch (IOException e) {
            // Tink reports a segment that does not authenticate (altered, reordered or cut) as an IOException.
            throw BackupFile.damaged(file, "its encrypted contents do not authenticate (altered or truncated)");
        } catch (CloneNotSupportedException | GeneralSecurityException e) {
            throw new IllegalStateException("the backup could not be decrypted", e);
        }
    }
}
