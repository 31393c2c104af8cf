package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotificationService;
import dev.keyward.vault.api.NotificationService.EventPage;
import dev.keyward.vault.api.NotificationService.NewWebhook;
import dev.keyward.vault.api.NotificationService.SecretEvent;
import dev.keyward.vault.api.NotificationService.Webhook;
import dev.keyward.vault.api.NotificationService.WebhookSpec;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.SecretPatch;
import dev.keyward.vault.notify.WebhookSignature;
import dev.keyward.vault.testing.HttpsReceiver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Propagation of secret changes: signed webhooks to a real local HTTPS receiver through the durable
 * outbox (retries, restarts, failures shown), and the long-polled change feed with per-path access.
 */
class NotificationsTest {
    private static final String CANARY = "canary-propagation-7f3a9c";
    private static final String CANARY2 = "canary-propagation-2-b81e";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final NotificationFacade.Backoff FAST = new NotificationFacade.Backoff(6, Duration.ofMillis(100),
            Duration.ofMillis(400));

    @TempDir
    Path dir;
    private TestVaults.Opened vault;
    private HttpsReceiver receiver;

    @BeforeEach
    void setUp() throws Exception {
        vault = TestVaults.initialised(dir);
        vault.engine().notificationFacade().useBackoff(FAST, Duration.ofMillis(500));
        receiver = new HttpsReceiver();
    }

    @AfterEach
    void tearDown() {
        receiver.close();
        if (vault != null) {
            vault.close();
        }
    }

    private NotificationService n() {
        return vault.engine().notifications();
    }

    private NewWebhook add(String prefix, List<String> events) {
        return n().addWebhook(vault.caller(), new WebhookSpec(receiver.url("/hook"), prefix, events,
                receiver.caPem()));
    }

    private static void await(String what, long millis, BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private Webhook status(String id) {
        return n().webhooks(vault.caller()).stream().filter(w -> w.id().equals(id)).findFirst().orElseThrow();
    }

    /** Every byte the receiver saw: bodies and header values. */
    private String everythingReceived() {
        StringBuilder sb = new StringBuilder();
        for (HttpsReceiver.Received r : receiver.received()) {
            sb.append(r.path()).append('\n');
            r.headers().forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
            sb.append(new String(r.body(), StandardCharsets.UTF_8)).append('\n');
        }
        return sb.toString();
    }

    @Test
    void changesAreDeliveredSignedAndTheReceiverNeverSeesAValue() throws Exception {
        NewWebhook w = add("app/", List.of());
        byte[] key = HexFormat.of().parseHex(w.signingKey());
        assertEquals(32, key.length);
        assertFalse(w.toString().contains(w.signingKey()), "the key is not in toString");
        Caller a = vault.caller();
        var s = vault.engine().secrets();
        s.write(a, "app/db", SecretData.of(Map.of("password", CANARY)), null);
        s.patch(a, "app/db", new SecretPatch(Map.of("password", CANARY2), java.util.Set.of()), null);
        s.write(a, "other/x", SecretData.of(Map.of("password", CANARY)), null); // outside the prefix
        s.deleteLatest(a, "app/db");
        s.destroy(a, "app/db", List.of(1));
        await("four deliveries", 10_000, () -> receiver.received().size() >= 4);
        Thread.sleep(300);
        List<HttpsReceiver.Received> got = receiver.received();
        assertEquals(4, got.size(), "other/x is outside the prefix: " + everythingReceived());
        String[] kinds = {"secret.updated", "secret.updated", "secret.deleted", "secret.destroyed"};
        int[] versions = {1, 2, 2, 0};
        for (int i = 0; i < got.size(); i++) {
            HttpsReceiver.Received r = got.get(i);
            assertTrue(WebhookSignature.verify(key, r.header(WebhookSignature.HEADER), r.body(), Instant.now(),
                    Duration.ofMinutes(5)), "the receiver verifies the signature");
            JsonNode b = JSON.readTree(r.body());
            assertEquals(kinds[i], b.path("event").asText());
            assertEquals(kinds[i], r.header(WebhookSignature.EVENT_HEADER));
            assertEquals("app/db", b.path("path").asText());
            assertEquals(versions[i], b.path("version").asInt());
            assertNotNull(r.header(WebhookSignature.DELIVERY_HEADER));
        }
        String all = everythingReceived();
        assertFalse(all.contains(CANARY) || all.contains(CANARY2), "no value reaches the receiver");
        assertFalse(all.contains(w.signingKey()), "nor the key");
        Webhook st = status(w.webhook().id());
        assertEquals(4, st.delivered());
        assertEquals(0, st.pending());
        // The audit entries carry the version, never the value.
        List<AuditRecord> log = TestVaults.auditEntries(vault.engine());
        AuditRecord write = log.stream().filter(r -> r.operation().equals("secret.write")
                && "secret/app/db".equals(r.resource())).findFirst().orElseThrow();
        assertEquals("1", write.details().get("version"));
        assertFalse(log.toString().contains(CANARY), "no value in the audit log");
        assertTrue(log.stream().anyMatch(r -> r.operation().equals("webhook.write")
                && "add".equals(r.details().get("step"))), "adding a webhook is audited");
        assertFalse(log.toString().contains(receiver.url("/hook")), "the URL is not audited, only its host");
    }

    @Test
    void aReceiverThatTimesOutIsRetriedWithBackoffShownAsFailingThenDelivered() throws Exception {
        receiver.answer(nr -> new HttpsReceiver.Answer(200, nr <= 2 ? Duration.ofSeconds(2) : Duration.ZERO));
        NewWebhook w = add("", List.of("secret.updated"));
        long t0 = System.nanoTime();
        vault.engine().secrets().write(vault.caller(), "svc/token", SecretData.of(Map.of("t", CANARY)), null);
        long writeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(writeMillis < 1500, "a hanging webhook does not slow the write (" + writeMillis + " ms)");
        String id = w.webhook().id();
        await("a failed attempt shown", 10_000, () -> status(id).failedAttempts() >= 1);
        Webhook failing = status(id);
        assertEquals("timeout", failing.lastError());
        assertEquals(1, failing.pending(), "still owed");
        await("the delivery after recovery", 15_000, () -> status(id).delivered() == 1);
        Webhook ok = status(id);
        assertEquals(0, ok.pending());
        assertTrue(ok.failedAttempts() >= 2);
        List<HttpsReceiver.Received> got = receiver.received();
        assertTrue(got.size() >= 3);
        assertEquals(1, got.stream().map(r -> r.header(WebhookSignature.DELIVERY_HEADER)).distinct().count(),
                "every retry carries the same delivery id");
    }

    @Test
    void aRefusingReceiverEndsAsFailedAndTheRetriesAreBounded() throws Exception {
        receiver.answer(nr -> new HttpsReceiver.Answer(503, Duration.ZERO));
        NewWebhook w = add("", List.of());
        vault.engine().secrets().write(vault.caller(), "svc/x", SecretData.of(Map.of("t", CANARY)), null);
        String id = w.webhook().id();
        await("giving up", 15_000, () -> status(id).failed() == 1);
        Webhook st = status(id);
        assertEquals(0, st.pending());
        assertEquals(503, st.lastStatus());
        assertEquals("HTTP 503", st.lastError());
        assertEquals(FAST.maxAttempts(), st.failedAttempts(), "bounded");
        assertTrue(receiver.received().size() <= FAST.maxAttempts());
        receiver.answer(nr -> new HttpsReceiver.Answer(400, Duration.ZERO));
        vault.engine().secrets().write(vault.caller(), "svc/x", SecretData.of(Map.of("t", CANARY2)), null);
        await("a refusal ends at once", 10_000, () -> status(id).failed() == 2);
        assertEquals(FAST.maxAttempts() + 1, status(id).failedAttempts(), "a 400 is not retried");
        assertEquals("HTTP 400", status(id).lastError());
    }

    @Test
    void theOutboxSurvivesARestart() throws Exception {
        receiver.answer(nr -> new HttpsReceiver.Answer(503, Duration.ZERO));
        vault.engine().notificationFacade().useBackoff(new NotificationFacade.Backoff(20, Duration.ofMillis(300),
                Duration.ofSeconds(1)), Duration.ofMillis(500));
        NewWebhook w = add("", List.of());
        vault.engine().secrets().write(vault.caller(), "svc/restart", SecretData.of(Map.of("t", CANARY)), null);
        String id = w.webhook().id();
        await("a failed attempt", 10_000, () -> status(id).failedAttempts() >= 1);
        String deliveryId = receiver.received().get(0).header(WebhookSignature.DELIVERY_HEADER);
        vault.close();
        vault = null;
        receiver.answer(nr -> new HttpsReceiver.Answer(204, Duration.ZERO));
        int before = receiver.received().size();
        Engine e = TestVaults.open(dir);
        e.notificationFacade().useBackoff(FAST, Duration.ofMillis(500));
        TestVaults.unseal(e);
        vault = new TestVaults.Opened(e, TestVaults.login(e));
        await("the owed delivery after the restart", 10_000, () -> status(id).delivered() == 1);
        HttpsReceiver.Received last = receiver.received().get(receiver.received().size() - 1);
        assertTrue(receiver.received().size() > before);
        assertEquals(deliveryId, last.header(WebhookSignature.DELIVERY_HEADER), "the same delivery, resumed");
        assertEquals("svc/restart", JSON.readTree(last.body()).path("path").asText());
    }

    @Test
    void badInputGetsAClearErrorAndChangesNothing() {
        Caller a = vault.caller();
        long entries = TestVaults.auditEntries(vault.engine()).size();
        InvalidRequestException http = assertThrows(InvalidRequestException.class, () -> n().addWebhook(a,
                new WebhookSpec("http://127.0.0.1:9/hook", "", List.of(), null)));
        assertTrue(http.getMessage().contains("https://"), http.getMessage());
        InvalidRequestException kind = assertThrows(InvalidRequestException.class, () -> n().addWebhook(a,
                new WebhookSpec(receiver.url("/h"), "", List.of("secret.exploded"), null)));
        assertTrue(kind.getMessage().contains("Unknown event kind"), kind.getMessage());
        for (String bad : List.of("../etc", "app/*", "app//db", "kw://app/db")) {
            InvalidRequestException p = assertThrows(InvalidRequestException.class, () -> n().addWebhook(a,
                    new WebhookSpec(receiver.url("/h"), bad, List.of(), null)), bad);
            assertTrue(p.getMessage().contains("prefix"), p.getMessage());
        }
        assertThrows(InvalidRequestException.class, () -> n().addWebhook(a,
                new WebhookSpec(receiver.url("/h"), "", List.of(), "not a certificate")));
        assertTrue(n().webhooks(a).isEmpty(), "nothing was stored");
        assertEquals(entries + 1, TestVaults.auditEntries(vault.engine()).size(), "only the list call was audited");
        assertThrows(dev.keyward.vault.api.NotFoundException.class, () -> n().removeWebhook(a, "nope"));
    }

    @Test
    void theTestDeliveryIsSignedAndReported() throws Exception {
        NewWebhook w = add("", List.of());
        NotificationService.WebhookTestResult ok = n().testWebhook(vault.caller(), w.webhook().id());
        assertTrue(ok.delivered(), ok.toString());
        HttpsReceiver.Received r = receiver.received().get(0);
        assertEquals("webhook.test", r.header(WebhookSignature.EVENT_HEADER));
        assertTrue(WebhookSignature.verify(HexFormat.of().parseHex(w.signingKey()), r.header(WebhookSignature.HEADER),
                r.body(), Instant.now(), Duration.ofMinutes(5)));
        receiver.answer(nr -> new HttpsReceiver.Answer(500, Duration.ZERO));
        NotificationService.WebhookTestResult bad = n().testWebhook(vault.caller(), w.webhook().id());
        assertFalse(bad.delivered());
        assertEquals(500, bad.status());
        n().removeWebhook(vault.caller(), w.webhook().id());
        assertTrue(n().webhooks(vault.caller()).isEmpty());
    }

    // ------------------------------------------------------------ the change feed

    private Caller readerOf(String pattern) {
        Caller a = vault.caller();
        vault.engine().policies().put(a, new Policy("app-reader", "", List.of(PolicyRule.grant(pattern,
                EnumSet.of(Capability.READ), PolicyConditions.NONE, "app-team", "watch",
                Instant.now().plus(Duration.ofDays(30))))), "t");
        vault.engine().policies().putRole(a, "app-watcher", List.of("app-reader"), "", "t");
        vault.engine().identities().createOperator(a, "watcher", "watcher passphrase 1".toCharArray(),
                List.of("app-watcher"));
        return vault.engine().login("watcher", "watcher passphrase 1".toCharArray(), "test").caller();
    }

    private long audited(String op) {
        return TestVaults.auditEntries(vault.engine()).stream().filter(r -> r.operation().equals(op)).count();
    }

    @Test
    void theFeedShowsOnlyWhatTheCallerMayReadAndAuditsOnlyPollsThatReturnSomething() {
        Caller watcher = readerOf("secret/app/*");
        Caller a = vault.caller();
        EventPage start = n().events(watcher, -1, "", Duration.ZERO);
        assertTrue(start.events().isEmpty());
        assertEquals(0, audited("events.read"), "an empty poll adds no entry");
        var s = vault.engine().secrets();
        s.write(a, "app/db", SecretData.of(Map.of("p", CANARY)), null);
        s.write(a, "ops/root", SecretData.of(Map.of("p", CANARY)), null);
        s.write(a, "app/db", SecretData.of(Map.of("p", CANARY2)), null);
        EventPage mine = n().events(watcher, start.next(), "", Duration.ZERO);
        assertEquals(List.of("app/db", "app/db"), mine.events().stream().map(SecretEvent::path).toList());
        assertEquals(List.of(1, 2), mine.events().stream().map(SecretEvent::version).toList());
        assertEquals(1, audited("events.read"), "one entry for the poll that returned events");
        EventPage all = n().events(a, start.next(), "", Duration.ZERO);
        assertEquals(3, all.events().size(), "the admin reads everything");
        EventPage ops = n().events(watcher, start.next(), "ops/", Duration.ZERO);
        assertTrue(ops.events().isEmpty(), "ops/root is not readable by the watcher");
        EventPage idle = n().events(watcher, mine.next(), "app/", Duration.ofMillis(300));
        assertTrue(idle.events().isEmpty());
        assertEquals(2, audited("events.read"), "idle waits add nothing (one entry is the admin's poll)");
        assertFalse(mine.toString().contains(CANARY), "events carry no value");
        assertThrows(dev.keyward.vault.api.AccessDeniedException.class, () -> n().events(
                new Caller("not-a-token", dev.keyward.vault.api.AuthMethod.TOKEN, "test", null, null), -1, "",
                Duration.ZERO));
        assertThrows(InvalidRequestException.class, () -> n().events(watcher, -1, "../x", Duration.ZERO));
    }

    @Test
    void aLongPollWakesWhenAChangeCommits() throws Exception {
        Caller a = vault.caller();
        long from = n().events(a, -1, "", Duration.ZERO).next();
        CompletableFuture<EventPage> poll = CompletableFuture.supplyAsync(() -> n().events(a, from, "app/",
                Duration.ofSeconds(20)));
        Thread.sleep(300);
        assertFalse(poll.isDone(), "the poll waits");
        long t0 = System.nanoTime();
        vault.engine().secrets().write(a, "app/live", SecretData.of(Map.of("p", CANARY)), null);
        EventPage p = poll.get(10, TimeUnit.SECONDS);
        long woke = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals("app/live", p.events().get(0).path());
        assertEquals(SecretEvent.UPDATED, p.events().get(0).event());
        assertTrue(woke < 2000, "woke after " + woke + " ms");
    }
}
