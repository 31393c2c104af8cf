package dev.keyward.vault.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batched writes against a real H2 file: items of one kind waiting for the same commit go to one
 * call; a call that throws is retried item by item, so only the bad item's caller fails and
 * nothing of it is stored; every caller returns only once its item is durable.
 */
class BatchedWriteTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Holds the committer inside a write, submits each item from its own thread, waits until all of
     * them are queued behind that write, then lets it go.
     */
    private static Map<String, Throwable> submitWhileCommitterBusy(H2Storage s, List<String> items,
                                                                  Storage.Batch<String> kind) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread blocker = new Thread(() -> s.write(tx -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            tx.put("blocker", b("done"));
            return null;
        }));
        blocker.start();
        assertTrue(entered.await(30, TimeUnit.SECONDS), "the committer took the blocking write");
        Map<String, Throwable> failures = new ConcurrentHashMap<>();
        List<Thread> callers = new ArrayList<>();
        for (String item : items) {
            Thread t = new Thread(() -> {
                try {
                    s.writeBatched(kind, item);
                    // returned: the item must already be readable from committed data
                    if (s.read(tx -> tx.get("item/" + item)) == null) {
                        failures.put(item, new AssertionError("returned before its write was committed"));
                    }
                } catch (RuntimeException e) {
                    failures.put(item, e);
                }
            });
            callers.add(t);
            t.start();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (s.queued() < items.size()) {
            assertTrue(System.nanoTime() < deadline, "callers did not queue up: " + s.queued());
            Thread.sleep(5);
        }
        release.countDown();
        for (Thread t : callers) {
            t.join(30_000);
        }
        blocker.join(30_000);
        return failures;
    }

    @Test
    void itemsWaitingForTheSameCommitGoToOneCall() throws Exception {
        List<Integer> callSizes = new CopyOnWriteArrayList<>();
        Storage.Batch<String> kind = (tx, items) -> {
            callSizes.add(items.size());
            items.forEach(i -> tx.put("item/" + i, b(i)));
        };
        List<String> items = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            items.add("i" + i);
        }
        try (H2Storage s = H2Storage.open(dir)) {
            Map<String, Throwable> failures = submitWhileCommitterBusy(s, items, kind);
            assertEquals(Map.of(), failures);
            assertEquals(List.of(20), callSizes, "all twenty were queued behind one commit");
            assertArrayEquals(b("done"), s.read(tx -> tx.get("blocker")));
        }
        try (H2Storage s = H2Storage.open(dir)) {
            for (String i : items) {
                assertArrayEquals(b(i), s.read(tx -> tx.get("item/" + i)), "durable across a reopen: " + i);
            }
        }
    }

    @Test
    void aFailingCallIsRetriedItemByItemSoOnlyTheBadItemFails() throws Exception {
        List<Integer> callSizes = new CopyOnWriteArrayList<>();
        Storage.Batch<String> kind = (tx, items) -> {
            callSizes.add(items.size());
            for (String i : items) {
                tx.put("item/" + i, b(i)); // written before the failure: must be rolled back
                if (i.startsWith("bad")) {
                    throw new IllegalStateException("refused " + i);
                }
            }
        };
        List<String> items = List.of("a", "b", "bad1", "c", "d");
        try (H2Storage s = H2Storage.open(dir)) {
            Map<String, Throwable> failures = submitWhileCommitterBusy(s, items, kind);
            assertEquals(List.of("bad1"), List.copyOf(failures.keySet()));
            assertEquals("refused bad1", failures.get("bad1").getMessage());
            assertEquals(5, callSizes.get(0), "first all at once");
            assertEquals(List.of(5, 1, 1, 1, 1, 1), callSizes, "then each on its own");
            for (String i : List.of("a", "b", "c", "d")) {
                assertArrayEquals(b(i), s.read(tx -> tx.get("item/" + i)));
            }
            assertNull(s.read(tx -> tx.get("item/bad1")), "the failed item left nothing");
        }
    }
}
