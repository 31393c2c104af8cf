package dev.keyward.vault.engine;

import dev.keyward.vault.api.AuditPage;
import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotificationService;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.Principal;
import dev.keyward.vault.api.VaultNotInitializedException;
import dev.keyward.vault.api.VaultSealedException;
import dev.keyward.vault.audit.AuditTap;
import dev.keyward.vault.audit.MerkleAuditLog;
import dev.keyward.vault.crypto.Random;
import dev.keyward.vault.events.SecretEvents;
import dev.keyward.vault.events.WebhookStore;
import dev.keyward.vault.identity.Records;
import dev.keyward.vault.notify.WebhookSender;
import dev.keyward.vault.storage.StorageTx;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NotificationService} through the guarded door, and the webhook outbox's dispatcher.
 *
 * <p>Deliveries are written to the outbox <em>right after</em> the change, from the audit tap, not
 * in the change's own transaction: the tap only wakes the dispatcher, which reads the durable audit
 * log from its stored cursor ({@code wh/cursor}) and writes one outbox record per webhook that
 * wants the event, advancing the cursor in the same transaction. So the KV write path stays as it
 * is (no webhook work and no webhook failure can slow or fail a write), and a crash between the
 * change's commit and the outbox write loses nothing: on unseal the dispatcher replays the log from
 * the cursor. Each outbox record is then sent (one attempt at a time, on this class's threads) and
 * retried with exponential backoff until it is delivered, refused for good, or out of attempts.
 */
final class NotificationFacade implements NotificationService {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationFacade.class);
    static final String WEBHOOKS = "sys/webhooks";
    /** The most audit entries one poll or one outbox pass reads. */
    static final int SCAN_LIMIT = 2000;
    private static final Duration TICK = Duration.ofMillis(200);

    /** How patiently the outbox retries a delivery. */
    record Backoff(int maxAttempts, Duration first, Duration max) {
        static final Backoff DEFAULT = new Backoff(8, Duration.ofSeconds(2), Duration.ofMinutes(10));

        Duration after(int failedAttempts) {
            long base = first.toMillis() << Math.min(20, Math.max(0, failedAttempts - 1));
            long capped = Math.min(base, max.toMillis());
            return Duration.ofMillis(capped + ThreadLocalRandom.current().nextLong(capped / 5 + 1));
        }
    }

    /** Who the outbox's own audit entries name: the vault's delivery job (it holds no credential). */
    private static final Principal OUTBOX = new Principal("system:webhooks", "system:webhooks",
            Principal.Kind.SYSTEM, List.of(), dev.keyward.vault.api.AuthMethod.SYSTEM);
    private static final Caller OUTBOX_CALLER = new Caller(null, dev.keyward.vault.api.AuthMethod.SYSTEM, Caller.LOCAL,
            null, null);

    private final Engine engine;
    private final Door door;
    private final SecretsFacade.Guard guard;
    private final MerkleAuditLog log;
    private final Clock clock;
    private final WebhookSender sender;
    private final ScheduledExecutorService worker;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean ingestDue = new AtomicBoolean(true);
    private volatile Instant nextDue = Instant.MIN;
    private volatile Backoff backoff = Backoff.DEFAULT;
    private volatile Duration timeout = Duration.ofSeconds(10);

    /** The highest audit sequence told by the tap (the feed's waiters wait for it to pass their cursor). */
    private final Object tipLock = new Object();
    private long tip = -1;

    NotificationFacade(Engine engine, Door door, SecretsFacade.Guard guard, MerkleAuditLog log) {
        this.engine = engine;
        this.door = door;
        this.guard = guard;
        this.log = log;
        this.clock = engine.clock();
        this.sender = new WebhookSender(clock, new WebhookSender.Retry(1, Duration.ZERO, Duration.ZERO));
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keyward-webhook-outbox");
            t.setDaemon(true);
            return t;
        });
        if (log != null) {
            worker.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private volatile boolean held;

    /** Holds the outbox (nothing is written to it or sent), as if the vault stopped right after a commit: tests, scratch copies. */
    void hold(boolean on) {
        this.held = on;
    }

    /** For tests: how the outbox retries and how long one attempt may take. */
    void useBackoff(Backoff b, Duration attemptTimeout) {
        this.backoff = b;
        this.timeout = attemptTimeout;
    }

    // ------------------------------------------------------------ the audit tap

    /** Told every durable entry (on the committer's thread): note the tip, wake the outbox; never blocks. */
    void committed(List<AuditTap.Committed> entries) {
        long max = -1;
        boolean change = false;
        for (AuditTap.Committed c : entries) {
            max = Math.max(max, c.sequence());
            change |= SecretEvents.of(c.sequence(), c.event()).isPresent();
        }
        synchronized (tipLock) {
            if (max > tip) {
                tip = max;
                tipLock.notifyAll();
            }
        }
        if (change) {
            ingestDue.set(true);
            try {
                worker.execute(this::tick);
            } catch (RejectedExecutionException closed) {
                // closing: the next unseal replays from the cursor
            }
        }
    }

    /** The vault was unsealed: replay the log from the cursor and resume owed deliveries. */
    void unsealed() {
        ingestDue.set(true);
        nextDue = Instant.MIN;
    }

    void close() {
        worker.shutdownNow();
        sender.close();
    }

    private void tick() {
        if (held) {
            return;
        }
        try {
            if (ingestDue.getAndSet(false)) {
                if (ingest() > 0) {
                    nextDue = Instant.MIN;
                }
            }
            if (!clock.instant().isBefore(nextDue)) {
                dispatch();
            }
        } catch (VaultSealedException | VaultNotInitializedException sealed) {
            ingestDue.set(true); // replayed after the unseal
        } catch (RuntimeException e) {
            ingestDue.set(true);
            LOG.warn("the webhook outbox pass failed ({}); it is retried", e.getClass().getSimpleName());
        }
    }

    /** Turns the audit entries after the cursor into outbox records; returns how many were added. */
    private int ingest() {
        boolean nobody = engine.underKeys(u -> engine.storage().read(tx -> new WebhookStore(u.barrier()).subs(tx)
                .isEmpty()));
        if (nobody) {
            return 0; // no write at all: a webhook added later starts from the log's end then
        }
        return engine.underKeys(u -> engine.storage().write(tx -> {
            WebhookStore store = new WebhookStore(u.barrier());
            long last = log.size(u.audit(), tx) - 1;
            Long cursor = store.cursor(tx);
            List<WebhookStore.Sub> subs = store.subs(tx);
            if (cursor == null || subs.isEmpty()) {
                return 0;
            }
            long at = cursor;
            int added = 0;
            int scanned = 0;
            Instant now = clock.instant();
            while (at < last && scanned < SCAN_LIMIT * 10) {
                AuditPage page = log.query(u.audit(), tx, new AuditQuery(null, null, null, null, null, null, at, 1000));
                for (AuditRecord r : page.entries()) {
                    at = r.sequence();
                    scanned++;
                    var e = SecretEvents.of(r);
                    if (e.isPresent()) {
                        added += store.enqueue(tx, subs, e.get(), r.requestId(), now);
                    }
                }
                if (page.nextAfter() == null) {
                    break;
                }
            }
            if (at < last) {
                ingestDue.set(true); // more next tick
            }
            store.setCursor(tx, at);
            return added;
        }));
    }

    /** Sends the deliveries that are due; their outcomes are recorded when they come. */
    private void dispatch() {
        record Work(WebhookStore.Delivery d, WebhookStore.Sub s) {
        }
        Instant now = clock.instant();
        Instant[] earliest = {Instant.MAX};
        List<Work> due = engine.underKeys(u -> engine.storage().read(tx -> {
            WebhookStore store = new WebhookStore(u.barrier());
            Map<String, WebhookStore.Sub> subs = new HashMap<>();
            store.subs(tx).forEach(s -> subs.put(s.id(), s));
            List<Work> out = new ArrayList<>();
            Set<String> seen = new java.util.HashSet<>();
            for (WebhookStore.Delivery d : store.due(tx, Instant.MAX, Integer.MAX_VALUE)) {
                // In order per webhook: only its oldest owed delivery is sent (or waits for its retry).
                if (!seen.add(d.webhookId()) || inFlight.contains(d.storageKey()) || subs.get(d.webhookId()) == null) {
                    continue;
                }
                if (d.nextAt().isAfter(now)) {
                    earliest[0] = d.nextAt().isBefore(earliest[0]) ? d.nextAt() : earliest[0];
                } else if (out.size() < 32) {
                    out.add(new Work(d, subs.get(d.webhookId())));
                } else {
                    earliest[0] = now;
                }
            }
            return out;
        }));
        nextDue = earliest[0];
        for (Work w : due) {
            String key = w.d().storageKey();
            inFlight.add(key);
            try {
                sender.sendAs(w.s().target(timeout), w.d().event(), body(w.d()), w.d().deliveryId())
                        .thenAccept(o -> {
                            try {
                                worker.execute(() -> attempted(w.d(), o));
                            } catch (RejectedExecutionException closed) {
                                inFlight.remove(key);
                            }
                        });
            } catch (RuntimeException e) {
                inFlight.remove(key);
                attempted(w.d(), new WebhookSender.Outcome(w.d().deliveryId(), w.d().event(), w.s().host(), false, 1,
                        0, e.getClass().getSimpleName()));
            }
        }
    }

    private void attempted(WebhookStore.Delivery d, WebhookSender.Outcome o) {
        try {
            if ("stopped".equals(o.lastError())) {
                return; // closing: sent again after the next unseal
            }
            int status = o.lastStatus();
            boolean retryable = !o.delivered() && (status == 0 || status == 408 || status == 425 || status == 429
                    || status >= 500);
            int attempts = d.attempts() + 1;
            boolean gaveUp = !o.delivered() && (!retryable || attempts >= backoff.maxAttempts());
            Instant now = clock.instant();
            Instant next = now.plus(backoff.after(attempts));
            boolean recovered = o.delivered() && d.attempts() > 0;
            engine.underKeys(u -> engine.storage().write(tx -> {
                new WebhookStore(u.barrier()).attempted(tx, d, o.delivered(), status, o.lastError(), now, next, gaveUp);
                if (gaveUp || recovered) {
                    // Reported in the audit log too (in the same transaction: fail closed), host only.
                    door.appendDirect(u, OUTBOX_CALLER, OUTBOX, null, Operation.WEBHOOK_DELIVERY,
                            WEBHOOKS + "/" + d.webhookId(), gaveUp ? dev.keyward.vault.audit.AuditEvent.Outcome.FAILURE
                                    : dev.keyward.vault.audit.AuditEvent.Outcome.SUCCESS,
                            gaveUp ? o.lastError() : null, now, tx, Map.of("webhook", d.webhookId(), "host", o.host(),
                                    "event", d.event(), "sequence", Long.toString(d.sequence()),
                                    "attempts", Integer.toString(attempts), "delivery", d.deliveryId()));
                }
                return null;
            }));
            if (o.delivered() || gaveUp) {
                nextDue = Instant.MIN; // the webhook's next delivery may go now
                if (gaveUp) {
                    LOG.warn("webhook {} to {} failed after {} attempt(s) ({}); shown in 'keyward webhook list'",
                            d.event(), o.host(), attempts, o.lastError());
                }
            } else {
                LOG.info("webhook {} to {}: attempt {} failed ({}){}", d.event(), o.host(), attempts, o.lastError(),
                        ", retrying");
                if (next.isBefore(nextDue)) {
                    nextDue = next;
                }
            }
        } catch (VaultSealedException | VaultNotInitializedException sealed) {
            // not recorded: the delivery is still owed and is sent again after the unseal
        } catch (RuntimeException e) {
            LOG.warn("a webhook outcome could not be recorded ({})", e.getClass().getSimpleName());
        } finally {
            inFlight.remove(d.storageKey());
        }
    }

    /** The signed body: event, path, version, sequence, time and ids; never a value. */
    private static byte[] body(WebhookStore.Delivery d) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("event", d.event());
        b.put("path", d.path());
        b.put("version", d.version());
        b.put("sequence", d.sequence());
        b.put("time", d.time().toString());
        b.put("webhook", d.webhookId());
        b.put("delivery", d.deliveryId());
        return json(b);
    }

    private static byte[] json(Object o) {
        try {
            return Records.JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException("a webhook body could not be encoded", e);
        }
    }

    // ------------------------------------------------------------ webhooks

    @Override
    public NewWebhook addWebhook(Caller caller, WebhookSpec spec) {
        WebhookSpec valid = WebhookStore.validate(spec);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(Random.bytes(9));
        byte[] key = Random.bytes(32);
        try {
            return guard.run(() -> door.write(caller, Operation.WEBHOOK_WRITE, WEBHOOKS + "/" + id, (k, p, tx, now) -> {
                WebhookStore store = new WebhookStore(k.barrier());
                WebhookStore.Sub s = store.add(tx, id, valid, key, p.name(), now,
                        log == null ? -1 : log.size(k.audit(), tx) - 1);
                return new NewWebhook(store.view(tx, s), java.util.HexFormat.of().formatHex(key));
            }, w -> Map.of("step", "add", "webhook", id, "host", w.webhook().host(), "prefix", valid.prefix(),
                    "events", valid.events().isEmpty() ? "all" : String.join(",", valid.events()),
                    "pinned_ca", Boolean.toString(valid.caPem() != null))));
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    @Override
    public List<Webhook> webhooks(Caller caller) {
        return guard.run(() -> door.read(caller, Operation.WEBHOOK_READ, WEBHOOKS, (k, p, tx, now) -> {
            WebhookStore store = new WebhookStore(k.barrier());
            List<Webhook> out = new ArrayList<>();
            for (WebhookStore.Sub s : store.subs(tx)) {
                out.add(store.view(tx, s));
            }
            return out;
        }));
    }

    @Override
    public void removeWebhook(Caller caller, String id) {
        guard.run(() -> door.write(caller, Operation.WEBHOOK_WRITE, WEBHOOKS + "/" + id, (k, p, tx, now) -> {
            new WebhookStore(k.barrier()).remove(tx, id);
            return null;
        }, x -> Map.of("step", "remove", "webhook", id)));
    }

    @Override
    public WebhookTestResult testWebhook(Caller caller, String id) {
        WebhookStore.Sub s = guard.run(() -> door.read(caller, Operation.WEBHOOK_TEST, WEBHOOKS + "/" + id,
                (k, p, tx, now) -> new WebhookStore(k.barrier()).get(tx, id), x -> Map.of("webhook", id)));
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("event", "webhook.test");
        b.put("webhook", id);
        b.put("time", clock.instant().toString());
        WebhookSender.Outcome o;
        try {
            o = sender.send(s.target(timeout), "webhook.test", json(b)).get(timeout.toMillis() + 10_000,
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidRequestException("The test delivery was interrupted.");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            o = new WebhookSender.Outcome("", "webhook.test", s.host(), false, 1, 0, "timeout");
        }
        WebhookSender.Outcome done = o;
        try {
            engine.underKeys(u -> engine.storage().write(tx -> {
                new WebhookStore(u.barrier()).tested(tx, id, done.delivered(), done.lastStatus(), done.lastError(),
                        clock.instant());
                return null;
            }));
        } catch (RuntimeException e) {
            LOG.debug("a test outcome was not recorded ({})", e.getClass().getSimpleName());
        }
        return new WebhookTestResult(id, s.host(), o.delivered(), o.lastStatus(), o.lastError());
    }

    // ------------------------------------------------------------ the change feed

    private record Scan(List<SecretEvent> events, long next, boolean more) {
    }

    @Override
    public EventPage events(Caller caller, long after, String prefix, Duration wait) {
        if (log == null) {
            throw new InvalidRequestException("This vault writes no audit log, so it has no change feed.");
        }
        if (after < -1) {
            throw new InvalidRequestException("after is -1 (from now) or an event sequence number.");
        }
        String pre = WebhookStore.prefix(prefix);
        Duration w = wait == null || wait.isNegative() ? Duration.ZERO : wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
        long deadline = System.nanoTime() + w.toNanos();
        long cursor = after;
        String resource = SecretEvents.MOUNT + pre;
        while (true) {
            long from = cursor;
            Scan s = guard.run(() -> door.readAuditedIf(caller, Operation.EVENTS_READ, resource,
                    (k, p, tx, now) -> scan(k, p, caller, tx, now, from, pre),
                    r -> Map.of("events", Integer.toString(r.events().size()), "after", Long.toString(from),
                            "next", Long.toString(r.next())), r -> !r.events().isEmpty()));
            if (!s.events().isEmpty() || s.more()) {
                return new EventPage(s.events(), s.next());
            }
            cursor = s.next();
            long left = deadline - System.nanoTime();
            if (left <= 0 || !awaitPast(cursor, left)) {
                return new EventPage(List.of(), cursor);
            }
        }
    }

    /** Waits until an entry after {@code cursor} is durable; false on timeout. */
    private boolean awaitPast(long cursor, long nanos) {
        long end = System.nanoTime() + nanos;
        synchronized (tipLock) {
            while (tip <= cursor) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(tipLock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private Scan scan(Unsealed k, Principal p, Caller caller, StorageTx tx, Instant now, long after, String prefix) {
        long last = log.size(k.audit(), tx) - 1;
        long at = after < 0 ? last : after;
        List<SecretEvent> out = new ArrayList<>();
        Map<String, Boolean> readable = new HashMap<>();
        int scanned = 0;
        while (at < last && scanned < SCAN_LIMIT) {
            AuditPage page = log.query(k.audit(), tx, new AuditQuery(null, null, null, null, null, null, at,
                    Math.min(1000, SCAN_LIMIT - scanned)));
            for (AuditRecord r : page.entries()) {
                at = r.sequence();
                scanned++;
                SecretEvents.of(r).filter(e -> SecretEvents.under(e.path(), prefix))
                        .filter(e -> readable.computeIfAbsent(e.path(), path -> door.allows(p, caller,
                                Operation.SECRET_READ, SecretEvents.MOUNT + path, now, tx)))
                        .ifPresent(out::add);
            }
            if (page.nextAfter() == null) {
                break;
            }
        }
        return new Scan(out, at, at < last);
    }
}
