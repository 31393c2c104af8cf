package dev.keyward.vault.seal;

import dev.keyward.vault.api.PublishedHead;
import dev.keyward.vault.api.TreeHead;
import java.util.Optional;

/**
 * The newest signed tree head, kept where the seal keeps its keys (the HSM), so that an older copy
 * of the vault directory cannot bring an older one back: only a holder of the token's PIN can
 * change it. Each store also advances a counter kept with it.
 */
public interface HeadStore {
    /** The newest head stored for {@code logId}, if any. */
    Optional<PublishedHead> newest(String logId);

    /** Replaces the stored head of {@code logId} with {@code head}. */
    void store(String logId, TreeHead head);
}
