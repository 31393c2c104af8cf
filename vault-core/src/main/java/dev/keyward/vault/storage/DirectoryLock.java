package dev.keyward.vault.storage;

import dev.keyward.vault.api.StorageException;
import dev.keyward.vault.api.VaultInUseException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One owner per vault directory: an exclusive OS lock on {@code keyward.lock}, held while the
 * vault is open. It refuses a second process and a second open in the same process alike.
 */
public final class DirectoryLock implements AutoCloseable {
    public static final String FILE = "keyward.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static DirectoryLock acquire(Path dir) {
        FileChannel ch;
        try {
            ch = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StorageException("The vault directory " + dir + " cannot be locked: " + e.getMessage(), e);
        }
        try {
            FileLock l = ch.tryLock();
            if (l == null) {
                throw inUse(dir);
            }
            return new DirectoryLock(ch, l);
        } catch (OverlappingFileLockException e) {
            closeQuietly(ch);
            throw inUse(dir);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new StorageException("The vault directory " + dir + " cannot be locked: " + e.getMessage(), e);
        } catch (VaultInUseException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static VaultInUseException inUse(Path dir) {
        return new VaultInUseException("The vault directory " + dir
                + " is in use by another Keyward process (a running 'keyward serve' or console).");
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing more to release
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // released with the channel below
        }
        closeQuietly(channel);
    }
}
