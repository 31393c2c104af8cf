package dev.keyward.vault.audit;

import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.Keyring;
import dev.keyward.vault.crypto.Signer;
import java.util.Optional;

/**
 * The keys an audit sink may use for one append: the barrier (entries are sealed at rest), the
 * keyring (its audit HMAC key), and the seal's signer for tree heads, if it has one.
 */
public record AuditContext(Barrier barrier, Keyring keyring, Optional<Signer> signer) {
}
