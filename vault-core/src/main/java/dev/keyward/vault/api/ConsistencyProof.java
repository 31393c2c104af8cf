package dev.keyward.vault.api;

import java.util.List;
import java.util.Objects;

/**
 * RFC 9162 consistency proof: the tree of {@code second} extends the tree of {@code first}
 * without changing any entry.
 *
 * @param first  the older signed head
 * @param second the newer signed head
 * @param path   the proof, hex hashes
 */
public record ConsistencyProof(TreeHead first, TreeHead second, List<String> path) {
    public ConsistencyProof {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        path = List.copyOf(path);
    }
}
