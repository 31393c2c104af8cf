package dev.keyward.vault.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-ahead journal against a real H2 file: H2 coming back with an older state after a
 * crash (simulated by putting an older database file next to the newer journal) loses nothing
 * that was acknowledged; a torn tail is ignored; a damaged journal refuses to open.
 */
class JournalTest {
    @TempDir
    Path dir;
    @TempDir
    Path crashed;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void put(Storage s, String k, String v) {
        s.write(tx -> {
            tx.put(k, b(v));
            return null;
        });
    }

    private static byte[] get(Storage s, String k) {
        return s.read(tx -> tx.get(k));
    }

    /** The database file as a clean close left it, with the journal of everything acknowledged since. */
    private void olderDatabaseWithNewerJournal() throws IOException {
        Files.copy(dir.resolve("vault.mv.db"), crashed.resolve("vault.mv.db"), StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * {@code crashed} as a crash could leave it: the database holds "a" only, the journal the two
     * batches that wrote "b" and "c".
     */
    private void crashAfterTwoJournaledBatches() throws IOException {
        try (H2Storage s = H2Storage.open(dir)) {
            put(s, "a", "1");
        }
        olderDatabaseWithNewerJournal();
        try (H2Storage s = H2Storage.open(dir)) {
            put(s, "b", "2");
            put(s, "c", "3");
            Files.copy(dir.resolve(Journal.FILE), crashed.resolve(Journal.FILE));
        }
    }

    @Test
    void acknowledgedWritesSurviveWhenTheDatabaseComesBackOlder() throws IOException {
        try (H2Storage s = H2Storage.open(dir)) {
            put(s, "kv/old", "1");
            put(s, "kv/gone", "x");
            put(s, "kv/p/a", "a");
            put(s, "kv/p/b", "b");
        }
        assertEquals(0, Files.size(dir.resolve(Journal.FILE)), "a clean close empties the journal");
        olderDatabaseWithNewerJournal();
        try (H2Storage s = H2Storage.open(dir)) {
            put(s, "kv/new", "2");
            put(s, "kv/old", "3");
            s.write(tx -> tx.delete("kv/gone"));
            s.write(tx -> tx.deletePrefix("kv/p/"));
            put(s, "kv/p/b", "b2");
            // A work item that fails is rolled back alone and leaves nothing in the journal.
            assertThrows(IllegalStateException.class, () -> s.write(tx -> {
                tx.put("kv/failed", b("no"));
                throw new IllegalStateException("refused");
            }));
            assertTrue(Files.size(dir.resolve(Journal.FILE)) > 0);
            // A crash now: the H2 file recovered is the older one, the journal is what was forced.
            Files.copy(dir.resolve(Journal.FILE), crashed.resolve(Journal.FILE));
        }
        try (H2Storage s = H2Storage.open(crashed)) {
            assertArrayEquals(b("2"), get(s, "kv/new"));
            assertArrayEquals(b("3"), get(s, "kv/old"));
            assertNull(get(s, "kv/gone"));
            assertNull(get(s, "kv/p/a"));
            assertArrayEquals(b("b2"), get(s, "kv/p/b"));
            assertNull(get(s, "kv/failed"));
        }
        assertEquals(0, Files.size(crashed.resolve(Journal.FILE)), "the replayed journal was checkpointed");
        // Replayed state is durable in the database itself now.
        try (H2Storage s = H2Storage.open(crashed)) {
            assertArrayEquals(b("2"), get(s, "kv/new"));
            assertNull(get(s, "kv/p/a"));
        }
    }

    @Test
    void aTornLastBatchIsIgnoredAndEverythingBeforeItKept() throws IOException {
        crashAfterTwoJournaledBatches();
        // A batch that was being written when the process died: its frame is cut short.
        byte[] journal = Files.readAllBytes(crashed.resolve(Journal.FILE));
        int firstFrame = 8 + java.nio.ByteBuffer.wrap(journal).getInt();
        byte[] torn = java.util.Arrays.copyOf(journal, firstFrame - 1);
        Files.write(crashed.resolve(Journal.FILE), torn, StandardOpenOption.APPEND);
        try (H2Storage s = H2Storage.open(crashed)) {
            assertArrayEquals(b("1"), get(s, "a"));
            assertArrayEquals(b("2"), get(s, "b"));
            assertArrayEquals(b("3"), get(s, "c"));
            put(s, "d", "4");
        }
        try (H2Storage s = H2Storage.open(crashed)) {
            assertArrayEquals(b("4"), get(s, "d"));
        }
    }

    @Test
    void aDamagedJournalWithDataAfterTheDamageRefusesToOpen() throws IOException {
        crashAfterTwoJournaledBatches();
        byte[] journal = Files.readAllBytes(crashed.resolve(Journal.FILE));
        journal[12] ^= 0x40; // inside the first batch, which is followed by the second
        Files.write(crashed.resolve(Journal.FILE), journal);
        StorageException e = assertThrows(StorageException.class, () -> H2Storage.open(crashed));
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
        // Nothing was changed: the journal is as it was, and a second attempt is refused for the same
        // reason (not because the failed open kept the directory locked).
        assertArrayEquals(journal, Files.readAllBytes(crashed.resolve(Journal.FILE)));
        StorageException again = assertThrows(StorageException.class, () -> H2Storage.open(crashed));
        assertTrue(again.getMessage().contains("damaged"), again.getMessage());
    }

    /** A journal segment's size, 0 while it does not exist (a checkpoint renames the current one). */
    private long sizeIfPresent(String name) {
        try {
            return Files.size(dir.resolve(name));
        } catch (IOException e) {
            return 0;
        }
    }

    @Test
    void checkpointsKeepTheJournalSmallWhileReadersRun() throws Exception {
        long limit = 16 * 1024;
        AtomicBoolean stop = new AtomicBoolean();
        List<String> problems = new ArrayList<>();
        try (H2Storage s = H2Storage.open(dir, limit)) {
            put(s, "fixed", "f");
            ExecutorService pool = Executors.newFixedThreadPool(3);
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                readers.add(pool.submit(() -> {
                    while (!stop.get()) {
                        byte[] v = get(s, "fixed");
                        if (v == null || !"f".equals(new String(v, StandardCharsets.UTF_8))) {
                            synchronized (problems) {
                                problems.add("read " + (v == null ? "null" : new String(v, StandardCharsets.UTF_8)));
                            }
                        }
                    }
                }));
            }
            long maxJournal = 0;
            for (int i = 0; i < 400; i++) {
                put(s, "k" + i, "v".repeat(200) + i);
                maxJournal = Math.max(maxJournal, sizeIfPresent(Journal.FILE) + sizeIfPresent(Journal.SEALED));
            }
            stop.set(true);
            for (Future<?> f : readers) {
                f.get();
            }
            pool.shutdown();
            // At most a sealed segment of about the limit and a current one of up to four times it (the
            // fallback to a clean checkpoint when the database file does not catch up).
            assertTrue(maxJournal < 5 * limit + 8192, "journal stayed near its limit: " + maxJournal);
            System.err.println("checkpoints finished in the background: " + s.checkpointsFinished());
            for (int i = 0; i < 400; i++) {
                assertArrayEquals(b("v".repeat(200) + i), get(s, "k" + i));
            }
        }
        assertEquals(List.of(), problems);
        try (H2Storage s = H2Storage.open(dir)) {
            assertArrayEquals(b("v".repeat(200) + 399), get(s, "k399"));
        }
    }

    /**
     * {@code crashed} as a crash during a checkpoint could leave it: the database file as a clean
     * close left it (only "a"), the sealed segment (b0..b199) and the current one (c0..c19).
     */
    private void crashWhileACheckpointIsHeld() throws Exception {
        try (H2Storage s = H2Storage.open(dir)) {
            put(s, "a", "1");
        }
        olderDatabaseWithNewerJournal();
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (H2Storage s = H2Storage.open(dir, 16 * 1024)) {
            s.onCheckpoint(() -> {
                held.countDown();
                try {
                    release.await(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            int i = 0;
            while (!Files.exists(dir.resolve(Journal.SEALED))) {
                put(s, "b" + i, "v".repeat(200) + i);
                i++;
            }
            for (int j = 0; j < 20; j++) {
                put(s, "c" + j, "w" + j);
            }
            assertTrue(Files.exists(dir.resolve(Journal.SEALED)), "the checkpoint is still held");
            Files.copy(dir.resolve(Journal.SEALED), crashed.resolve(Journal.SEALED));
            Files.copy(dir.resolve(Journal.FILE), crashed.resolve(Journal.FILE));
            release.countDown();
            sealedBatches = i;
        }
    }

    private int sealedBatches;

    @Test
    void aCrashDuringACheckpointReplaysTheSealedAndTheCurrentSegment() throws Exception {
        crashWhileACheckpointIsHeld();
        try (H2Storage s = H2Storage.open(crashed)) {
            assertArrayEquals(b("1"), get(s, "a"));
            for (int i = 0; i < sealedBatches; i++) {
                assertArrayEquals(b("v".repeat(200) + i), get(s, "b" + i));
            }
            for (int j = 0; j < 20; j++) {
                assertArrayEquals(b("w" + j), get(s, "c" + j));
            }
        }
        assertTrue(!Files.exists(crashed.resolve(Journal.SEALED)), "the replay was checkpointed");
        assertEquals(0, Files.size(crashed.resolve(Journal.FILE)));
    }

    @Test
    void aDeletedSealedSegmentRefusesToOpen() throws Exception {
        crashWhileACheckpointIsHeld();
        Files.delete(crashed.resolve(Journal.SEALED));
        byte[] current = Files.readAllBytes(crashed.resolve(Journal.FILE));
        StorageException e = assertThrows(StorageException.class, () -> H2Storage.open(crashed));
        assertTrue(e.getMessage().contains("disagree") && e.getMessage().contains("were cut from its start"),
                e.getMessage());
        assertArrayEquals(current, Files.readAllBytes(crashed.resolve(Journal.FILE)), "nothing was changed");
    }

    @Test
    void aSealedSegmentCutShortRefusesToOpen() throws Exception {
        crashWhileACheckpointIsHeld();
        byte[] sealed = Files.readAllBytes(crashed.resolve(Journal.SEALED));
        Files.write(crashed.resolve(Journal.SEALED), java.util.Arrays.copyOf(sealed, sealed.length / 2));
        StorageException e = assertThrows(StorageException.class, () -> H2Storage.open(crashed));
        assertTrue(e.getMessage().contains("damaged") || e.getMessage().contains("out of order"), e.getMessage());
        assertEquals(sealed.length / 2, Files.size(crashed.resolve(Journal.SEALED)), "nothing was changed");
    }
}
