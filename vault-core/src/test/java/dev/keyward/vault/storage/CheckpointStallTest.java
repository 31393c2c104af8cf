package dev.keyward.vault.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint does not stop calls: while one is held open (by a hook inside it, for as long as
 * the test likes), reads and durable writes go on and return.
 */
class CheckpointStallTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void put(Storage s, String k, String v) {
        s.write(tx -> {
            tx.put(k, b(v));
            return null;
        });
    }

    /** Runs {@code op} on another thread and waits for it at most {@code seconds}. */
    private static long timed(Runnable op, int seconds, String what) throws Exception {
        CompletableFuture<Long> f = CompletableFuture.supplyAsync(() -> {
            long t0 = System.nanoTime();
            op.run();
            return System.nanoTime() - t0;
        });
        try {
            return f.get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(what + " did not return within " + seconds + " s while a checkpoint was under way");
        }
    }

    @Test
    void readsAndDurableWritesGoOnWhileACheckpointIsUnderWay() throws Exception {
        CountDownLatch inCheckpoint = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        AtomicInteger written = new AtomicInteger();
        try (H2Storage s = H2Storage.open(dir, 16 * 1024)) {
            put(s, "fixed", "f");
            s.onCheckpoint(() -> {
                if (first.getAndSet(false)) {
                    inCheckpoint.countDown();
                    try {
                        release.await(120, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            Thread filler = new Thread(() -> {
                while (inCheckpoint.getCount() > 0) {
                    int i = written.getAndIncrement();
                    put(s, "fill/" + i, "v".repeat(300) + i);
                }
            });
            filler.start();
            assertTrue(inCheckpoint.await(60, TimeUnit.SECONDS), "a checkpoint fell due");
            assertTrue(java.nio.file.Files.exists(dir.resolve(Journal.SEALED)),
                    "the checkpoint's segment is sealed and kept until it is finished");
            long worstRead = 0;
            long worstWrite = 0;
            try {
                for (int i = 0; i < 20; i++) {
                    worstRead = Math.max(worstRead, timed(() -> {
                        if (!"f".equals(new String(s.read(tx -> tx.get("fixed")), StandardCharsets.UTF_8))) {
                            throw new AssertionError("read back wrong");
                        }
                    }, 10, "a read"));
                    String k = "during/" + i;
                    worstWrite = Math.max(worstWrite, timed(() -> put(s, k, "d" + k), 10, "a durable write"));
                }
            } finally {
                release.countDown();
            }
            filler.join(30_000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (s.checkpointsFinished() == 0 && System.nanoTime() < deadline) {
                put(s, "after", "a"); // the commits that let the database file catch up
            }
            assertTrue(s.checkpointsFinished() > 0, "the held checkpoint finished once released");
            System.err.printf("while a checkpoint was under way: worst read %.1f ms, worst durable write %.1f ms%n",
                    worstRead / 1e6, worstWrite / 1e6);
            for (int i = 0; i < 20; i++) {
                String k = "during/" + i;
                assertArrayEquals(b("d" + k), s.read(tx -> tx.get(k)));
            }
        }
        try (H2Storage s = H2Storage.open(dir)) {
            for (int i = 0; i < 20; i++) {
                String k = "during/" + i;
                assertArrayEquals(b("d" + k), s.read(tx -> tx.get(k)), "durable: " + k);
            }
            for (int i = 0; i < written.get(); i++) {
                String k = "fill/" + i;
                assertArrayEquals(b("v".repeat(300) + i), s.read(tx -> tx.get(k)), "durable: " + k);
            }
        }
    }
}
