package dev.keyward.vault.rotation;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A rotator whose values expire (certificates): when a rotation finishes, the engine records the
 * new value's expiry as the secret's {@code expires_at} metadata, and the expiry trigger renews it
 * within the config's {@code expiry_lead} (or {@link #defaultLead}) of that time.
 */
public interface Expiring {

    /** When a value expires, or null when it does not say. */
    Instant expiresAt(Map<String, String> value);

    /** The lead time to renew before expiry when the config names none. */
    Duration defaultLead(Map<String, String> params);
}
