package dev.keyward.vault.events;

import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.NotificationService;
import dev.keyward.vault.api.NotificationService.SecretEvent;
import dev.keyward.vault.api.NotificationService.Webhook;
import dev.keyward.vault.api.NotificationService.WebhookSpec;
import dev.keyward.vault.api.SecretPaths;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.identity.Records;
import dev.keyward.vault.notify.WebhookTarget;
import dev.keyward.vault.storage.StorageTx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * Webhook subscriptions and their durable outbox, as barrier-sealed records:
 * <pre>
 * wh/s/&lt;id&gt;              a subscription: URL, prefix, event kinds, signing key, pinned CA
 * wh/st/&lt;id&gt;             its delivery counters and last outcome
 * wh/o/&lt;id&gt;/&lt;seq&gt;       one delivery still owed (or failed for good) for the audit entry seq (16 hex)
 * wh/cursor              the last audit sequence turned into deliveries
 * </pre>
 * The outbox is bounded: at most {@link #MAX_OWED} deliveries per webhook (the oldest owed one is
 * dropped and counted as failed when a new one would pass it) and {@link #MAX_FAILED} kept failures.
 */
public final class WebhookStore {
    public static final String PREFIX = "wh/";
    public static final String KIND = "notify.webhook";
    static final String SUBS = "wh/s/";
    static final String STATS = "wh/st/";
    static final String OUTBOX = "wh/o/";
    static final String CURSOR = "wh/cursor";
    public static final int MAX_WEBHOOKS = 100;
    public static final int MAX_OWED = 1000;
    public static final int MAX_FAILED = 50;

    /** A stored subscription. The URL and key never leave the vault except to be sent to. */
    public record Sub(String id, String url, String prefix, List<String> events, String key, String caPem,
                      Instant createdAt, String createdBy, long after) {
        @Override
        public String toString() {
            return "Sub[" + id + "]";
        }

        public boolean wants(SecretEvent e) {
            return e.sequence() > after && SecretEvents.under(e.path(), prefix)
                    && (events.isEmpty() || events.contains(e.event()));
        }

        public WebhookTarget target(Duration timeout) {
            return new WebhookTarget(url, HexFormat.of().parseHex(key), caPem, timeout);
        }

        public String host() {
            return WebhookTarget.parse(url).getHost() + (WebhookTarget.parse(url).getPort() < 0 ? ""
                    : ":" + WebhookTarget.parse(url).getPort());
        }
    }

    /** Counters and the last outcome of a webhook's deliveries. */
    public record Stats(long delivered, long failed, long failedAttempts, Instant lastAttemptAt,
                        Instant lastDeliveredAt, int lastStatus, String lastError) {
        static final Stats NONE = new Stats(0, 0, 0, null, null, 0, null);

        Stats attempt(Instant at, boolean ok, boolean gaveUp, int status, String error) {
            return new Stats(delivered + (ok ? 1 : 0), failed + (gaveUp ? 1 : 0), failedAttempts + (ok ? 0 : 1), at,
                    ok ? at : lastDeliveredAt, status, ok ? lastError : error);
        }
    }

    /** One delivery of one event to one webhook. */
    public record Delivery(String deliveryId, String webhookId, long sequence, String event, String path, int version,
                           Instant time, int attempts, Instant nextAt, boolean failed, int lastStatus,
                           String lastError) {
        Delivery tried(int status, String error, Instant next, boolean gaveUp) {
            return new Delivery(deliveryId, webhookId, sequence, event, path, version, time, attempts + 1, next,
                    gaveUp, status, error);
        }

        public String storageKey() {
            return outboxKey(webhookId, sequence);
        }
    }

    private record Cursor(long sequence) {
    }

    private final Barrier barrier;

    public WebhookStore(Barrier barrier) {
        this.barrier = barrier;
    }

    // ------------------------------------------------------------ validation

    /** Checks a spec; returns the normalised prefix and event kinds. Throws a clear error on bad input. */
    public static WebhookSpec validate(WebhookSpec spec) {
        if (spec == null || spec.url() == null || spec.url().isBlank()) {
            throw new InvalidRequestException("A webhook needs a URL (https://...).");
        }
        WebhookTarget.parse(spec.url());
        String prefix = prefix(spec.prefix());
        LinkedHashSet<String> kinds = new LinkedHashSet<>();
        for (String k : spec.events()) {
            String kind = k == null ? "" : k.trim().toLowerCase(Locale.ROOT);
            if (!kind.startsWith("secret.") && NotificationService.EVENT_KINDS.contains("secret." + kind)) {
                kind = "secret." + kind;
            }
            if (!NotificationService.EVENT_KINDS.contains(kind)) {
                throw new InvalidRequestException("Unknown event kind '" + k + "': use "
                        + String.join(", ", NotificationService.EVENT_KINDS) + ".");
            }
            kinds.add(kind);
        }
        String ca = spec.caPem() == null || spec.caPem().isBlank() ? null : spec.caPem();
        if (ca != null) {
            new WebhookTarget(spec.url(), new byte[32], ca, null); // checks the PEM
        }
        return new WebhookSpec(spec.url().trim(), prefix, List.copyOf(kinds), ca);
    }

    /** A watch or subscription prefix: "" (everything), a folder ("app/") or the start of a path ("app/db"). */
    public static String prefix(String raw) {
        String p = raw == null ? "" : SecretPaths.normalize(raw.trim());
        if (p.isEmpty()) {
            return "";
        }
        String why = "A prefix is a secret path or folder such as app/ or app/db";
        if (p.contains("*") || p.contains("://") || p.contains("#") || p.chars().anyMatch(Character::isWhitespace)) {
            throw new InvalidRequestException(why + " (no wildcard, scheme, '#' or space): '" + printable(p) + "'.");
        }
        try {
            if (p.endsWith("/")) {
                SecretPaths.validateFolder(p);
            } else {
                SecretPaths.validateSecretPath(p);
            }
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException(why + ": " + e.getMessage());
        }
        return p;
    }

    private static String printable(String s) {
        String t = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }

    // ------------------------------------------------------------ subscriptions

    /** Adds a subscription to the changes after audit sequence {@code after} (the log's end now). */
    public Sub add(StorageTx tx, String id, WebhookSpec valid, byte[] key, String by, Instant now, long after) {
        if (tx.scan(SUBS, null, MAX_WEBHOOKS).size() >= MAX_WEBHOOKS) {
            throw new InvalidRequestException("A vault holds at most " + MAX_WEBHOOKS + " webhooks.");
        }
        if (subs(tx).isEmpty()) {
            setCursor(tx, after); // nobody was told before: no need to read the log from an old cursor
        }
        Sub s = new Sub(id, valid.url(), valid.prefix(), valid.events(), HexFormat.of().formatHex(key), valid.caPem(),
                now, by, after);
        Records.put(tx, barrier, KIND, SUBS + id, s);
        Records.put(tx, barrier, KIND, STATS + id, Stats.NONE);
        return s;
    }

    public Sub get(StorageTx tx, String id) {
        Sub s = id == null || !id.matches("[A-Za-z0-9_-]{1,64}") ? null : Records.get(tx, barrier, KIND, SUBS + id, Sub.class);
        if (s == null) {
            throw new NotFoundException("No webhook " + (id == null ? "" : printable(id)) + ".");
        }
        return s;
    }

    public List<Sub> subs(StorageTx tx) {
        List<Sub> out = new ArrayList<>();
        for (StorageTx.Entry e : tx.scan(SUBS, null, MAX_WEBHOOKS * 2)) {
            out.add(Records.decode(barrier.open(Barrier.Binding.of(KIND, e.key()), e.value()), Sub.class));
        }
        return out;
    }

    public void remove(StorageTx tx, String id) {
        get(tx, id);
        tx.delete(SUBS + id);
        tx.delete(STATS + id);
        tx.deletePrefix(OUTBOX + id + "/");
    }

    public Stats stats(StorageTx tx, String id) {
        Stats s = Records.get(tx, barrier, KIND, STATS + id, Stats.class);
        return s == null ? Stats.NONE : s;
    }

    public Webhook view(StorageTx tx, Sub s) {
        Stats st = stats(tx, s.id());
        long pending = 0;
        for (Delivery d : deliveries(tx, s.id())) {
            if (!d.failed()) {
                pending++;
            }
        }
        return new Webhook(s.id(), s.host(), s.prefix(), s.events(), s.caPem() != null, s.createdAt(), s.createdBy(),
                st.delivered(), pending, st.failed(), st.failedAttempts(), st.lastAttemptAt(), st.lastDeliveredAt(),
                st.lastStatus(), st.lastError());
    }

    // ------------------------------------------------------------ the outbox

    static String outboxKey(String webhookId, long sequence) {
        return OUTBOX + webhookId + "/" + String.format("%016x", sequence);
    }

    /** The last audit sequence turned into deliveries, or null before the first time. */
    public Long cursor(StorageTx tx) {
        Cursor c = Records.get(tx, barrier, KIND, CURSOR, Cursor.class);
        return c == null ? null : c.sequence();
    }

    public void setCursor(StorageTx tx, long sequence) {
        Records.put(tx, barrier, KIND, CURSOR, new Cursor(sequence));
    }

    /** Adds the delivery of {@code e} to every webhook that wants it; returns how many were added. */
    public int enqueue(StorageTx tx, List<Sub> subs, SecretEvent e, String deliveryIdBase, Instant now) {
        int n = 0;
        for (Sub s : subs) {
            if (!s.wants(e)) {
                continue;
            }
            String key = outboxKey(s.id(), e.sequence());
            if (tx.get(key) != null) {
                continue; // already owed (a replay after a crash)
            }
            List<Delivery> owed = deliveries(tx, s.id());
            List<Delivery> pending = owed.stream().filter(d -> !d.failed()).toList();
            if (pending.size() >= MAX_OWED) {
                Delivery oldest = pending.get(0);
                tx.delete(oldest.storageKey());
                Records.put(tx, barrier, KIND, STATS + s.id(), stats(tx, s.id())
                        .attempt(now, false, true, 0, "outbox full: dropped"));
            }
            Records.put(tx, barrier, KIND, key, new Delivery(deliveryIdBase + "-" + s.id(), s.id(), e.sequence(),
                    e.event(), e.path(), e.version(), e.time(), 0, now, false, 0, null));
            n++;
        }
        return n;
    }

    /** Every delivery kept for a webhook, oldest first. */
    public List<Delivery> deliveries(StorageTx tx, String webhookId) {
        List<Delivery> out = new ArrayList<>();
        for (StorageTx.Entry e : tx.scan(OUTBOX + webhookId + "/", null, MAX_OWED + MAX_FAILED + 10)) {
            out.add(Records.decode(barrier.open(Barrier.Binding.of(KIND, e.key()), e.value()), Delivery.class));
        }
        return out;
    }

    /** Owed deliveries due at {@code now}, at most {@code limit}, oldest first per webhook. */
    public List<Delivery> due(StorageTx tx, Instant now, int limit) {
        List<Delivery> out = new ArrayList<>();
        for (StorageTx.Entry e : tx.scan(OUTBOX, null, Integer.MAX_VALUE)) {
            Delivery d = Records.decode(barrier.open(Barrier.Binding.of(KIND, e.key()), e.value()), Delivery.class);
            if (!d.failed() && !d.nextAt().isAfter(now)) {
                out.add(d);
                if (out.size() >= limit) {
                    break;
                }
            }
        }
        return out;
    }

    /**
     * Records one attempt's outcome: a delivered one leaves the outbox; a failed one is retried at
     * {@code next}, or kept as failed when {@code gaveUp}.
     */
    public void attempted(StorageTx tx, Delivery d, boolean ok, int status, String error, Instant now, Instant next,
                          boolean gaveUp) {
        if (tx.get(d.storageKey()) == null) {
            return; // the webhook was removed meanwhile
        }
        if (ok) {
            tx.delete(d.storageKey());
        } else {
            Records.put(tx, barrier, KIND, d.storageKey(), d.tried(status, error, next, gaveUp));
            if (gaveUp) {
                List<Delivery> failed = deliveries(tx, d.webhookId()).stream().filter(Delivery::failed).toList();
                for (int i = 0; i < failed.size() - MAX_FAILED; i++) {
                    tx.delete(failed.get(i).storageKey());
                }
            }
        }
        Records.put(tx, barrier, KIND, STATS + d.webhookId(), stats(tx, d.webhookId())
                .attempt(now, ok, gaveUp, status, error));
    }

    /** Records the outcome of a test delivery in the webhook's counters. */
    public void tested(StorageTx tx, String id, boolean ok, int status, String error, Instant now) {
        if (tx.get(SUBS + id) != null) {
            Records.put(tx, barrier, KIND, STATS + id, stats(tx, id).attempt(now, ok, false, status, error));
        }
    }
}
