package dev.keyward.vault.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.Keyring;
import dev.keyward.vault.storage.H2Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A grant's usage record against a real H2 file: uses recorded together (all reads of one commit)
 * leave exactly the record that recording them one at a time leaves.
 */
class UsageRecordTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path dir;

    private static List<String> pathsOfRun() {
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 120; i++) { // more distinct paths than a record keeps
            paths.add("secret/ci/" + (i % 3 == 0 ? "db" : "svc" + i) + "/x");
        }
        return paths;
    }

    private static PolicyStore.UsageRecord record(H2Storage s, Barrier barrier, Keyring keyring, boolean together) {
        PolicyStore store = new PolicyStore(barrier, keyring.named(Keyring.INDEX_KEY));
        List<String> paths = pathsOfRun();
        s.write(tx -> {
            PolicyStore.Uses first = new PolicyStore.Uses("ci", "secret/ci/*");
            first.add("secret/ci/early", T0.minusSeconds(60));
            store.recordUses(tx, first);
            return null;
        });
        if (together) {
            s.write(tx -> {
                PolicyStore.Uses u = new PolicyStore.Uses("ci", "secret/ci/*");
                for (int i = 0; i < paths.size(); i++) {
                    u.add(paths.get(i), T0.plusMillis(i));
                }
                store.recordUses(tx, u);
                return null;
            });
        } else {
            for (int i = 0; i < paths.size(); i++) {
                int n = i;
                s.write(tx -> {
                    PolicyStore.Uses u = new PolicyStore.Uses("ci", "secret/ci/*");
                    u.add(paths.get(n), T0.plusMillis(n));
                    store.recordUses(tx, u);
                    return null;
                });
            }
        }
        return s.read(tx -> store.usage(tx, "ci", "secret/ci/*"));
    }

    @Test
    void usesRecordedTogetherEqualUsesRecordedOneByOne() throws IOException {
        Keyring keyring = Keyring.create(Instant.EPOCH);
        Barrier barrier = new Barrier(keyring);
        PolicyStore.UsageRecord together;
        PolicyStore.UsageRecord oneByOne;
        try (H2Storage s = H2Storage.open(Files.createDirectories(dir.resolve("together")))) {
            together = record(s, barrier, keyring, true);
        }
        try (H2Storage s = H2Storage.open(Files.createDirectories(dir.resolve("one-by-one")))) {
            oneByOne = record(s, barrier, keyring, false);
            assertNull(s.read(tx -> new PolicyStore(barrier, keyring.named(Keyring.INDEX_KEY))
                    .usage(tx, "ci", "secret/other/*")));
        }
        assertEquals(oneByOne, together);
        assertEquals(121, together.count());
        assertEquals(T0.minusSeconds(60), together.firstUsed());
        assertEquals(T0.plusMillis(119), together.lastUsed());
        assertEquals("secret/ci/", together.commonPrefix());
        assertEquals(64, together.paths().size());
        assertEquals("secret/ci/svc119/x", together.paths().get(0), "most recent first");
    }
}
