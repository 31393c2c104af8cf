package dev.keyward.vault.audit;

import dev.keyward.vault.api.TreeHead;

/** Told every signed tree head once its transaction is durable, to publish it outside the vault directory. */
@FunctionalInterface
public interface HeadPublisher {
    HeadPublisher NONE = (logId, head) -> { };

    /** Must not throw: a publication that fails is logged, the head stays signed. */
    void published(String logId, TreeHead head);
}
