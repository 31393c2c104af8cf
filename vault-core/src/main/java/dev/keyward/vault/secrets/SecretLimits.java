package dev.keyward.vault.secrets;

import dev.keyward.vault.api.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;

/** Size limits on secret data and custom metadata, with clear errors. */
public final class SecretLimits {
    public static final int MAX_FIELDS = 256;
    public static final int MAX_FIELD_NAME_BYTES = 256;
    public static final int MAX_VERSION_BYTES = 1024 * 1024;
    public static final int MAX_CUSTOM_KEYS = 64;
    public static final int MAX_CUSTOM_KEY_BYTES = 128;
    public static final int MAX_CUSTOM_VALUE_BYTES = 512;
    public static final Set<String> CRITICALITIES = Set.of("low", "medium", "high", "critical");

    private SecretLimits() {
    }

    static void checkData(Map<String, String> fields) {
        if (fields.size() > MAX_FIELDS) {
            throw new InvalidRequestException("A secret has at most " + MAX_FIELDS + " fields.");
        }
        long total = 0;
        for (var e : fields.entrySet()) {
            String name = e.getKey();
            int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
            if (name.isEmpty() || nameBytes > MAX_FIELD_NAME_BYTES) {
                throw new InvalidRequestException("A field name is 1 to " + MAX_FIELD_NAME_BYTES + " bytes.");
            }
            if (name.chars().anyMatch(Character::isISOControl)) {
                throw new InvalidRequestException("A field name must not contain control characters.");
            }
            total += nameBytes + e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (total > MAX_VERSION_BYTES) {
            throw new InvalidRequestException("A secret version is at most 1 MiB of field names and values.");
        }
    }

    static void checkCustomMetadata(Map<String, String> custom) {
        if (custom.size() > MAX_CUSTOM_KEYS) {
            throw new InvalidRequestException("custom_metadata has at most " + MAX_CUSTOM_KEYS + " keys.");
        }
        for (var e : custom.entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().getBytes(StandardCharsets.UTF_8).length > MAX_CUSTOM_KEY_BYTES) {
                throw new InvalidRequestException("A custom_metadata key is 1 to " + MAX_CUSTOM_KEY_BYTES + " bytes.");
            }
            if (e.getValue().getBytes(StandardCharsets.UTF_8).length > MAX_CUSTOM_VALUE_BYTES) {
                throw new InvalidRequestException("A custom_metadata value is at most " + MAX_CUSTOM_VALUE_BYTES
                        + " bytes.");
            }
        }
        String crit = custom.get("criticality");
        if (crit != null && !CRITICALITIES.contains(crit)) {
            throw new InvalidRequestException("criticality is one of low, medium, high, critical.");
        }
        String expires = custom.get("expires_at");
        if (expires != null) {
            try {
                OffsetDateTime.parse(expires);
            } catch (DateTimeParseException e) {
                throw new InvalidRequestException("expires_at is an RFC 3339 time, e.g. 2027-01-31T00:00:00Z.");
            }
        }
    }
}
