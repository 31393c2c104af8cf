package dev.keyward.vault.crypto;

import dev.keyward.vault.api.IntegrityException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The data keys by term plus named purpose keys (for keyed hashes of identifiers, the audit
 * log, ...). Exactly one term is active for new writes; every older term still decrypts.
 * Stored only encrypted under the root key ({@link #serialize()} gives the plaintext form the
 * seal encrypts). Thread-safe: rotation publishes a new immutable view.
 */
public final class Keyring implements AutoCloseable {
    /** Keyed hash of paths and names used as storage identifiers. */
    public static final String INDEX_KEY = "index";
    /** Keyed hash of tokens and accessors in audit entries. */
    public static final String AUDIT_HMAC_KEY = "audit-hmac";
    /** Seed of the Ed25519 key that signs audit tree heads when the seal has no signer of its own. */
    public static final String AUDIT_SIGNING_SEED = "audit-signing-ed25519";

    private static final int MAGIC = 0x4B57524B; // "KWRK"
    private static final int FORMAT = 1;

    /** A data key by term, with the AEAD that uses it (one per term, so its ciphers are reused). */
    public record Term(int term, Instant created, DestroyableKey key, AesGcm aead) {
        static Term of(int term, Instant created, DestroyableKey key) {
            return new Term(term, created, key, new AesGcm(key));
        }
    }

    private record State(int active, SortedMap<Integer, Term> terms, Map<String, DestroyableKey> named) {
    }

    private volatile State state;

    private Keyring(State state) {
        this.state = state;
    }

    /** A new keyring: term 1 and fresh purpose keys. */
    public static Keyring create(Instant now) {
        TreeMap<Integer, Term> terms = new TreeMap<>();
        terms.put(1, Term.of(1, now, DestroyableKey.generate(AesGcm.KEY_BYTES, "AES")));
        TreeMap<String, DestroyableKey> named = new TreeMap<>();
        named.put(INDEX_KEY, DestroyableKey.generate(32, "HmacSHA256"));
        named.put(AUDIT_HMAC_KEY, DestroyableKey.generate(32, "HmacSHA256"));
        named.put(AUDIT_SIGNING_SEED, DestroyableKey.generate(32, "Ed25519"));
        return new Keyring(new State(1, Collections.unmodifiableSortedMap(terms), Collections.unmodifiableMap(named)));
    }

    public int activeTerm() {
        return state.active;
    }

    public Term term(int term) {
        Term t = state.terms.get(term);
        if (t == null) {
            throw new IntegrityException("A record refers to key term " + term + ", which this keyring does not hold.");
        }
        return t;
    }

    public SortedMap<Integer, Term> terms() {
        return state.terms;
    }

    /** A named purpose key, created on first use by {@link #withNamedKey}. */
    public DestroyableKey named(String name) {
        DestroyableKey k = state.named.get(name);
        if (k == null) {
            throw new IllegalStateException("keyring has no key named " + name);
        }
        return k;
    }

    public boolean hasNamed(String name) {
        return state.named.containsKey(name);
    }

    /** Adds a purpose key if absent (e.g. a signing seed); the caller must then persist the keyring. */
    public synchronized void withNamedKey(String name, int bytes, String algorithm) {
        if (!state.named.containsKey(name)) {
            TreeMap<String, DestroyableKey> named = new TreeMap<>(state.named);
            named.put(name, DestroyableKey.generate(bytes, algorithm));
            state = new State(state.active, state.terms, Collections.unmodifiableMap(named));
        }
    }

    /** Adds a new term and makes it active; returns it. The caller must persist the keyring. */
    public synchronized int rotate(Instant now) {
        int next = state.terms.lastKey() + 1;
        TreeMap<Integer, Term> terms = new TreeMap<>(state.terms);
        terms.put(next, Term.of(next, now, DestroyableKey.generate(AesGcm.KEY_BYTES, "AES")));
        state = new State(next, Collections.unmodifiableSortedMap(terms), state.named);
        return next;
    }

    /** Plaintext serialization, to be encrypted by the seal at once; the caller wipes the array. */
    public byte[] serialize() {
        State s = state;
        WipingBuffer buf = new WipingBuffer();
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeInt(s.active);
            out.writeInt(s.terms.size());
            for (Term t : s.terms.values()) {
                out.writeInt(t.term);
                out.writeLong(t.created.toEpochMilli());
                writeKey(out, t.key);
            }
            out.writeInt(s.named.size());
            for (var e : s.named.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue().getAlgorithm());
                writeKey(out, e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] result = buf.toByteArray();
        buf.wipe();
        return result;
    }

    public static Keyring deserialize(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                throw new IntegrityException("The keyring has an unknown format.");
            }
            int active = in.readInt();
            int n = in.readInt();
            TreeMap<Integer, Term> terms = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                int term = in.readInt();
                Instant created = Instant.ofEpochMilli(in.readLong());
                terms.put(term, Term.of(term, created, readKey(in, "AES")));
            }
            int m = in.readInt();
            TreeMap<String, DestroyableKey> named = new TreeMap<>();
            for (int i = 0; i < m; i++) {
                String name = in.readUTF();
                String alg = in.readUTF();
                named.put(name, readKey(in, alg));
            }
            if (!terms.containsKey(active)) {
                throw new IntegrityException("The keyring's active term is missing.");
            }
            return new Keyring(new State(active, Collections.unmodifiableSortedMap(terms),
                    Collections.unmodifiableMap(named)));
        } catch (IOException e) {
            throw new IntegrityException("The keyring is truncated or corrupt.");
        }
    }

    private static void writeKey(DataOutputStream out, DestroyableKey key) throws IOException {
        byte[] k = key.getEncoded();
        try {
            out.writeShort(k.length);
            out.write(k);
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    private static DestroyableKey readKey(DataInputStream in, String alg) throws IOException {
        byte[] k = new byte[in.readUnsignedShort()];
        try {
            in.readFully(k);
            return DestroyableKey.copyOf(k, alg);
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    /** Zeroes every key (and the copies kept by each term's ciphers). */
    @Override
    public void close() {
        State s = state;
        s.terms.values().forEach(t -> t.aead.close());
        s.named.values().forEach(DestroyableKey::destroy);
    }

    @Override
    public String toString() {
        return "Keyring[active=" + state.active + ", terms=" + state.terms.keySet() + ", keys hidden]";
    }

    private static final class WipingBuffer extends ByteArrayOutputStream {
        void wipe() {
            Arrays.fill(buf, (byte) 0);
        }
    }
}
