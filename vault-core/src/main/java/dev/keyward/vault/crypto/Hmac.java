package dev.keyward.vault.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;

/** HMAC-SHA256 with a keyring purpose key; identifiers come out as unpadded base64url. */
public final class Hmac {
    private Hmac() {
    }

    public static byte[] sha256(DestroyableKey key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }

    /** A storage identifier for a name: base64url(HMAC(key, domain || 0 || name)). */
    public static String id(DestroyableKey key, String domain, String name) {
        byte[] d = (domain + "\0" + name).getBytes(StandardCharsets.UTF_8);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(key, d));
    }
}
