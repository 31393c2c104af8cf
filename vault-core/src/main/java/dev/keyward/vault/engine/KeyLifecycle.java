package dev.keyward.vault.engine;

import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InitResult;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.KeyService;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.RewrapStatus;
import dev.keyward.vault.api.SealSpec;
import dev.keyward.vault.api.ShamirSealSpec;
import dev.keyward.vault.seal.Seal;
import dev.keyward.vault.seal.SealInit;
import dev.keyward.vault.seal.SealProvider;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key lifecycle behind {@link KeyService}. Every operation goes through the guarded door.
 *
 * <p>A seal change (root-key rotation, passphrase change, rekey, migration) re-encrypts only the
 * keyring, crash-safely in three durable steps: (1) the keyring under the new root key is staged
 * in {@code sys/keyring.next}, in the audited transaction; (2) seal.json is replaced atomically;
 * (3) the staged keyring replaces {@code sys/keyring}. After a crash between (1) and (2) the old
 * seal still opens {@code sys/keyring}; between (2) and (3) the new seal opens the staged copy,
 * and unseal finishes step (3).
 */
final class KeyLifecycle implements KeyService {
    private static final Logger LOG = LoggerFactory.getLogger(KeyLifecycle.class);

    private final Engine engine;
    private final Door door;
    private final Rewrapper rewrapper;

    KeyLifecycle(Engine engine, Door door, Rewrapper rewrapper) {
        this.engine = engine;
        this.door = door;
        this.rewrapper = rewrapper;
    }

    @Override
    public int rotateDataKey(Caller caller) {
        return engine.rotateDataKey(caller);
    }

    @Override
    public RewrapStatus startRewrap(Caller caller) {
        RewrapStatus s = engine.guarded(() -> door.write(caller, Operation.KEY_REWRAP, "keyring",
                (k, p, tx, now) -> rewrapper.begin(k, tx)));
        rewrapper.launch();
        return s;
    }

    @Override
    public RewrapStatus rewrapStatus(Caller caller) {
        return engine.guarded(() -> door.read(caller, Operation.KEY_STATUS, "keyring",
                (k, p, tx, now) -> rewrapper.status(k, tx)));
    }

    @Override
    public InitResult rotateRootKey(Caller caller, SealSpec sameTypeSeal) {
        engine.approvalGate().admit(caller, dev.keyward.vault.api.GatedOperation.ROOT_KEY_ROTATION, "seal", null);
        return reseal(caller, Operation.ROOT_KEY_ROTATE, sameTypeSeal, current -> current.equals(sameTypeSeal.type()),
                "A root-key rotation keeps the seal type; use a seal migration to change it.");
    }

    @Override
    public void changePassphrase(Caller caller, char[] newPassphrase, Argon2Parameters kdf) {
        try (PassphraseSealSpec spec = new PassphraseSealSpec(newPassphrase, kdf)) {
            reseal(caller, Operation.SEAL_PASSPHRASE_CHANGE, spec, PassphraseSealSpec.TYPE::equals,
                    "This vault is not sealed with a passphrase.");
        }
    }

    @Override
    public InitResult rekeyShares(Caller caller, int shares, int threshold) {
        return reseal(caller, Operation.SEAL_REKEY, new ShamirSealSpec(shares, threshold), ShamirSealSpec.TYPE::equals,
                "This vault is not sealed with Shamir shares.");
    }

    @Override
    public InitResult migrateSeal(Caller caller, SealSpec newSeal) {
        engine.approvalGate().admit(caller, dev.keyward.vault.api.GatedOperation.SEAL_MIGRATION, "seal",
                "migrate the seal to " + newSeal.type());
        return reseal(caller, Operation.SEAL_MIGRATE, newSeal, current -> true, "");
    }

    private InitResult reseal(Caller caller, Operation op, SealSpec spec, Predicate<String> currentTypeOk,
                              String wrongType) {
        SealProvider provider = engine.sealLifecycle().sealProvider(spec.type());
        return engine.exclusive(() -> {
            SealInit created = door.write(caller, op, "seal", (k, p, tx, now) -> {
                if (!currentTypeOk.test(engine.sealLifecycle().sealType())) {
                    throw new InvalidRequestException(wrongType);
                }
                SealInit c = provider.create(spec);
                try {
                    tx.put(SealLifecycle.KEYRING_NEXT, SealLifecycle.sealKeyring(c.rootKey(), k.keyring()));
                } catch (RuntimeException e) {
                    c.rootKey().close();
                    throw e;
                }
                return c;
            });
            try {
                engine.sealLifecycle().commitSealChange(created, provider);
            } catch (RuntimeException e) {
                created.rootKey().close();
                throw e;
            }
            LOG.info("vault seal changed to a {} seal ({})", created.config().type(), op.id());
            return new InitResult(created.config().type(), created.shares(), created.threshold());
        });
    }

    /** The seal object a provider loads for a config it created, taking over the live root key. */
    static Seal adopt(SealProvider provider, SealInit created) {
        Seal s = provider.load(created.config());
        s.adopt(created.rootKey());
        return s;
    }
}
