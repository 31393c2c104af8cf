package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuditFailureException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.SecretVersion;
import dev.keyward.vault.audit.AuditContext;
import dev.keyward.vault.audit.AuditEvent;
import dev.keyward.vault.audit.AuditSink;
import dev.keyward.vault.audit.MerkleAuditLog;
import dev.keyward.vault.storage.StorageTx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.h2.api.Trigger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** If the audit entry cannot be written, the call fails and returns nothing. */
class AuditFailClosedTest {
    static final String CANARY = "canary-fail-closed-61d0";

    @TempDir
    Path home;

    /** An H2 trigger that makes the audit rows of the records table read-only. */
    public static final class ReadOnlyAudit implements Trigger {
        @Override
        public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
            Object key = newRow != null ? newRow[0] : oldRow[0];
            if (key != null && key.toString().startsWith("audit/")) {
                throw new SQLException("the audit store is read-only");
            }
        }
    }

    private void sql(String statement) throws SQLException {
        String url = "jdbc:h2:file:" + home.toAbsolutePath().resolve("vault")
                + ";TRACE_LEVEL_FILE=0;TRACE_LEVEL_SYSTEM_OUT=0;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
        try (Connection c = DriverManager.getConnection(url, "keyward", ""); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    @Test
    void aReadOnlyAuditStoreFailsReadsAndWritesAndReturnsNoSecret() throws SQLException {
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            Caller c = v.caller();
            v.engine().secrets().write(c, "app/db", SecretData.of(Map.of("password", CANARY)), null);
            sql("CREATE TRIGGER audit_read_only BEFORE INSERT, UPDATE, DELETE ON records FOR EACH ROW CALL \""
                    + ReadOnlyAudit.class.getName() + "\"");

            AuditFailureException read = assertThrows(AuditFailureException.class,
                    () -> v.engine().secrets().read(c, "app/db", 0));
            assertFalse(String.valueOf(read.getMessage()).contains(CANARY));
            assertThrows(AuditFailureException.class, () -> v.engine().secrets().write(c, "app/db",
                    SecretData.of(Map.of("password", "new value")), null));
            assertThrows(AuditFailureException.class, () -> v.engine().secrets().write(c, "app/other",
                    SecretData.of(Map.of("password", "x")), null));

            sql("DROP TRIGGER audit_read_only");
            SecretVersion now = v.engine().secrets().read(c, "app/db", 0);
            assertEquals(CANARY, now.data().field("password"), "the refused write changed nothing");
            assertEquals(1, now.metadata().version());
            assertTrue(v.engine().audit().verify(c, null, null).ok(), "the log is intact after the refusals");
        }
    }

    @Test
    void aThrowingSinkFailsTheCallAndNothingIsReturned() {
        AtomicBoolean broken = new AtomicBoolean();
        MerkleAuditLog log = new MerkleAuditLog();
        AuditSink sink = new AuditSink() {
            @Override
            public void append(AuditEvent event, AuditContext keys, StorageTx tx) {
                if (broken.get()) {
                    throw new IllegalStateException("disk full");
                }
                log.append(event, keys, tx);
            }

            @Override
            public Optional<MerkleAuditLog> log() {
                return Optional.of(log);
            }
        };
        try (TestVaults.Opened v = TestVaults.initialised(TestVaults.config(home, Clock.systemUTC()).withAuditSink(sink))) {
            Caller c = v.caller();
            v.engine().secrets().write(c, "app/db", SecretData.of(Map.of("password", CANARY)), null);
            broken.set(true);
            assertThrows(AuditFailureException.class, () -> v.engine().secrets().read(c, "app/db", 0));
            assertThrows(AuditFailureException.class, () -> v.engine().secrets().write(c, "app/db",
                    SecretData.of(Map.of("password", "changed")), null));
            broken.set(false);
            assertEquals(CANARY, v.engine().secrets().read(c, "app/db", 0).data().field("password"));
        }
    }

    @Test
    void identitiesPathsAndValuesAreNotReadableAtRest() throws Exception {
        String path = "canary-path-rest-93ab";
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            v.engine().secrets().write(v.caller(), path + "/db", SecretData.of(Map.of("password", CANARY)), null);
            v.engine().secrets().read(v.caller(), path + "/db", 0);
            v.engine().audit().issueHead(v.caller());
            assertTrue(v.engine().audit().query(v.caller(), dev.keyward.vault.api.AuditQuery.all(100)).entries()
                    .stream().anyMatch(r -> ("secret/" + path + "/db").equals(r.resource())));
        }
        try (Stream<Path> files = Files.walk(home)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertFalse(bytes.contains(path), f.toString());
                assertFalse(bytes.contains(CANARY), f.toString());
                assertFalse(bytes.contains("\"identityName\""), f.toString());
            }
        }
    }
}
