package dev.keyward.vault.crypto;

import dev.keyward.vault.api.IntegrityException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Envelope encryption of every record that reaches storage. A sealed record is
 * {@code format(1) || term(4) || nonce(12) || ciphertext || tag(16)}, AES-256-GCM under the data
 * key of {@code term}. The associated data binds the header, the record's kind, identifier and
 * version, so a ciphertext moved to another record, or an edited header, fails to open.
 */
public final class Barrier {
    public static final byte FORMAT_V1 = 1;
    private static final byte[] DOMAIN = "keyward.barrier.v1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 1 + 4;

    private final Keyring keyring;

    public Barrier(Keyring keyring) {
        this.keyring = Objects.requireNonNull(keyring, "keyring");
    }

    /** Where a record lives: its kind, identifier and version are bound into the ciphertext. */
    public record Binding(String kind, String id, long version) {
        public Binding {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(id, "id");
        }

        public static Binding of(String kind, String id) {
            return new Binding(kind, id, 0);
        }
    }

    public byte[] seal(Binding binding, byte[] plaintext) {
        int term = keyring.activeTerm();
        byte[] header = header(term);
        byte[] body = aead(term).encrypt(plaintext, aad(header, binding));
        return ByteBuffer.allocate(HEADER + body.length).put(header).put(body).array();
    }

    public byte[] open(Binding binding, byte[] sealed) {
        if (sealed == null || sealed.length < HEADER + AesGcm.NONCE_BYTES + AesGcm.TAG_BITS / 8) {
            throw new IntegrityException();
        }
        if (sealed[0] != FORMAT_V1) {
            throw new IntegrityException("A stored record has an unknown format version.");
        }
        int term = termOf(sealed);
        byte[] header = new byte[HEADER];
        System.arraycopy(sealed, 0, header, 0, HEADER);
        byte[] body = new byte[sealed.length - HEADER];
        System.arraycopy(sealed, HEADER, body, 0, body.length);
        return aead(term).decrypt(body, aad(header, binding));
    }

    /** The key term a sealed record was written under. */
    public static int termOf(byte[] sealed) {
        if (sealed.length < HEADER) {
            throw new IntegrityException();
        }
        return ByteBuffer.wrap(sealed, 1, 4).getInt();
    }

    public int activeTerm() {
        return keyring.activeTerm();
    }

    private Aead aead(int term) {
        return keyring.term(term).aead(); // owned by the keyring, closed with it
    }

    private static byte[] header(int term) {
        return ByteBuffer.allocate(HEADER).put(FORMAT_V1).putInt(term).array();
    }

    private static byte[] aad(byte[] header, Binding b) {
        byte[] kind = b.kind().getBytes(StandardCharsets.UTF_8);
        byte[] id = b.id().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(DOMAIN.length + header.length + 4 + kind.length + 4 + id.length + 8)
                .put(DOMAIN).put(header)
                .putInt(kind.length).put(kind)
                .putInt(id.length).put(id)
                .putLong(b.version())
                .array();
    }
}
