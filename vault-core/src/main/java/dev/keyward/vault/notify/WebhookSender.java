package dev.keyward.vault.notify;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers signed webhooks (rotation events to dependents, alerts, approval notices): one POST of
 * a JSON body, signed with {@link WebhookSignature}, retried with exponential backoff and jitter
 * when the receiver is unreachable, times out, or answers 408, 425, 429 or 5xx; any other answer
 * ends the delivery. Redirects are not followed. Only the receiver's host, the event name, the
 * status and an error class are ever logged or reported: never the URL, the body or the answer.
 *
 * <p>What to send is the caller's business, and so is keeping a delivery across a restart (a
 * feature stores what it still owes and sends it again); this class keeps nothing on disk.
 */
public final class WebhookSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);

    /** How often and how patiently a delivery is retried. */
    public record Retry(int maxAttempts, Duration firstDelay, Duration maxDelay) {
        public static final Retry DEFAULT = new Retry(6, Duration.ofSeconds(2), Duration.ofMinutes(5));

        public Retry {
            if (maxAttempts < 1 || maxAttempts > 50) {
                throw new IllegalArgumentException("a webhook is tried 1 to 50 times");
            }
            Objects.requireNonNull(firstDelay, "firstDelay");
            Objects.requireNonNull(maxDelay, "maxDelay");
            if (firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0) {
                throw new IllegalArgumentException("retry delays must be positive and the first at most the longest");
            }
        }

        /** The wait before attempt {@code n + 1} after {@code n} failed ones: doubling, capped, 0 to 20% jitter. */
        Duration delayAfter(int n) {
            long base = firstDelay.toMillis() << Math.min(20, n - 1);
            long capped = Math.min(base, maxDelay.toMillis());
            return Duration.ofMillis(capped + ThreadLocalRandom.current().nextLong(capped / 5 + 1));
        }
    }

    /**
     * How a delivery ended.
     *
     * @param deliveryId the id sent in {@link WebhookSignature#DELIVERY_HEADER} (the same on every attempt)
     * @param event      the event name
     * @param host       the receiver's host and port
     * @param delivered  whether a 2xx answer came
     * @param attempts   how many requests were made
     * @param lastStatus the last HTTP status, or 0 when none came
     * @param lastError  why the last attempt failed (an error class or {@code HTTP <status>}), or null
     */
    public record Outcome(String deliveryId, String event, String host, boolean delivered, int attempts,
                          int lastStatus, String lastError) {
    }

    private final Clock clock;
    private final Retry retry;
    private final ScheduledExecutorService executor;
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();
    /** Deliveries not finished yet, with what they report if the sender stops first. */
    private final Map<CompletableFuture<Outcome>, Outcome> pending = new ConcurrentHashMap<>();

    public WebhookSender(Clock clock, Retry retry) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retry = Objects.requireNonNull(retry, "retry");
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "keyward-webhooks-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Sends {@code body} (JSON) as {@code event} to {@code target} in the background; the future
     * completes when the delivery succeeded, was refused for good, ran out of attempts, or the
     * sender was closed. It never completes exceptionally.
     */
    public CompletableFuture<Outcome> send(WebhookTarget target, String event, byte[] body) {
        return sendAs(target, event, body, UUID.randomUUID().toString());
    }

    /**
     * {@link #send} with the delivery id given: a feature that keeps its deliveries across restarts
     * (and retries them itself) sends the same id on every attempt.
     */
    public CompletableFuture<Outcome> sendAs(WebhookTarget target, String event, byte[] body, String deliveryId) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(deliveryId, "deliveryId");
        byte[] copy = body.clone();
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        done.whenComplete((o, e) -> pending.remove(done));
        String id = deliveryId;
        schedule(() -> attempt(target, event, copy, id, 1, done), Duration.ZERO, done,
                new Outcome(id, event, target.host(), false, 0, 0, "stopped"));
        return done;
    }

    private void attempt(WebhookTarget target, String event, byte[] body, String id, int n,
                         CompletableFuture<Outcome> done) {
        int status = 0;
        String error;
        try {
            HttpRequest request = HttpRequest.newBuilder(target.url())
                    .timeout(target.timeout())
                    .header("Content-Type", "application/json")
                    .header(WebhookSignature.EVENT_HEADER, event)
                    .header(WebhookSignature.DELIVERY_HEADER, id)
                    .header(WebhookSignature.HEADER, WebhookSignature.sign(target.key(), clock.instant(), body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            HttpResponse<Void> response = client(target).send(request, HttpResponse.BodyHandlers.discarding());
            status = response.statusCode();
            if (status >= 200 && status < 300) {
                done.complete(new Outcome(id, event, target.host(), true, n, status, null));
                return;
            }
            error = "HTTP " + status;
        } catch (HttpTimeoutException e) {
            error = "timeout";
        } catch (IOException e) {
            error = e.getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done.complete(new Outcome(id, event, target.host(), false, n, 0, "stopped"));
            return;
        } catch (RuntimeException e) {
            error = e.getClass().getSimpleName();
        }
        boolean again = status == 0 || status == 408 || status == 425 || status == 429 || status >= 500;
        Outcome failed = new Outcome(id, event, target.host(), false, n, status, error);
        if (!again || n >= retry.maxAttempts()) {
            LOG.warn("webhook {} to {} not delivered after {} attempt(s): {}", event, target.host(), n, error);
            done.complete(failed);
            return;
        }
        LOG.debug("webhook {} to {}: attempt {} failed ({}), retrying", event, target.host(), n, error);
        schedule(() -> attempt(target, event, body, id, n + 1, done), retry.delayAfter(n), done, failed);
    }

    private void schedule(Runnable r, Duration delay, CompletableFuture<Outcome> done, Outcome ifStopped) {
        pending.put(done, ifStopped);
        try {
            executor.schedule(r, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopped) {
            done.complete(ifStopped);
        }
        if (executor.isShutdown()) {
            done.complete(ifStopped); // closed between the put and the schedule
        }
    }

    private HttpClient client(WebhookTarget target) {
        String ca = target.caPem() == null ? "" : target.caPem();
        return clients.computeIfAbsent(ca, pem -> HttpClient.newBuilder()
                .connectTimeout(target.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .sslContext(pem.isEmpty() ? defaultContext() : pinned(pem))
                .sslParameters(tlsParameters())
                .version(HttpClient.Version.HTTP_1_1)
                .build());
    }

    private static SSLParameters tlsParameters() {
        SSLParameters p = new SSLParameters();
        p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        return p;
    }

    private static SSLContext defaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no default TLS context", e);
        }
    }

    /** A TLS context that trusts exactly the certificates in {@code pem}. */
    static SSLContext pinned(String pem) {
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("the webhook CA holds no certificate");
            }
            return dev.keyward.vault.remote.PinnedTls.context(certs, null);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("the webhook CA is not a PEM certificate", e);
        }
    }

    /** Stops: deliveries still waiting complete as not delivered ("stopped"). */
    @Override
    public void close() {
        executor.shutdownNow();
        pending.forEach((done, ifStopped) -> done.complete(ifStopped));
    }
}
