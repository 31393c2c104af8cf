package dev.keyward.vault.identity;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.storage.StorageTx;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

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

    /**
     * Records of one immutable type by storage key, each kept with the exact sealed bytes it was
     * opened from. A lookup still reads the stored bytes; only when they are exactly the kept ones
     * is the kept record returned, so a change, a deletion or a rollback is seen at once, and
     * opening and parsing are saved. It lives with the unsealed keys that opened its records.
     */
    public static final class Cache<T> {
        private final Barrier barrier;
        private final String kind;
        private final Function<byte[], T> decoder;
        private final int capacity;
        private final ConcurrentHashMap<String, Opened<T>> byKey = new ConcurrentHashMap<>();

        private record Opened<T>(byte[] sealed, T value) {
        }

        /** {@code type} must be immutable: one instance is handed to every caller. */
        public Cache(Barrier barrier, String kind, Class<T> type, int capacity) {
            this(barrier, kind, plain -> decode(plain, type), capacity);
        }

        /** Keeps what {@code decoder} makes of the opened bytes, which must be immutable. */
        public Cache(Barrier barrier, String kind, Function<byte[], T> decoder, int capacity) {
            this.barrier = barrier;
            this.kind = kind;
            this.decoder = decoder;
            this.capacity = capacity;
        }

        /** The same as {@link Records#get}, from the cache when the stored bytes are unchanged. */
        public T get(StorageTx tx, String key) {
            byte[] sealed = tx.get(key);
            if (sealed == null) {
                byKey.remove(key);
                return null;
            }
            Opened<T> kept = byKey.get(key);
            if (kept != null && Arrays.equals(kept.sealed(), sealed)) {
                return kept.value();
            }
            T value = decoder.apply(barrier.open(Barrier.Binding.of(kind, key), sealed));
            if (byKey.size() >= capacity) {
                byKey.clear(); // simple bound: a full cache starts over
            }
            byKey.put(key, new Opened<>(sealed, value));
            return value;
        }

        @Override
        public String toString() {
            return "Records.Cache[" + kind + ", " + byKey.size() + " kept]";
        }
    }
}
