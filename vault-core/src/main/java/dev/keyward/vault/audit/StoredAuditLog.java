package dev.keyward.vault.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.keyward.vault.api.AuditFailureException;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.storage.StorageTx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit log in the vault's own storage: entry {@code n} at {@code audit/e/<n as 16 hex>},
 * sealed by the barrier (entries name identities and paths, which are sensitive at rest), and
 * the next sequence number at {@code audit/next}.
 */
public final class StoredAuditLog implements AuditSink {
    static final String NEXT = "audit/next";
    static final String ENTRY_PREFIX = "audit/e/";
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);


    /** A stored entry: its sequence number and event. */
    public record Entry(long sequence, AuditEvent event) {
    }

    @Override
    public void append(AuditEvent event, AuditContext keys, StorageTx tx) {
        try {
            byte[] next = tx.get(NEXT);
            long seq = next == null ? 0 : ByteBuffer.wrap(next).getLong();
            String key = ENTRY_PREFIX + String.format("%016x", seq);
            byte[] plain = JSON.writeValueAsBytes(event);
            tx.put(key, keys.barrier().seal(Barrier.Binding.of("audit.entry", key), plain));
            tx.put(NEXT, ByteBuffer.allocate(8).putLong(seq + 1).array());
        } catch (IOException | RuntimeException e) {
            throw new AuditFailureException("The audit entry could not be written, so the operation was refused.", e);
        }
    }

    /** Reads entries from {@code fromSequence}, at most {@code limit}. */
    public List<Entry> read(Barrier barrier, StorageTx tx, long fromSequence, int limit) {
        List<Entry> out = new ArrayList<>();
        String start = fromSequence == 0 ? null : ENTRY_PREFIX + String.format("%016x", fromSequence - 1);
        for (StorageTx.Entry e : tx.scan(ENTRY_PREFIX, start, limit)) {
            byte[] plain = barrier.open(Barrier.Binding.of("audit.entry", e.key()), e.value());
            try {
                out.add(new Entry(Long.parseLong(e.key().substring(ENTRY_PREFIX.length()), 16),
                        JSON.readValue(plain, AuditEvent.class)));
            } catch (IOException ex) {
                throw new dev.keyward.vault.api.IntegrityException("An audit entry could not be parsed.");
            }
        }
        return out;
    }
}
