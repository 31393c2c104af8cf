package dev.keyward.vault.rotation.postgres;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Pending values whose set step failed without changing the target, remembered in memory by an
 * HMAC under a key of this process (never the value itself), so that the restore that follows
 * knows there is nothing to undo. Bounded; lost on restart, which only makes restore act.
 */
final class NotApplied {
    private static final int MAX = 1024;

    private final byte[] key = new byte[32];
    private final Map<String, Boolean> marks = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX;
        }
    });

    NotApplied() {
        new SecureRandom().nextBytes(key);
    }

    void remember(String path, Map<String, String> pending) {
        marks.put(mark(path, pending), Boolean.TRUE);
    }

    /** Whether the pending value was remembered; forgets it. */
    boolean forget(String path, Map<String, String> pending) {
        return marks.remove(mark(path, pending)) != null;
    }

    private String mark(String path, Map<String, String> pending) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (String part : new String[] {path, pending.get(PostgresRotator.USERNAME),
                pending.get(PostgresRotator.PASSWORD)}) {
                byte[] b = String.valueOf(part).getBytes(StandardCharsets.UTF_8);
                mac.update(java.nio.ByteBuffer.allocate(4).putInt(b.length).array());
                mac.update(b);
            }
            return Base64.getEncoder().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    @Override
    public String toString() {
        return "NotApplied[" + marks.size() + "]";
    }
}
