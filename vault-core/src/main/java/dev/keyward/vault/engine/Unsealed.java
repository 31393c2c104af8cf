package dev.keyward.vault.engine;

import dev.keyward.vault.audit.AuditContext;
import dev.keyward.vault.crypto.Barrier;
import dev.keyward.vault.crypto.Signer;
import java.util.Optional;
import dev.keyward.vault.crypto.Keyring;
import dev.keyward.vault.identity.Identities;
import dev.keyward.vault.identity.Machines;
import dev.keyward.vault.policy.GrantExceptions;
import dev.keyward.vault.policy.PolicyStore;
import dev.keyward.vault.secrets.KvStore;
import dev.keyward.vault.seal.RootKey;

/** Everything that exists only while the vault is unsealed. Closing zeroes every key. */
record Unsealed(RootKey root, Keyring keyring, Barrier barrier, Identities identities, KvStore kv,
               AuditContext audit, Machines machines, PolicyStore policies, SystemCallers system,
               GrantExceptions exceptions)
        implements AutoCloseable {

    static Unsealed of(RootKey root, Keyring keyring, Optional<Signer> signer) {
        Barrier barrier = new Barrier(keyring);
        Identities ids = new Identities(barrier, keyring.named(Keyring.INDEX_KEY));
        return new Unsealed(root, keyring, barrier, ids, new KvStore(barrier, keyring.named(Keyring.INDEX_KEY)),
                new AuditContext(barrier, keyring, signer), new Machines(ids),
                new PolicyStore(barrier, keyring.named(Keyring.INDEX_KEY)), new SystemCallers(),
                new GrantExceptions(barrier, keyring.named(Keyring.INDEX_KEY)));
    }

    @Override
    public void close() {
        system.close();
        keyring.close();
        root.close();
    }

    @Override
    public String toString() {
        return "Unsealed[keys hidden]";
    }
}
