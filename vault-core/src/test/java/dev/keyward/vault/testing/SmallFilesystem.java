package dev.keyward.vault.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real file system of a few MiB (tmpfs, mounted for the test and unmounted after), so that a
 * test can fill it up. Mounting needs root (CI runs as root); without it the test is skipped on a
 * developer machine and fails when the environment variable CI is set.
 */
public final class SmallFilesystem implements AutoCloseable {
    private final Path mountPoint;

    private SmallFilesystem(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Mounts a tmpfs of {@code mib} MiB on a new directory under {@code parent}. */
    public static SmallFilesystem mount(Path parent, int mib) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(parent.resolve("small-fs"));
        String why;
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + mib + "m,mode=0700", "tmpfs",
                    dir.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return new SmallFilesystem(dir);
            }
            why = "mount -t tmpfs failed: " + out.strip();
        } catch (IOException e) {
            why = "mount could not be run: " + e.getMessage();
        }
        if (System.getenv("CI") != null) {
            fail("The disk-full test must run in CI (as root, able to mount a tmpfs), but " + why);
        }
        Assumptions.abort("disk-full test skipped: " + why);
        throw new IllegalStateException("unreachable");
    }

    public Path path() {
        return mountPoint;
    }

    /** Writes a file until the file system is full; returns it (delete it to free the space). */
    public Path fill() throws IOException {
        Path filler = mountPoint.resolve("filler");
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            // no space left: that was the point
        }
        // The last partial block may leave a few bytes; take them too.
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
            while (true) {
                out.write(0);
                out.flush();
            }
        } catch (IOException full) {
            return filler;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("umount", "-l", mountPoint.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
    }
}
