package dev.keyward.vault.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.RefusedRequest;
import dev.keyward.vault.engine.TestVaults;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Counting refusals against a real vault: bounded, kept while sealed, written once unsealed. */
class RefusalAuditTest {
    @TempDir
    Path home;

    static RefusedRequest limited(String source) {
        return new RefusedRequest(source, "GET", "/v1/secret/data/x", 429, "rate limit exceeded", "kws.canary-rl-token", 1);
    }

    List<AuditRecord> refused(TestVaults.Opened v) {
        return v.engine().audit().query(TestVaults.login(v.engine()).caller(),
                new AuditQuery(null, null, null, null, "request.refused", null, -1, 1000)).entries();
    }

    @Test
    void countsAreBoundedAndWrittenAsOneEntryPerSource() {
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            RefusalAudit audit = new RefusalAudit(v.engine().audit(), 4);
            for (int i = 0; i < 10; i++) {
                for (int n = 0; n <= i; n++) {
                    audit.refused(limited("10.0.0." + i));
                }
            }
            assertEquals(55, audit.pendingCount());
            assertTrue(refused(v).isEmpty(), "429s are not written one by one");
            audit.flush();
            assertEquals(0, audit.pendingCount());
            List<AuditRecord> entries = refused(v);
            assertEquals(5, entries.size(), "four sources and the rest: " + entries);
            int total = 0;
            for (AuditRecord e : entries) {
                assertEquals("HTTP 429", e.errorClass());
                assertEquals(null, e.credentialHmac(), "counted entries keep no token");
                total += e.rule().endsWith("requests)")
                        ? Integer.parseInt(e.rule().replaceAll(".*\\((\\d+) requests\\)$", "$1")) : 1;
            }
            assertEquals(55, total);
            assertTrue(entries.stream().anyMatch(e -> e.sourceAddress().equals(RefusalAudit.OTHER_SOURCES)));
        }
    }

    @Test
    void refusalsWhileSealedAreKeptAndWrittenAfterTheUnseal() {
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            RefusalAudit audit = new RefusalAudit(v.engine().audit());
            v.engine().seal(v.caller());
            audit.refused(new RefusedRequest("127.0.0.1", "GET", "/v1/secret/data/x", 503, "VaultSealedException",
                    "kws.canary-sealed-token", 1));
            audit.refused(new RefusedRequest("127.0.0.1", "GET", "/v1/secret/data/x", 503, "VaultSealedException",
                    null, 1));
            audit.flush();
            assertEquals(2, audit.pendingCount(), "nothing can be written while sealed");
            TestVaults.unseal(v.engine());
            audit.flush();
            assertEquals(0, audit.pendingCount());
            List<AuditRecord> entries = refused(v);
            assertEquals(1, entries.size(), entries.toString());
            assertEquals("VaultSealedException (2 requests)", entries.get(0).rule());
            assertFalse(entries.get(0).toString().contains("canary"));
        }
    }

    @Test
    void anOrdinaryRefusalIsWrittenAtOnceWithTheTokensIdentity() {
        try (TestVaults.Opened v = TestVaults.initialised(home)) {
            RefusalAudit audit = new RefusalAudit(v.engine().audit());
            audit.refused(new RefusedRequest("127.0.0.1", "BREW", "/v1/secret/data/x\u0001y", 405,
                    "unsupported operation", v.session().token(), 1));
            assertEquals(0, audit.pendingCount());
            AuditRecord e = refused(v).get(0);
            assertEquals("BREW /v1/secret/data/x?y", e.resource(), "control characters replaced");
            assertEquals(TestVaults.ADMIN, e.identityName());
            assertEquals("DENY", e.decision());
            assertEquals("FAILURE", e.outcome());
            assertEquals(v.engine().audit().hmac(v.caller(), v.session().token()), e.credentialHmac());
        }
    }
}
