package dev.keyward.vault.api;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The fields of one secret version: field name to value. Immutable. {@link #toString()} never
 * shows a value, so a SecretData that ends up in a log or an exception reveals nothing.
 */
public final class SecretData {
    private final Map<String, String> fields;

    private SecretData(Map<String, String> fields) {
        this.fields = Collections.unmodifiableMap(new TreeMap<>(fields));
    }

    public static SecretData of(Map<String, String> fields) {
        Objects.requireNonNull(fields, "fields");
        fields.forEach((k, v) -> {
            if (k == null || v == null) {
                throw new InvalidRequestException("Secret field names and values must not be null.");
            }
        });
        return new SecretData(fields);
    }

    /** The fields, sorted by name. */
    public Map<String, String> fields() {
        return fields;
    }

    public String field(String name) {
        return fields.get(name);
    }

    public int size() {
        return fields.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecretData other && fields.equals(other.fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        return "SecretData[" + fields.size() + " fields, values hidden]";
    }
}
