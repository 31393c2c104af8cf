package dev.keyward.vault.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.Keyring;
import dev.keyward.vault.storage.H2Storage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record cache against a real H2 file: only exactly unchanged stored bytes are answered from it. */
class RecordsCacheTest {
    private static final String KIND = "test.kind";
    private static final String KEY = "t/one";

    @TempDir
    Path dir;

    record Item(String name, List<String> tags) {
        Item {
            tags = List.copyOf(tags);
        }
    }

    @Test
    void answersFromTheCacheOnlyWhileTheStoredBytesAreUnchanged() {
        Barrier barrier = new Barrier(Keyring.create(Instant.EPOCH));
        Records.Cache<Item> cache = new Records.Cache<>(barrier, KIND, Item.class, 16);
        try (H2Storage s = H2Storage.open(dir)) {
            assertNull(s.read(tx -> cache.get(tx, KEY)));
            s.write(tx -> {
                Records.put(tx, barrier, KIND, KEY, new Item("a", List.of("x")));
                return null;
            });
            Item first = s.read(tx -> cache.get(tx, KEY));
            assertEquals(new Item("a", List.of("x")), first);
            assertSame(first, s.read(tx -> cache.get(tx, KEY)), "unchanged bytes: the kept record");

            s.write(tx -> {
                Records.put(tx, barrier, KIND, KEY, new Item("a", List.of("x"))); // same content, new nonce
                return null;
            });
            Item again = s.read(tx -> cache.get(tx, KEY));
            assertNotSame(first, again, "other bytes are opened again");
            assertEquals(first, again);

            s.write(tx -> tx.delete(KEY));
            assertNull(s.read(tx -> cache.get(tx, KEY)), "a deleted record is gone at once");

            s.write(tx -> {
                Records.put(tx, barrier, KIND, KEY, new Item("b", List.of()));
                return null;
            });
            s.read(tx -> cache.get(tx, KEY));
            s.write(tx -> {
                byte[] sealed = tx.get(KEY);
                sealed[sealed.length - 1] ^= 1;
                tx.put(KEY, sealed);
                return null;
            });
            assertThrows(IntegrityException.class, () -> s.read(tx -> cache.get(tx, KEY)),
                    "altered bytes are opened, and fail, rather than answered from the cache");
        }
    }

    @Test
    void staysWithinItsCapacity() {
        Barrier barrier = new Barrier(Keyring.create(Instant.EPOCH));
        Records.Cache<Item> cache = new Records.Cache<>(barrier, KIND, Item.class, 4);
        try (H2Storage s = H2Storage.open(dir)) {
            for (int i = 0; i < 10; i++) {
                String key = "t/" + i;
                s.write(tx -> {
                    Records.put(tx, barrier, KIND, key, new Item(key, List.of()));
                    return null;
                });
                assertEquals(key, s.read(tx -> cache.get(tx, key)).name());
            }
            assertEquals("Records.Cache[test.kind, 2 kept]", cache.toString());
        }
    }
}
