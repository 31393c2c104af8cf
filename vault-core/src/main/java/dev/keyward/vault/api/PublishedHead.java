package dev.keyward.vault.api;

import java.util.Objects;

/**
 * A signed tree head as it was published outside the vault directory (a witness file, the HSM,
 * the newest head a client has seen), to be compared with the log: a log that is older than a
 * published head was rolled back.
 *
 * @param logId       the log it belongs to (hex leaf hash of the log's first entry, the vault's init)
 * @param treeSize    the entries it covers
 * @param fingerprint its fingerprint
 * @param source      where it was published, for messages (e.g. "the witness file /var/lib/w.jsonl")
 */
public record PublishedHead(String logId, long treeSize, String fingerprint, String source) {
    public PublishedHead {
        Objects.requireNonNull(logId, "logId");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(source, "source");
    }
}
