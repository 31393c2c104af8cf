package dev.keyward.vault.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Replaces a file atomically with content only its owner may read: a temporary file in the same
 * directory, created 0600, written and fsynced, then renamed over the target (and the directory
 * fsynced where the platform allows). A reader sees the old file or the new one, never half of one.
 */
final class AtomicFiles {
    private AtomicFiles() {
    }

    static void replacePrivate(Path file, byte[] content) {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new CliException(ExitCodes.USAGE, "The file " + file + " cannot be replaced atomically on this "
                        + "file system.");
            }
            tmp = null;
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException | UnsupportedOperationException notOnThisPlatform) {
                // some platforms cannot open a directory; the rename is still atomic
            }
        } catch (IOException e) {
            throw new CliException(ExitCodes.USAGE, "The file " + file + " could not be written: "
                    + e.getClass().getSimpleName() + ".");
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // left behind: a dot file, mode 0600
                }
            }
        }
    }
}
