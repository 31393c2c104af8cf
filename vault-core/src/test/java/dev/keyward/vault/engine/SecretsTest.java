package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.CasMismatchException;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.KvConfig;
import dev.keyward.vault.api.MetadataUpdate;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.SecretMetadata;
import dev.keyward.vault.api.SecretPatch;
import dev.keyward.vault.api.SecretVersion;
import dev.keyward.vault.api.SecretsService;
import dev.keyward.vault.api.VersionMetadata;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** KV v2 semantics through the guarded door, on a real H2 file. */
class SecretsTest {
    @TempDir
    Path home;

    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    TestVaults.Opened vault;
    SecretsService kv;
    Caller admin;

    @BeforeEach
    void open() {
        vault = TestVaults.initialised(TestVaults.config(home, clock));
        kv = vault.engine().secrets();
        admin = vault.caller();
    }

    @AfterEach
    void close() {
        if (vault != null) {
            vault.close();
        }
    }

    static SecretData data(String... kvs) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kvs.length; i += 2) {
            m.put(kvs[i], kvs[i + 1]);
        }
        return SecretData.of(m);
    }

    @Test
    void threeVersionsSurviveCloseAndReopenAndEachReadsBack() {
        for (int v = 1; v <= 3; v++) {
            assertEquals(v, kv.write(admin, "team/db/password", data("value", "pw-" + v), null).version());
        }
        vault.close();
        try (Engine e = Engine.open(TestVaults.config(home, clock))) {
            assertTrue(e.status().sealed());
            TestVaults.unseal(e);
            Caller c = e.login(TestVaults.ADMIN, TestVaults.ADMIN_PASS.toCharArray(), "t").caller();
            for (int v = 1; v <= 3; v++) {
                assertEquals("pw-" + v, e.secrets().read(c, "team/db/password", v).data().field("value"));
            }
            assertEquals("pw-3", e.secrets().read(c, "team/db/password", 0).data().field("value"));
        }
        vault = null;
    }

    @Test
    void readOfAbsentSecretOrVersionIsNotFound() {
        assertThrows(NotFoundException.class, () -> kv.read(admin, "nope", 0));
        kv.write(admin, "a", data("f", "1"), null);
        assertThrows(NotFoundException.class, () -> kv.read(admin, "a", 2));
    }

    @Nested
    class CheckAndSet {
        @Test
        void casZeroCreatesOnlyWhenAbsent() {
            assertEquals(1, kv.write(admin, "c", data("f", "1"), 0).version());
            assertThrows(CasMismatchException.class, () -> kv.write(admin, "c", data("f", "2"), 0));
        }

        @Test
        void casNMustMatchTheCurrentVersion() {
            kv.write(admin, "c", data("f", "1"), null);
            kv.write(admin, "c", data("f", "2"), null);
            CasMismatchException e = assertThrows(CasMismatchException.class,
                    () -> kv.write(admin, "c", data("f", "3"), 1));
            assertEquals("check-and-set parameter did not match the current version", e.getMessage());
            assertEquals(3, kv.write(admin, "c", data("f", "3"), 2).version());
            assertEquals("3", kv.read(admin, "c", 0).data().field("f"));
        }

        @Test
        void casRequiredByMetadataOrConfigRefusesAWriteWithoutCas() {
            kv.writeMetadata(admin, "req", new MetadataUpdate(null, true, null, null));
            assertThrows(InvalidRequestException.class, () -> kv.write(admin, "req", data("f", "1"), null));
            assertEquals(1, kv.write(admin, "req", data("f", "1"), 0).version());
            kv.writeConfig(admin, new KvConfig(10, true, Duration.ZERO));
            assertThrows(InvalidRequestException.class, () -> kv.write(admin, "other", data("f", "1"), null));
        }
    }

    @Nested
    class DeleteUndeleteDestroy {
        @Test
        void softDeleteHidesDataButKeepsMetadataAndUndeleteRestoresIt() {
            kv.write(admin, "s", data("f", "1"), null);
            kv.write(admin, "s", data("f", "2"), null);
            kv.deleteLatest(admin, "s");
            SecretVersion latest = kv.read(admin, "s", 0);
            assertFalse(latest.hasData());
            assertEquals(2, latest.metadata().version());
            assertNotNull(latest.metadata().deletionTime());
            assertFalse(latest.metadata().destroyed());
            assertEquals("1", kv.read(admin, "s", 1).data().field("f"));
            kv.undelete(admin, "s", List.of(2));
            assertEquals("2", kv.read(admin, "s", 0).data().field("f"));
            assertNull(kv.read(admin, "s", 0).metadata().deletionTime());
        }

        @Test
        void deleteOfGivenVersionsIgnoresUnknownOnes() {
            kv.write(admin, "s", data("f", "1"), null);
            kv.write(admin, "s", data("f", "2"), null);
            kv.delete(admin, "s", List.of(1, 7));
            assertFalse(kv.read(admin, "s", 1).hasData());
            assertTrue(kv.read(admin, "s", 2).hasData());
        }

        @Test
        void destroyRemovesTheCiphertextForGoodAndUndeleteCannotBringItBack() {
            kv.write(admin, "s", data("f", "1"), null);
            kv.write(admin, "s", data("f", "2"), null);
            int before = countKeys("kv/d/");
            kv.destroy(admin, "s", List.of(1));
            assertEquals(before - 1, countKeys("kv/d/"), "the version's ciphertext is gone from storage");
            SecretVersion v1 = kv.read(admin, "s", 1);
            assertFalse(v1.hasData());
            assertTrue(v1.metadata().destroyed());
            kv.undelete(admin, "s", List.of(1));
            assertFalse(kv.read(admin, "s", 1).hasData());
            assertEquals("2", kv.read(admin, "s", 2).data().field("f"));
        }

        @Test
        void deleteMetadataRemovesEveryVersionAndTheListing() {
            kv.write(admin, "dir/s", data("f", "1"), null);
            kv.write(admin, "dir/s", data("f", "2"), null);
            kv.deleteMetadata(admin, "dir/s");
            assertThrows(NotFoundException.class, () -> kv.read(admin, "dir/s", 0));
            assertThrows(NotFoundException.class, () -> kv.readMetadata(admin, "dir/s"));
            assertEquals(List.of(), kv.list(admin, ""));
            assertEquals(0, countKeys("kv/d/"));
            assertEquals(0, countKeys("kv/n/"));
        }

        @Test
        void deleteVersionAfterSoftDeletesWhenTheTimeComes() {
            kv.writeMetadata(admin, "ttl", new MetadataUpdate(null, null, Duration.ofMinutes(5), null));
            kv.write(admin, "ttl", data("f", "1"), null);
            assertTrue(kv.read(admin, "ttl", 0).hasData());
            clock.advance(Duration.ofMinutes(5));
            assertFalse(kv.read(admin, "ttl", 0).hasData());
        }
    }

    @Test
    void maxVersionsPrunesTheOldestVersionsAndTheirCiphertext() {
        kv.writeMetadata(admin, "m", new MetadataUpdate(3, null, null, null));
        for (int v = 1; v <= 5; v++) {
            kv.write(admin, "m", data("f", "v" + v), null);
        }
        SecretMetadata meta = kv.readMetadata(admin, "m");
        assertEquals(5, meta.currentVersion());
        assertEquals(3, meta.oldestVersion());
        assertEquals(Set.of(3, 4, 5), meta.versions().keySet());
        assertThrows(NotFoundException.class, () -> kv.read(admin, "m", 2));
        assertEquals(3, countKeys("kv/d/"));
    }

    @Test
    void mountDefaultKeepsTenVersions() {
        for (int v = 1; v <= 12; v++) {
            kv.write(admin, "ten", data("f", "v" + v), null);
        }
        SecretMetadata meta = kv.readMetadata(admin, "ten");
        assertEquals(10, meta.versions().size());
        assertEquals(3, meta.oldestVersion());
        assertEquals(12, meta.currentVersion());
    }

    @Test
    void metadataCarriesTimesAndCustomMetadata() {
        Instant t0 = clock.instant();
        kv.write(admin, "md", data("f", "1"), null);
        clock.advance(Duration.ofSeconds(10));
        kv.writeMetadata(admin, "md", new MetadataUpdate(null, null, null,
                Map.of("owner", "team-db", "criticality", "high", "expires_at", "2027-01-31T00:00:00Z",
                        "tags", "db,prod", "description", "primary DB")));
        SecretMetadata m = kv.readMetadata(admin, "md");
        assertEquals(t0, m.createdTime());
        assertEquals(t0.plusSeconds(10), m.updatedTime());
        assertEquals("team-db", m.customMetadata().get("owner"));
        VersionMetadata written = kv.write(admin, "md", data("f", "2"), null);
        assertEquals("high", written.customMetadata().get("criticality"));
        assertThrows(InvalidRequestException.class, () -> kv.writeMetadata(admin, "md",
                new MetadataUpdate(null, null, null, Map.of("criticality", "extreme"))));
        assertThrows(InvalidRequestException.class, () -> kv.writeMetadata(admin, "md",
                new MetadataUpdate(null, null, null, Map.of("expires_at", "next tuesday"))));
    }

    @Test
    void patchMergesFieldsAndNeedsAReadableCurrentVersion() {
        kv.write(admin, "p", data("a", "1", "b", "2"), null);
        VersionMetadata v2 = kv.patch(admin, "p", new SecretPatch(Map.of("b", "20", "c", "3"), Set.of("a")), null);
        assertEquals(2, v2.version());
        assertEquals(Map.of("b", "20", "c", "3"), kv.read(admin, "p", 0).data().fields());
        assertThrows(CasMismatchException.class,
                () -> kv.patch(admin, "p", new SecretPatch(Map.of("x", "y"), Set.of()), 1));
        kv.deleteLatest(admin, "p");
        assertThrows(NotFoundException.class,
                () -> kv.patch(admin, "p", new SecretPatch(Map.of("x", "y"), Set.of()), null));
        assertThrows(NotFoundException.class,
                () -> kv.patch(admin, "absent", new SecretPatch(Map.of("x", "y"), Set.of()), null));
    }

    @Test
    void listShowsOneLevelWithFoldersEndingInSlash() {
        kv.write(admin, "app/db/password", data("f", "1"), null);
        kv.write(admin, "app/db/user", data("f", "1"), null);
        kv.write(admin, "app/api-key", data("f", "1"), null);
        kv.write(admin, "top", data("f", "1"), null);
        assertEquals(List.of("app/", "top"), kv.list(admin, ""));
        assertEquals(List.of("api-key", "db/"), kv.list(admin, "app/"));
        assertEquals(List.of("password", "user"), kv.list(admin, "app/db/"));
        assertEquals(List.of(), kv.list(admin, "nothing/"));
        kv.deleteMetadata(admin, "app/db/password");
        kv.deleteMetadata(admin, "app/db/user");
        assertEquals(List.of("api-key"), kv.list(admin, "app/"), "an emptied folder disappears");
        assertThrows(InvalidRequestException.class, () -> kv.list(admin, "app"));
    }

    @Test
    void softDeletedSecretsStillList() {
        kv.write(admin, "d/x", data("f", "1"), null);
        kv.deleteLatest(admin, "d/x");
        assertEquals(List.of("x"), kv.list(admin, "d/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a//b", "a/../b", "./a", "a/", "a/\u0001b", "a#b", "a/*"})
    void badPathsAreRefusedWithAClearError(String path) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> kv.write(admin, path, data("f", "1"), null));
        assertTrue(e.getMessage().startsWith("A secret path") || e.getMessage().startsWith("A folder"), e.getMessage());
    }

    @Test
    void overlongPathsAndOversizedSecretsAreRefused() {
        assertThrows(InvalidRequestException.class, () -> kv.write(admin, "a".repeat(513), data("f", "1"), null));
        assertEquals(1, kv.write(admin, "a".repeat(512), data("f", "1"), null).version());
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < 257; i++) {
            many.put("f" + i, "v");
        }
        assertThrows(InvalidRequestException.class, () -> kv.write(admin, "big", SecretData.of(many), null));
        assertThrows(InvalidRequestException.class,
                () -> kv.write(admin, "big", data("f", "x".repeat(1024 * 1024 + 1)), null));
        assertThrows(InvalidRequestException.class, () -> kv.write(admin, "big", data("", "v"), null));
    }

    @Test
    void leadingSlashesAreTrimmedLikeVault() {
        kv.write(admin, "/lead", data("f", "1"), null);
        assertEquals("1", kv.read(admin, "lead", 0).data().field("f"));
    }

    int countKeys(String prefix) {
        return vault.engine().storage().read(tx -> tx.scan(prefix, null, 100_000).size());
    }
}
