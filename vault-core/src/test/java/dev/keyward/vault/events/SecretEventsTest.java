package dev.keyward.vault.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotificationService.SecretEvent;
import dev.keyward.vault.audit.AuditEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which audit entries are secret changes, and what a watcher learns from them. */
class SecretEventsTest {
    private static AuditEvent entry(String op, String resource, AuditEvent.Outcome outcome, Map<String, String> d) {
        return new AuditEvent(Instant.EPOCH, "req", "id", "name", "TOKEN", "test", op, resource,
                AuditEvent.Decision.ALLOW, null, null, null, outcome, null, null, d);
    }

    private static Optional<SecretEvent> of(String op, String resource, Map<String, String> d) {
        return SecretEvents.of(7, entry(op, resource, AuditEvent.Outcome.SUCCESS, d));
    }

    @Test
    void kvChangesBecomeEvents() {
        SecretEvent w = of("secret.write", "secret/app/db", Map.of("version", "3")).orElseThrow();
        assertEquals(new SecretEvent(7, SecretEvent.UPDATED, "app/db", 3, List.of(), Instant.EPOCH), w);
        assertEquals(SecretEvent.UPDATED, of("secret.patch", "secret/app/db", Map.of("version", "4")).orElseThrow()
                .event());
        assertEquals(SecretEvent.DELETED, of("secret.delete", "secret/app/db", Map.of("versions", "4")).orElseThrow()
                .event());
        SecretEvent d = of("secret.destroy", "secret/app/db", Map.of("versions", "1,2")).orElseThrow();
        assertEquals(SecretEvent.DESTROYED, d.event());
        assertEquals(List.of(1, 2), d.versions());
        assertEquals(SecretEvent.DESTROYED, of("metadata.delete", "secret/app/db", Map.of("versions", "all"))
                .orElseThrow().event());
        assertEquals(SecretEvent.UPDATED, of("secret.undelete", "secret/app/db", Map.of("versions", "2"))
                .orElseThrow().event());
        assertEquals(SecretEvent.METADATA, of("metadata.write", "secret/app/db", Map.of()).orElseThrow().event());
    }

    @Test
    void aRotationsFinishingWriteIsRotatedAndItsStepsAreNoChange() {
        SecretEvent r = of("secret.write", "secret/app/db", Map.of("version", "5", "rotation_run", "run-1",
                "trigger", "schedule")).orElseThrow();
        assertEquals(SecretEvent.ROTATED, r.event());
        assertEquals(5, r.version());
        assertTrue(of("rotation.run.finish", "app/db", Map.of("run", "run-1", "version", "5")).isEmpty());
        assertTrue(of("rotation.step.finish", "secret/app/db", Map.of("rotation_run", "r", "version", "5")).isEmpty());
    }

    @Test
    void readsFailuresAndOtherResourcesAreNoChange() {
        assertTrue(of("secret.read", "secret/app/db", Map.of("version", "3")).isEmpty());
        assertTrue(SecretEvents.of(1, entry("secret.write", "secret/app/db", AuditEvent.Outcome.FAILURE,
                Map.of("version", "3"))).isEmpty());
        assertTrue(of("secret.write", "secret/app/db", Map.of()).isEmpty(), "no version, no event");
        assertTrue(of("policy.write", "sys/policy/x", Map.of("version", "2")).isEmpty());
        assertTrue(of("kv.config.write", "secret/config", Map.of()).isEmpty());
    }

    @Test
    void prefixesArePathsOrFolders() {
        assertEquals("", WebhookStore.prefix(null));
        assertEquals("app/", WebhookStore.prefix("/app/"));
        assertEquals("app/db", WebhookStore.prefix("app/db"));
        for (String bad : List.of("../x", "app/*", "a//b", "kw://a", "a b", "app/./x")) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> WebhookStore.prefix(bad));
            assertTrue(e.getMessage().startsWith("A prefix is a secret path or folder"), e.getMessage());
        }
        assertTrue(SecretEvents.under("app/db", "app/"));
        assertTrue(SecretEvents.under("app/db", ""));
        assertTrue(!SecretEvents.under("ops/db", "app/"));
    }
}
