package dev.keyward.vault.seal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.HsmProbe;
import dev.keyward.vault.api.HsmUnavailableException;
import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Pkcs11SealInfo;
import dev.keyward.vault.api.Pkcs11SealSpec;
import dev.keyward.vault.api.SealSpec;
import dev.keyward.vault.api.UnsealCredential;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The HSM seal through the JDK's SunPKCS11 provider. The root key is a sensitive,
 * non-extractable AES-256 key on the token: the keyring is encrypted and decrypted with AES-GCM
 * inside the HSM and the key never leaves it. seal.json holds only the library path, the slot
 * and the key labels. Unseal = log in with the PIN and find the key.
 */
public final class Pkcs11SealProvider implements SealProvider {

    @Override
    public String type() {
        return Pkcs11SealSpec.TYPE;
    }

    @Override
    public SealInit create(SealSpec spec) {
        if (!(spec instanceof Pkcs11SealSpec s)) {
            throw new InvalidRequestException("An HSM seal needs a PKCS#11 library, a slot, a key label and the PIN.");
        }
        Pkcs11Token.Session session = Pkcs11Token.login(location(s), s.pin());
        try {
            session.createKeysIfAbsent();
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
        // seal.json names the token by label and serial, as found now: not by its place in the slot list
        return new SealInit(new SealConfig(type(), toParams(session.location())), session.rootKey(),
                java.util.List.of(), 0);
    }

    /**
     * Test connection: loads the library, logs in to the token with the spec's PIN and looks the
     * key labels up, then logs out. Creates nothing on the token.
     */
    public static HsmProbe probe(Pkcs11SealSpec s) {
        Pkcs11Token.Location loc = location(s);
        try (Pkcs11Token.Session session = Pkcs11Token.login(loc, s.pin())) {
            return new HsmProbe(session.location().tokenId(), session.hasKey(loc.keyLabel()),
                    session.hasKey(loc.signingKeyLabel()));
        }
    }

    private static Pkcs11Token.Location location(Pkcs11SealSpec s) {
        return new Pkcs11Token.Location(s.library().toString(), s.slot(), s.slotListIndex(), s.tokenLabel(),
                s.tokenSerial(), s.keyLabel(), s.signingKeyLabel());
    }

    /** seal.json's parameters for a resolved location: the token by label and serial, never by slot. */
    private static ObjectNode toParams(Pkcs11Token.Location loc) {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("library", loc.library());
        if (loc.tokenLabel() != null) {
            p.put("tokenLabel", loc.tokenLabel());
            p.put("tokenSerial", loc.tokenSerial());
        } else if (loc.slot() != null) {
            p.put("slot", loc.slot());
        } else {
            p.put("slotListIndex", loc.slotListIndex());
        }
        p.put("keyLabel", loc.keyLabel());
        p.put("signingKeyLabel", loc.signingKeyLabel());
        return p;
    }

    @Override
    public Seal load(SealConfig config) {
        ObjectNode p = config.params();
        String library = p.path("library").asText(null);
        String keyLabel = p.path("keyLabel").asText(null);
        String signLabel = p.path("signingKeyLabel").asText(null);
        if (library == null || keyLabel == null || signLabel == null || !Path.of(library).isAbsolute()) {
            throw new IntegrityException("seal.json does not describe a PKCS#11 seal.");
        }
        Long slot = p.has("slot") ? p.get("slot").asLong() : null;
        String tokenLabel = p.path("tokenLabel").asText(null);
        String tokenSerial = tokenLabel == null ? null : p.path("tokenSerial").asText(null);
        return new Pkcs11Seal(new Pkcs11Token.Location(library, tokenLabel == null ? slot : null,
                p.path("slotListIndex").asInt(0), tokenLabel, tokenSerial, keyLabel, signLabel));
    }

    /** The token location an HSM seal configuration names (for display; no token is touched). */
    public static Pkcs11SealInfo describe(SealConfig config) {
        Pkcs11Token.Location loc = location(config);
        return new Pkcs11SealInfo(Path.of(loc.library()), loc.slot(), loc.slotListIndex(), loc.keyLabel(),
                loc.signingKeyLabel(), loc.tokenLabel(), loc.tokenSerial());
    }

    /** Test and tool access: the location a config names. */
    static Pkcs11Token.Location location(SealConfig config) {
        return ((Pkcs11Seal) new Pkcs11SealProvider().load(config)).loc;
    }

    private static final class Pkcs11Seal implements Seal {
        private volatile Pkcs11Token.Location loc;
        private volatile Pkcs11Token.Session session;

        Pkcs11Seal(Pkcs11Token.Location loc) {
            this.loc = loc;
        }

        @Override
        public String type() {
            return Pkcs11SealSpec.TYPE;
        }

        @Override
        public synchronized Optional<RootKey> unseal(UnsealCredential credential) {
            if (!(credential instanceof UnsealCredential.Pin pin)) {
                throw new InvalidRequestException("This vault is sealed by an HSM; enter the token's user PIN.");
            }
            Pkcs11Token.Location where = pin.tokenLabel() == null ? loc : loc.onToken(pin.tokenLabel(),
                    pin.tokenSerial());
            Pkcs11Token.Session s = Pkcs11Token.login(where, credential.secret());
            try {
                s.requireKeys();
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
            session = s;
            loc = s.location(); // the token found (label, serial and slot id): the next unseal looks for it
            return Optional.of(s.rootKey());
        }

        @Override
        public Optional<SealConfig> updatedConfig(SealConfig current) {
            Pkcs11Token.Session s = session;
            if (s == null || s.closed()) {
                return Optional.empty();
            }
            Pkcs11Token.Location now = s.location();
            ObjectNode p = current.params();
            if (now.tokenLabel() == null || now.tokenLabel().equals(p.path("tokenLabel").asText(null))
                    && now.tokenSerial().equals(p.path("tokenSerial").asText(null))) {
                return Optional.empty();
            }
            ObjectNode updated = p.deepCopy();
            updated.remove(java.util.List.of("slot", "slotListIndex"));
            updated.put("tokenLabel", now.tokenLabel());
            updated.put("tokenSerial", now.tokenSerial());
            return Optional.of(new SealConfig(current.type(), updated));
        }

        @Override
        public synchronized void adopt(RootKey root) {
            if (root instanceof Pkcs11Token.HsmRootKey h) {
                session = h.session();
            }
        }

        @Override
        public Optional<dev.keyward.vault.crypto.Signer> signer() {
            Pkcs11Token.Session s = session;
            return s == null || s.closed() ? Optional.empty() : Optional.of(s.signer());
        }

        @Override
        public Optional<HeadStore> headStore() {
            Pkcs11Token.Session s = session;
            return s == null || s.closed() ? Optional.empty() : Optional.of(s.headStore());
        }

        @Override
        public boolean healthy() {
            Pkcs11Token.Session s = session;
            return s == null || s.closed() || s.probe();
        }

        @Override
        public void close() {
            Pkcs11Token.Session s = session;
            if (s != null) {
                s.close();
            }
        }

        @Override
        public String toString() {
            return "Pkcs11Seal[" + loc + "]";
        }
    }

    static HsmUnavailableException unavailable(String detail) {
        return new HsmUnavailableException(detail);
    }

    static AuthenticationFailedException wrongPin() {
        return new AuthenticationFailedException("The HSM refused the PIN.");
    }
}
