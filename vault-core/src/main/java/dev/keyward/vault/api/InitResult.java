package dev.keyward.vault.api;

import java.util.List;

/**
 * What {@code init} hands back once. For a Shamir seal, the encoded shares: they are shown to
 * the operators once and never stored.
 *
 * @param sealType     the seal provider's type
 * @param unsealShares encoded unseal shares (empty unless the seal splits a key)
 * @param threshold    shares needed to unseal (0 when not split)
 */
public record InitResult(String sealType, List<String> unsealShares, int threshold) {
    public InitResult {
        unsealShares = List.copyOf(unsealShares);
    }

    @Override
    public String toString() {
        return "InitResult[sealType=" + sealType + ", unsealShares=" + unsealShares.size() + " hidden, threshold="
                + threshold + "]";
    }
}
