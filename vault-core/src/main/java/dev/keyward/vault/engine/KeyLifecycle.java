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
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.ApprovalGate;
import dev.keyward.vault.api.ApprovalRequiredException;
import dev.keyward.vault.api.GatedOperation;
import dev.keyward.vault.api.Pkcs11SealInfo;
import dev.keyward.vault.api.Pkcs11SealSpec;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
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
    private final Supplier<ApprovalGate> gate;

    KeyLifecycle(Engine engine, Door door, Rewrapper rewrapper, Supplier<ApprovalGate> gate) {
        this.engine = engine;
        this.door = door;
        this.rewrapper = rewrapper;
        this.gate = gate;
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
        return reseal(caller, Operation.ROOT_KEY_ROTATE, GatedOperation.ROOT_KEY_ROTATION, sameTypeSeal,
                current -> current.equals(sameTypeSeal.type()),
                "A root-key rotation keeps the seal type; use a seal migration to change it.");
    }

    @Override
    public InitResult rotateRootKeyInPlace(Caller caller, char[] credential, String newKeyLabel) {
        String type = engine.sealLifecycle().sealType();
        SealSpec spec = switch (type) {
            case PassphraseSealSpec.TYPE -> {
                if (credential == null || credential.length == 0) {
                    throw new InvalidRequestException("A new root key under a passphrase seal needs the passphrase "
                            + "(the current one, or a new one).");
                }
                yield new PassphraseSealSpec(credential, Argon2Parameters.DEFAULT);
            }
            case Pkcs11SealSpec.TYPE -> {
                if (credential == null || credential.length == 0) {
                    throw new InvalidRequestException("A new root key on the HSM needs the token's user PIN.");
                }
                Pkcs11SealInfo hsm = Keyward.hsmSeal(engine.home()).orElseThrow(() ->
                        new InvalidRequestException("This vault is not sealed by an HSM."));
                String label = newKeyLabel != null ? newKeyLabel : nextKeyLabel(hsm.keyLabel());
                if (label.equals(hsm.keyLabel())) {
                    throw new InvalidRequestException("The new root key needs a new label; '" + label
                            + "' is the current key's.");
                }
                yield new Pkcs11SealSpec(hsm.library(), hsm.slot(), hsm.slotListIndex(), hsm.tokenLabel(),
                        hsm.tokenSerial(), label, credential);
            }
            case ShamirSealSpec.TYPE -> {
                var st = engine.sealLifecycle().status();
                yield new ShamirSealSpec(st.shares(), st.threshold());
            }
            default -> throw new InvalidRequestException("A root-key rotation is not known for a " + type + " seal.");
        };
        try {
            return rotateRootKey(caller, spec);
        } finally {
            if (spec instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // the specs' close only wipes their secret arrays
                }
            }
        }
    }

    /** keyward-root -> keyward-root-2 -> keyward-root-3 ... */
    static String nextKeyLabel(String current) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(.*)-(\\d{1,6})").matcher(current);
        return m.matches() ? m.group(1) + "-" + (Integer.parseInt(m.group(2)) + 1) : current + "-2";
    }

    @Override
    public void changePassphrase(Caller caller, char[] newPassphrase, Argon2Parameters kdf) {
        try (PassphraseSealSpec spec = new PassphraseSealSpec(newPassphrase, kdf)) {
            reseal(caller, Operation.SEAL_PASSPHRASE_CHANGE, GatedOperation.ROOT_KEY_ROTATION, spec,
                    PassphraseSealSpec.TYPE::equals, "This vault is not sealed with a passphrase.");
        }
    }

    @Override
    public InitResult rekeyShares(Caller caller, int shares, int threshold) {
        return reseal(caller, Operation.SEAL_REKEY, GatedOperation.ROOT_KEY_ROTATION,
                new ShamirSealSpec(shares, threshold), ShamirSealSpec.TYPE::equals,
                "This vault is not sealed with Shamir shares.");
    }

    @Override
    public InitResult migrateSeal(Caller caller, SealSpec newSeal) {
        return reseal(caller, Operation.SEAL_MIGRATE, GatedOperation.SEAL_MIGRATION, newSeal, current -> true, "");
    }

    /**
     * Asks the approval gate first (outside the storage transaction: the gate keeps its own state).
     * A refusal is audited as the operation's failure, through the door, and thrown; a grant's id
     * goes into the audit entry of the change.
     */
    private Optional<String> admit(Caller caller, Operation op, GatedOperation gated, String change) {
        try {
            return gate.get().admit(caller, gated, "seal", change);
        } catch (ApprovalRequiredException e) {
            engine.guarded(() -> door.write(caller, op, "seal", (k, p, tx, now) -> {
                throw e;
            }));
            throw e;
        }
    }

    private InitResult reseal(Caller caller, Operation op, GatedOperation gated, SealSpec spec,
                              Predicate<String> currentTypeOk, String wrongType) {
        SealProvider provider = engine.sealLifecycle().sealProvider(spec.type());
        Optional<String> grant = admit(caller, op, gated, "to a new " + spec.type() + " seal");
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
            }, c -> details(c, grant));
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

    private static Map<String, String> details(SealInit c, Optional<String> grant) {
        Map<String, String> d = new TreeMap<>();
        d.put("sealType", c.config().type());
        grant.ifPresent(g -> d.put("grant", g));
        return d;
    }

    /** The seal object a provider loads for a config it created, taking over the live root key. */
    static Seal adopt(SealProvider provider, SealInit created) {
        Seal s = provider.load(created.config());
        s.adopt(created.rootKey());
        return s;
    }
}
