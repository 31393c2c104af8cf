package dev.keyward.vault.seal;

import java.util.List;

/**
 * A new seal: the config to persist, the root key (unsealed, for writing the keyring), and what
 * the operators must be shown once (Shamir shares).
 */
public record SealInit(SealConfig config, RootKey rootKey, List<String> shares, int threshold) {
    public SealInit {
        shares = List.copyOf(shares);
    }

    @Override
    public String toString() {
        return "SealInit[type=" + config.type() + ", shares hidden]";
    }
}
