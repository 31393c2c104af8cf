package dev.keyward.vault.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.testing.HttpsReceiver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Signed webhooks to a real local HTTPS receiver. */
class WebhookSenderTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BODY = "{\"event\":\"rotation.finished\",\"path\":\"app/db\",\"version\":7}"
            .getBytes(StandardCharsets.UTF_8);

    private HttpsReceiver receiver;
    private WebhookSender sender;

    @BeforeEach
    void start() throws Exception {
        receiver = new HttpsReceiver();
        sender = new WebhookSender(Clock.systemUTC(),
                new WebhookSender.Retry(4, Duration.ofMillis(20), Duration.ofMillis(100)));
    }

    @AfterEach
    void stop() {
        sender.close();
        receiver.close();
    }

    private WebhookTarget target(Duration timeout) {
        return new WebhookTarget(receiver.url("/hook"), KEY, receiver.caPem(), timeout);
    }

    @Test
    void aDeliveryIsSignedAndTheReceiverCanVerifyIt() throws Exception {
        WebhookSender.Outcome o = sender.send(target(null), "rotation.finished", BODY).get(10, TimeUnit.SECONDS);
        assertTrue(o.delivered(), o.toString());
        assertEquals(1, o.attempts());
        HttpsReceiver.Received r = receiver.received().get(0);
        assertEquals("POST", r.method());
        assertEquals("rotation.finished", r.header(WebhookSignature.EVENT_HEADER));
        assertEquals(o.deliveryId(), r.header(WebhookSignature.DELIVERY_HEADER));
        String sig = r.header(WebhookSignature.HEADER);
        assertTrue(WebhookSignature.verify(KEY, sig, r.body(), Instant.now(), Duration.ofMinutes(5)));
        byte[] altered = r.body().clone();
        altered[altered.length - 2] = '8';
        assertFalse(WebhookSignature.verify(KEY, sig, altered, Instant.now(), Duration.ofMinutes(5)));
        assertFalse(WebhookSignature.verify("another key, another key, anothe".getBytes(StandardCharsets.US_ASCII),
                sig, r.body(), Instant.now(), Duration.ofMinutes(5)));
        assertFalse(WebhookSignature.verify(KEY, sig, r.body(), Instant.now().plus(Duration.ofMinutes(6)),
                Duration.ofMinutes(5)), "an old signature is a replay");
        assertFalse(WebhookSignature.verify(KEY, "t=1,v1=zz", r.body(), Instant.now(), Duration.ofMinutes(5)));
    }

    @Test
    void unavailableReceiversAreRetriedWithTheSameDeliveryId() throws Exception {
        receiver.answer(n -> new HttpsReceiver.Answer(n <= 2 ? 503 : 204, Duration.ZERO));
        WebhookSender.Outcome o = sender.send(target(null), "alert.raised", BODY).get(10, TimeUnit.SECONDS);
        assertTrue(o.delivered(), o.toString());
        assertEquals(3, o.attempts());
        assertEquals(3, receiver.received().size());
        assertEquals(1, receiver.received().stream().map(r -> r.header(WebhookSignature.DELIVERY_HEADER))
                .distinct().count());
    }

    @Test
    void aRefusalEndsTheDeliveryAndRetriesStopAtTheBound() throws Exception {
        receiver.answer(n -> new HttpsReceiver.Answer(400, Duration.ZERO));
        WebhookSender.Outcome refused = sender.send(target(null), "e", BODY).get(10, TimeUnit.SECONDS);
        assertFalse(refused.delivered());
        assertEquals(1, refused.attempts());
        assertEquals("HTTP 400", refused.lastError());

        receiver.answer(n -> new HttpsReceiver.Answer(500, Duration.ZERO));
        WebhookSender.Outcome failing = sender.send(target(null), "e", BODY).get(10, TimeUnit.SECONDS);
        assertFalse(failing.delivered());
        assertEquals(4, failing.attempts());
        assertEquals(500, failing.lastStatus());
    }

    @Test
    void aReceiverThatHangsTimesOut() throws Exception {
        receiver.answer(n -> new HttpsReceiver.Answer(200, Duration.ofSeconds(3)));
        WebhookSender.Outcome o = sender.send(target(Duration.ofMillis(200)), "e", BODY).get(20, TimeUnit.SECONDS);
        assertFalse(o.delivered());
        assertEquals("timeout", o.lastError());
        assertEquals(4, o.attempts());
    }

    @Test
    void aReceiverWhoseCertificateIsNotThePinnedOneGetsNothing() throws Exception {
        try (HttpsReceiver other = new HttpsReceiver()) {
            WebhookTarget pinnedToOther = new WebhookTarget(receiver.url("/hook"), KEY, other.caPem(), null);
            WebhookSender.Outcome o = sender.send(pinnedToOther, "e", BODY).get(10, TimeUnit.SECONDS);
            assertFalse(o.delivered());
            assertEquals(0, o.lastStatus());
            assertTrue(receiver.received().isEmpty(), "no request reached a receiver the sender does not trust");
        }
    }

    @Test
    void badTargetsAreRefusedWithAClearError() {
        assertThrows(InvalidRequestException.class,
                () -> new WebhookTarget("http://127.0.0.1:1/x", KEY, null, null));
        assertThrows(InvalidRequestException.class,
                () -> new WebhookTarget("https://user:pw@127.0.0.1/x", KEY, null, null));
        assertThrows(InvalidRequestException.class, () -> new WebhookTarget("not a url", KEY, null, null));
        assertThrows(InvalidRequestException.class,
                () -> new WebhookTarget(receiver.url("/x"), new byte[16], null, null));
        assertThrows(InvalidRequestException.class,
                () -> new WebhookTarget(receiver.url("/x"), KEY, "-----BEGIN CERTIFICATE-----\nAAAA\n", null));
        WebhookTarget t = new WebhookTarget(receiver.url("/secret-token-in-path"), KEY, null, null);
        assertFalse(t.toString().contains("secret-token"), "the URL is never printed");
    }

    @Test
    void closingTheSenderEndsWaitingDeliveries() throws Exception {
        WebhookSender slow = new WebhookSender(Clock.systemUTC(),
                new WebhookSender.Retry(5, Duration.ofSeconds(30), Duration.ofSeconds(30)));
        receiver.answer(n -> new HttpsReceiver.Answer(503, Duration.ZERO));
        CompletableFuture<WebhookSender.Outcome> f = slow.send(target(null), "e", BODY);
        while (receiver.received().isEmpty()) {
            Thread.sleep(10);
        }
        Thread.sleep(100);
        slow.close();
        WebhookSender.Outcome o = f.get(5, TimeUnit.SECONDS);
        assertFalse(o.delivered());
        assertEquals(1, o.attempts(), "the retry waiting 30 s was not made");
        assertEquals("HTTP 503", o.lastError());
    }
}
