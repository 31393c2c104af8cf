package dev.keyward.vault.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Propagation of secret changes to dependents: signed webhooks (subscriptions stored under the
 * barrier, deliveries kept in a durable outbox and retried with backoff) and the change feed that
 * watchers long-poll ({@code keyward run --watch}, {@code keyward inject --watch}). Every call goes
 * through the guarded door and is audited. Nothing here ever carries a secret value: events name a
 * path, a version and what happened.
 */
public interface NotificationService {

    /** The event kinds a webhook can subscribe to and the feed reports. */
    List<String> EVENT_KINDS = List.of(SecretEvent.UPDATED, SecretEvent.ROTATED, SecretEvent.DELETED,
            SecretEvent.DESTROYED, SecretEvent.METADATA);

    /**
     * Subscribes an {@code https} URL to changes under a path prefix. The vault makes the signing
     * key; the answer shows it this once. Refused (and nothing stored) for a URL that is not
     * https, an unknown event kind, a prefix that is not a path, or a CA that is not PEM.
     */
    NewWebhook addWebhook(Caller caller, WebhookSpec spec);

    /** Every webhook with its delivery status (delivered, pending, failed, the last error). */
    List<Webhook> webhooks(Caller caller);

    /** Removes a webhook and what its outbox still held for it. */
    void removeWebhook(Caller caller, String id);

    /** Sends one signed {@code webhook.test} delivery now (one attempt) and says how it went. */
    WebhookTestResult testWebhook(Caller caller, String id);

    /**
     * The secret changes after {@code after} (an audit sequence number; -1 = from the current end)
     * under {@code prefix} that the caller may read, waiting up to {@code wait} (at most
     * {@link #MAX_WAIT}) for one to come. A poll that returns events is audited once; an idle
     * wait adds no entry.
     */
    EventPage events(Caller caller, long after, String prefix, Duration wait);

    /** The longest a poll waits (the endpoint's idle timeout is 30 s). */
    Duration MAX_WAIT = Duration.ofSeconds(25);

    /**
     * What a webhook is to be.
     *
     * @param url    an absolute {@code https://} URL (no user info); never logged or shown again
     * @param prefix a path prefix: the subscription covers paths that start with it ("" = all)
     * @param events the kinds it wants (empty = every kind)
     * @param caPem  the CA the receiver's certificate must chain to (PEM), or null for the JDK's trust store
     */
    record WebhookSpec(String url, String prefix, List<String> events, String caPem) {
        public WebhookSpec {
            events = events == null ? List.of() : List.copyOf(events);
        }

        @Override
        public String toString() {
            return "WebhookSpec[prefix=" + prefix + ", events=" + events + "]";
        }
    }

    /**
     * A webhook as listed: where it goes (host only), what it covers, and how its deliveries go.
     *
     * @param pending    deliveries still owed (waiting for an attempt or a retry)
     * @param failed     deliveries that ran out of attempts or were refused
     * @param lastError  why the last failed attempt failed (error class or HTTP status), or null
     */
    record Webhook(String id, String host, String prefix, List<String> events, boolean pinnedCa, Instant createdAt,
                   String createdBy, long delivered, long pending, long failed, long failedAttempts,
                   Instant lastAttemptAt, Instant lastDeliveredAt, int lastStatus, String lastError) {
    }

    /** A new webhook and its signing key (hex, 32 bytes), shown once. */
    record NewWebhook(Webhook webhook, String signingKey) {
        @Override
        public String toString() {
            return "NewWebhook[" + webhook.id() + ", signing_key=***]";
        }
    }

    /** How a test delivery went. */
    record WebhookTestResult(String id, String host, boolean delivered, int status, String error) {
    }

    /**
     * One change of a secret.
     *
     * @param sequence the audit entry's sequence number (the feed's cursor)
     * @param event    one of {@link #EVENT_KINDS}
     * @param path     the secret's path (without the mount)
     * @param version  the new current version for updated/rotated, else the version acted on (0 = several or all)
     * @param versions the versions a delete, undelete or destroy named
     */
    record SecretEvent(long sequence, String event, String path, int version, List<Integer> versions, Instant time) {
        public static final String UPDATED = "secret.updated";
        public static final String ROTATED = "secret.rotated";
        public static final String DELETED = "secret.deleted";
        public static final String DESTROYED = "secret.destroyed";
        public static final String METADATA = "secret.metadata";

        public SecretEvent {
            versions = versions == null ? List.of() : List.copyOf(versions);
        }
    }

    /**
     * A page of the feed: the events and the cursor to poll after next ({@code next} is at least
     * {@code after}; the events the caller may not read are skipped, not shown).
     */
    record EventPage(List<SecretEvent> events, long next) {
        public EventPage {
            events = List.copyOf(events);
        }
    }
}
