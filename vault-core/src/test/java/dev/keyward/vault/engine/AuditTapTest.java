package dev.keyward.vault.engine;

import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.audit.AuditTap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Readers of the audit stream are told every durable entry, in log order, with its sequence number. */
class AuditTapTest {

    @Test
    void everyDurableEntryIsToldOnceInOrder(@TempDir Path home) {
        TestVaults.Opened v = TestVaults.initialised(home);
        Engine e = v.engine();
        try {
            List<AuditTap.Committed> told = new CopyOnWriteArrayList<>();
            e.tapAudit(told::addAll);
            var caller = v.session().caller();
            e.secrets().write(caller, "app/tap", SecretData.of(Map.of("k", "canary-tap-1")), null);
            e.secrets().read(caller, "app/tap", 0);
            assertThrows(NotFoundException.class, () -> e.secrets().read(caller, "app/missing", 0));

            List<AuditRecord> log = TestVaults.auditEntries(e);
            long firstTold = told.get(0).sequence();
            List<AuditRecord> expected = log.stream().filter(r -> r.sequence() >= firstTold).toList();
            assertEquals(expected.size(), told.size(), "each entry after the tap was added is told once");
            for (int i = 0; i < told.size(); i++) {
                assertEquals(expected.get(i).sequence(), told.get(i).sequence());
                assertEquals(expected.get(i).operation(), told.get(i).event().operation());
            }
            assertTrue(told.stream().anyMatch(c -> c.event().operation().equals("secret.read")
                    && c.event().outcome() == dev.keyward.vault.audit.AuditEvent.Outcome.FAILURE),
                    "failed calls are told too");
            assertFalse(told.stream().anyMatch(c -> c.event().toString().contains("canary-tap-1")));
        } finally {
            e.close();
        }
    }
}
