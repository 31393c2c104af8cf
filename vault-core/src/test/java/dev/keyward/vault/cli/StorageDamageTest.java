package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.engine.Engine;
import dev.keyward.vault.engine.TestVaults;
import dev.keyward.vault.server.KeywardServer;
import dev.keyward.vault.server.ServerConfig;
import dev.keyward.vault.storage.H2Storage;
import dev.keyward.vault.storage.StorageTx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage to stored records (a storage key changed by one character, a record removed) is reported
 * as damage, during normal reads and by {@code keyward check storage}, never as "not found".
 */
class StorageDamageTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    private Path home() {
        return dir.resolve("vault");
    }

    /** A vault with a few secrets (one with three versions), closed. */
    private void vaultWithSecrets() {
        try (TestVaults.Opened v = TestVaults.initialised(home())) {
            Caller c = v.caller();
            for (int i = 1; i <= 3; i++) {
                v.engine().secrets().write(c, "app/db", SecretData.of(Map.of("password", "p" + i)), null);
            }
            v.engine().secrets().write(c, "app/api", SecretData.of(Map.of("key", "k")), null);
            v.engine().secrets().write(c, "top", SecretData.of(Map.of("x", "y")), null);
        }
    }

    private void damage(Consumer<StorageTx> how) {
        try (H2Storage s = H2Storage.open(home())) {
            s.write(tx -> {
                how.accept(tx);
                return null;
            });
        }
    }

    /** The metadata record's key with its last character changed: the record "moves" to a key nobody asks for. */
    private static Consumer<StorageTx> damagedMetadataKeys() {
        return tx -> {
            for (StorageTx.Entry e : tx.scan("kv/m/", null, 100)) {
                String k = e.key();
                char last = k.charAt(k.length() - 1);
                tx.delete(k);
                tx.put(k.substring(0, k.length() - 1) + (last == 'a' ? 'b' : 'a'), e.value());
            }
        };
    }

    private Result cli(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = KeywardCli.run(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Opens the vault with an endpoint and runs CLI commands as the admin. */
    private List<Result> withEndpoint(String[]... commands) {
        try (Engine e = TestVaults.open(home())) {
            TestVaults.unseal(e);
            String token = TestVaults.login(e).token();
            Path ca = home().resolve("tls/ca.pem");
            try (KeywardServer server = KeywardServer.start(e, ServerConfig.ephemeral().withRateLimits(0, 0),
                    Clock.systemUTC(), ca)) {
                Map<String, String> env = new HashMap<>();
                env.put("KEYWARD_HOME", dir.resolve("client").toString());
                env.put("KEYWARD_ADDRESS", server.urls().get(0));
                env.put("KEYWARD_CA_CERT", ca.toString());
                env.put("KEYWARD_TOKEN", token);
                return java.util.Arrays.stream(commands).map(c -> cli(env, c)).toList();
            }
        }
    }

    @Test
    void aSecretWhoseStorageKeyWasDamagedIsReportedAsDamageNotAsAbsent() {
        vaultWithSecrets();
        damage(damagedMetadataKeys());
        try (Engine e = TestVaults.open(home())) {
            TestVaults.unseal(e);
            Caller c = TestVaults.login(e).caller();
            IntegrityException read = assertThrows(IntegrityException.class, () -> e.secrets().read(c, "app/db", 0));
            assertTrue(read.getMessage().contains("damaged"), read.getMessage());
            assertThrows(IntegrityException.class, () -> e.secrets().readMetadata(c, "app/db"));
            // A write does not quietly start the secret over at version 1.
            assertThrows(IntegrityException.class, () -> e.secrets().write(c, "app/db",
                    SecretData.of(Map.of("password", "new")), null));
        }
        List<Result> r = withEndpoint(new String[] {"kv", "get", "app/db"});
        assertFalse(r.get(0).code() == 0, r.get(0).toString());
        assertTrue(r.get(0).err().contains("damaged"), "the CLI says so: " + r.get(0));
    }

    @Test
    void checkStorageFindsNothingWrongInAnIntactVault() {
        vaultWithSecrets();
        Result r = withEndpoint(new String[] {"check", "storage"}).get(0);
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("ok: true"), r.out());
    }

    @Test
    void checkStorageNamesEachDamage() {
        vaultWithSecrets();
        damage(damagedMetadataKeys().andThen(tx -> {
            // a version record removed, and a stray record under a key no feature uses
            StorageTx.Entry v = tx.scan("kv/d/", null, 1).get(0);
            tx.delete(v.key());
            tx.put("kv/zz/not-a-record", new byte[] {1, 2, 3});
        }));
        Result r = withEndpoint(new String[] {"check", "storage", "-o", "json"}).get(0);
        assertEquals(ExitCodes.REFUSED, r.code(), r.toString());
        assertTrue(r.out().contains("\"ok\" : false"), r.out());
        assertTrue(r.out().contains("fails its integrity check"), "records under damaged keys: " + r.out());
        assertTrue(r.out().contains("no record"), "index entries that point nowhere: " + r.out());
        assertTrue(r.out().contains("kv/zz/not-a-record"), "the stray record: " + r.out());
    }
}
