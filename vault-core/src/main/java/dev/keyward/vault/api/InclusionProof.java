package dev.keyward.vault.api;

import java.util.List;
import java.util.Objects;

/**
 * RFC 9162 inclusion proof of one entry in the tree of a signed head.
 *
 * @param sequence the entry
 * @param leafHash SHA-256(0x00 || canonical entry), hex
 * @param path     audit path, hex hashes, leaf side first
 * @param head     the signed head the proof leads to
 */
public record InclusionProof(long sequence, String leafHash, List<String> path, TreeHead head) {
    public InclusionProof {
        Objects.requireNonNull(leafHash, "leafHash");
        path = List.copyOf(path);
        Objects.requireNonNull(head, "head");
    }
}
