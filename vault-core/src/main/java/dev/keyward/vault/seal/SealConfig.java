package dev.keyward.vault.seal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * What a seal stores about itself in {@code seal.json}: its type and its provider's parameters
 * (salts, KDF parameters, the encrypted root key, token and key labels). Never a passphrase,
 * PIN or share. Readable while sealed.
 */
public record SealConfig(String type, ObjectNode params) {
    public SealConfig {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(params, "params");
    }
}
