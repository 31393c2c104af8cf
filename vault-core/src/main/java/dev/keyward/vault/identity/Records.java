package dev.keyward.vault.identity;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.storage.StorageTx;
import java.io.IOException;

/** Typed, barrier-sealed JSON records in storage. One mapper for every package. */
public final class Records {
    public static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Records() {
    }

    public static <T> T get(StorageTx tx, Barrier barrier, String kind, String key, Class<T> type) {
        byte[] sealed = tx.get(key);
        if (sealed == null) {
            return null;
        }
        return decode(barrier.open(Barrier.Binding.of(kind, key), sealed), type);
    }

    public static void put(StorageTx tx, Barrier barrier, String kind, String key, Object value) {
        tx.put(key, barrier.seal(Barrier.Binding.of(kind, key), encode(value)));
    }

    public static byte[] encode(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("record could not be encoded", e);
        }
    }

    public static <T> T decode(byte[] bytes, Class<T> type) {
        try {
            return JSON.readValue(bytes, type);
        } catch (IOException e) {
            throw new IntegrityException("A stored record could not be parsed.");
        }
    }
}
