package dev.keyward.vault.audit;

import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.Keyring;
import dev.keyward.vault.crypto.Signer;
import java.util.Optional;

/**
 * The keys an audit sink may use for one append: the barrier (entries are sealed at rest), the
 * keyring (its audit HMAC key), and the seal's signer for tree heads, if it has one. One context
 * lives as long as the vault stays unsealed; {@code lastState} lives and dies with it.
 */
public record AuditContext(Barrier barrier, Keyring keyring, Optional<Signer> signer, LastState lastState) {

    public AuditContext(Barrier barrier, Keyring keyring, Optional<Signer> signer) {
        this(barrier, keyring, signer, new LastState());
    }

    /**
     * The log state this context last sealed and stored, with the exact stored bytes: while the
     * stored bytes are still those, the next append uses it instead of opening and parsing them.
     */
    public static final class LastState {
        private volatile Object written;

        Object get() {
            return written;
        }

        void set(Object w) {
            written = w;
        }

        @Override
        public String toString() {
            return "LastState";
        }
    }
}
