package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.audit.AuditEntries;
import dev.keyward.vault.audit.JsonLinesFileSink;
import dev.keyward.vault.audit.MerkleAuditLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditFileSinkTest {
    @TempDir
    Path home;
    @TempDir
    Path siem;

    @Test
    void everyEntryIsAlsoAppendedAsACanonicalLineWithoutSecretValues() throws Exception {
        Path file = siem.resolve("keyward-audit.jsonl");
        try (JsonLinesFileSink sink = new JsonLinesFileSink(new MerkleAuditLog(), file);
             TestVaults.Opened v = TestVaults.initialised(TestVaults.config(home, Clock.systemUTC()).withAuditSink(sink))) {
            v.engine().secrets().write(v.caller(), "app/db", SecretData.of(Map.of("password", "canary-siem-0c4d")), null);
            v.engine().secrets().read(v.caller(), "app/db", 0);
            List<AuditRecord> logged = v.engine().audit().query(v.caller(), AuditQuery.all(100)).entries();
            // Signed heads are lines of their own ({"head":...,"log":...}); the rest are the entries, in order.
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < 50 && all.stream().noneMatch(l -> l.startsWith("{\"head\":")); i++) {
                Thread.sleep(100); // heads are published by a thread of their own, just after their commit
                all = Files.readAllLines(file, StandardCharsets.UTF_8);
            }
            List<String> lines = all.stream().filter(l -> !l.startsWith("{\"head\":")).toList();
            assertTrue(all.size() > lines.size(), "the heads are in the file too");
            assertTrue(lines.size() >= logged.size());
            for (AuditRecord r : logged) {
                assertEquals(r, AuditEntries.decode(lines.get((int) r.sequence()).getBytes(StandardCharsets.UTF_8)));
            }
            assertFalse(Files.readString(file).contains("canary-siem-0c4d"));
            assertTrue(v.engine().audit().verify(v.caller(), null, null).ok());
        }
    }
}
