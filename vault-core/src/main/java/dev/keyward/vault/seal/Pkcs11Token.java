package dev.keyward.vault.seal;

import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.HsmUnavailableException;
import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.crypto.Random;
import dev.keyward.vault.crypto.Signer;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.AuthProvider;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.Security;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.security.auth.login.FailedLoginException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A logged-in PKCS#11 token through SunPKCS11: the provider configuration (key templates that
 * make generated keys sensitive and never extractable), login, key lookup and generation,
 * AES-GCM inside the token, and ECDSA signing. Every failure of the library or token becomes
 * {@link HsmUnavailableException}; a refused PIN becomes {@link AuthenticationFailedException}.
 */
final class Pkcs11Token {
    private static final Logger LOG = LoggerFactory.getLogger(Pkcs11Token.class);
    private static final AtomicInteger PROVIDERS = new AtomicInteger();
    /** Live logins per token in this process: PKCS#11 login state is per application, not per session. */
    private static final Map<String, Integer> LIVE = new HashMap<>();
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;

    private Pkcs11Token() {
    }

    /**
     * Where the keys are: the library, the token (by its label and serial number, else by slot id,
     * else by index in the slot list) and the key labels. {@link #resolve()} finds the token among
     * the library's slots and fills in all three.
     */
    record Location(String library, Long slot, int slotListIndex, String tokenLabel, String tokenSerial,
                    String keyLabel, String signingKeyLabel) {
        Location(String library, Long slot, int slotListIndex, String keyLabel, String signingKeyLabel) {
            this(library, slot, slotListIndex, null, null, keyLabel, signingKeyLabel);
        }

        String tokenId() {
            return library + "#" + (slot != null ? "slot" + slot : "index" + slotListIndex);
        }

        /** The token, as people read it: its label and serial when known. */
        String tokenName() {
            return tokenLabel == null ? (slot != null ? "the token in slot id " + slot
                    : "the token at slot list index " + slotListIndex)
                    : "the token '" + tokenLabel + "'" + (tokenSerial == null ? "" : " (serial " + tokenSerial + ")");
        }

        /** The same keys on another token (chosen by label and serial). */
        Location onToken(String label, String serial) {
            return new Location(library, null, 0, label, serial, keyLabel, signingKeyLabel);
        }

        /**
         * Finds the token among the library's slots: by label (and serial, when given), else by slot
         * id, else by slot list index. The result names the slot id, label and serial. A token that
         * is not there is said plainly, with the tokens that are.
         */
        Location resolve() {
            List<Pkcs11Slots.Token> tokens = Pkcs11Slots.list(library);
            Pkcs11Slots.Token found;
            if (tokenLabel != null) {
                List<Pkcs11Slots.Token> match = tokens.stream().filter(t -> t.initialized()
                        && t.label().equals(tokenLabel) && (tokenSerial == null || t.serial().equals(tokenSerial)))
                        .toList();
                if (match.isEmpty()) {
                    throw new HsmUnavailableException("The HSM token '" + tokenLabel + "'"
                            + (tokenSerial == null ? "" : " (serial " + tokenSerial + ")") + " is not present: the"
                            + " library " + library + " lists " + listed(tokens) + ". Connect the token (for SoftHSM2:"
                            + " check SOFTHSM2_CONF and its token directory) and try again.");
                }
                if (match.size() > 1) {
                    throw new HsmUnavailableException(match.size() + " tokens are labelled '" + tokenLabel + "' ("
                            + listed(match) + "): choose one by its serial number (--hsm-token-serial).");
                }
                found = match.get(0);
            } else if (slot != null) {
                found = tokens.stream().filter(t -> t.slot() == slot).findFirst().orElseThrow(() ->
                        new HsmUnavailableException("the library has no token in slot id " + slot
                                + " (CKR_SLOT_ID_INVALID): slot ids are the library's own (SoftHSM2 gives each token"
                                + " a new one; 'softhsm2-util --show-slots' lists them); give that id, or"
                                + " --hsm-slot-index N for the N-th token, or --hsm-token-label LABEL; the library"
                                + " lists " + listed(tokens)));
            } else {
                found = tokens.stream().filter(t -> t.index() == slotListIndex).findFirst().orElseThrow(() ->
                        new HsmUnavailableException("the library lists no token at slot list index " + slotListIndex
                                + "; it lists " + listed(tokens)));
            }
            return new Location(library, found.slot(), found.index(), found.label(), found.serial(), keyLabel,
                    signingKeyLabel);
        }

        private static String listed(List<Pkcs11Slots.Token> tokens) {
            List<String> names = tokens.stream().filter(Pkcs11Slots.Token::initialized)
                    .map(Pkcs11Slots.Token::describe).toList();
            return names.isEmpty() ? "no initialised token" : String.join(", ", names);
        }

        String providerConfig() {
            return "--name=Keyward" + PROVIDERS.incrementAndGet() + "\n"
                    + "library=" + library + "\n"
                    + (slot != null ? "slot=" + slot : "slotListIndex=" + slotListIndex) + "\n"
                    + "attributes(generate, CKO_SECRET_KEY, CKK_AES) = {\n"
                    + "  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n  CKA_ENCRYPT = true\n  CKA_DECRYPT = true\n"
                    + "  CKA_WRAP = false\n  CKA_UNWRAP = false\n  CKA_SIGN = false\n  CKA_VERIFY = false\n}\n"
                    + "attributes(generate, CKO_PRIVATE_KEY, CKK_EC) = {\n"
                    + "  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n  CKA_SIGN = true\n  CKA_DECRYPT = false\n"
                    + "  CKA_UNWRAP = false\n  CKA_DERIVE = false\n"
                    // the keystore links key and certificate by CKA_ID only: the label is for people
                    + "  CKA_LABEL = 0h" + HexFormat.of().formatHex(signingKeyLabel.getBytes(
                            java.nio.charset.StandardCharsets.UTF_8)) + "\n}\n";
        }

        @Override
        public String toString() {
            return "PKCS#11 " + tokenId() + (tokenLabel == null ? "" : " '" + tokenLabel + "'") + " key " + keyLabel;
        }
    }

    /** Opens the library, selects the token and logs in with the PIN. */
    static Session login(Location requested, char[] pin) {
        Location loc = requested.resolve();
        Provider p;
        try {
            p = Security.getProvider("SunPKCS11").configure(loc.providerConfig());
        } catch (ProviderException | IllegalArgumentException | SecurityException e) {
            LOG.warn("PKCS#11 provider for {} could not be initialised: {}", loc.tokenId(), rootMessage(e));
            throw slotOrUnavailable(loc, e, "the PKCS#11 library or token at " + loc.tokenId() + " does not answer");
        }
        KeyStore ks;
        try {
            // A stale login of this process would make the token accept any PIN: log out first.
            ((AuthProvider) p).logout();
            ks = KeyStore.getInstance("PKCS11", p);
            ks.load(null, pin);
        } catch (IOException e) {
            if (hasCause(e, FailedLoginException.class) || rootMessage(e).contains("CKR_PIN_INCORRECT")) {
                throw Pkcs11SealProvider.wrongPin();
            }
            if (rootMessage(e).contains("CKR_PIN_LOCKED")) {
                throw new AuthenticationFailedException("The HSM PIN is locked; the token's security officer must "
                        + "reset it.");
            }
            LOG.warn("PKCS#11 login at {} failed: {}", loc.tokenId(), rootMessage(e));
            throw new HsmUnavailableException("login to the token failed");
        } catch (GeneralSecurityException | ProviderException e) {
            LOG.warn("PKCS#11 token at {} failed: {}", loc.tokenId(), rootMessage(e));
            throw slotOrUnavailable(loc, e, "the token at " + loc.tokenId() + " does not answer");
        }
        synchronized (LIVE) {
            LIVE.merge(loc.tokenId(), 1, Integer::sum);
        }
        return new Session(loc, p, ks);
    }

    /**
     * A slot that does not exist says so in plain words (the library's CKR_SLOT_ID_INVALID, or a
     * slot list index past its end) instead of "does not answer".
     */
    private static HsmUnavailableException slotOrUnavailable(Location loc, Throwable e, String otherwise) {
        String m = rootMessage(e);
        if (m.contains("CKR_SLOT_ID_INVALID") || m.contains("slotListIndex") || m.contains("Slot")
                && m.contains("not") && m.contains("found")) {
            return new HsmUnavailableException(loc.slot() != null
                    ? "the library has no token in slot id " + loc.slot() + " (CKR_SLOT_ID_INVALID): slot ids are the"
                    + " library's own (SoftHSM2 gives each token a new one; 'softhsm2-util --show-slots' lists them);"
                    + " give that id, or --hsm-slot-index N for the N-th token"
                    : "the library lists no token at slot list index " + loc.slotListIndex());
        }
        return new HsmUnavailableException(otherwise);
    }

    private static boolean hasCause(Throwable t, Class<?> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append("; ");
        }
        return sb.toString();
    }

    /** The root key inside the token: AES-GCM runs in the HSM; closing logs out. */
    static final class HsmRootKey implements RootKey {
        private final Session session;

        HsmRootKey(Session session) {
            this.session = session;
        }

        Session session() {
            return session;
        }

        @Override
        public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
            return session.encrypt(plaintext, associatedData);
        }

        @Override
        public byte[] decrypt(byte[] ciphertext, byte[] associatedData) {
            return session.decrypt(ciphertext, associatedData);
        }

        @Override
        public void close() {
            session.close();
        }

        @Override
        public String toString() {
            return "HsmRootKey[" + session.loc + "]";
        }
    }

    /** A logged-in token with the seal's keys. Closing logs out (when no other live session needs the login). */
    static final class Session implements AutoCloseable {
        private final Location loc;
        private final Provider provider;
        private final KeyStore ks;
        private volatile SecretKey root;
        private volatile PrivateKey signKey;
        private volatile byte[] signPublic;
        private volatile boolean closed;

        Session(Location loc, Provider provider, KeyStore ks) {
            this.loc = loc;
            this.provider = provider;
            this.ks = ks;
        }

        boolean closed() {
            return closed;
        }

        /** Where this session's token is (resolved: slot id, label and serial). */
        Location location() {
            return loc;
        }

        /** Finds the root and signing keys; uses existing keys with these labels, else generates them. */
        void createKeysIfAbsent() {
            try {
                if (!ks.containsAlias(loc.keyLabel())) {
                    KeyGenerator g = KeyGenerator.getInstance("AES", provider);
                    g.init(256);
                    ks.setEntry(loc.keyLabel(), new KeyStore.SecretKeyEntry(g.generateKey()), null);
                    LOG.info("generated a non-extractable AES-256 key '{}' on {}", loc.keyLabel(), loc.tokenId());
                }
                if (!ks.containsAlias(loc.signingKeyLabel())) {
                    KeyPairGenerator g = KeyPairGenerator.getInstance("EC", provider);
                    g.initialize(new ECGenParameterSpec("secp256r1"));
                    KeyPair kp = g.generateKeyPair();
                    X509Certificate cert = selfSigned(kp);
                    ks.setEntry(loc.signingKeyLabel(), new KeyStore.PrivateKeyEntry(kp.getPrivate(),
                            new Certificate[] {cert}), null);
                    LOG.info("generated a non-extractable EC P-256 key '{}' on {}", loc.signingKeyLabel(),
                            loc.tokenId());
                }
            } catch (GeneralSecurityException | ProviderException e) {
                LOG.warn("key generation on {} failed: {}", loc.tokenId(), rootMessage(e));
                throw new HsmUnavailableException("the keys could not be created on the token");
            }
            requireKeys();
        }

        private X509Certificate selfSigned(KeyPair kp) throws GeneralSecurityException {
            // The keystore stores a private key only with a certificate; this one only carries the public key.
            X500Name name = new X500Name("CN=Keyward audit signing key");
            Date from = new Date();
            Date to = new Date(from.getTime() + 100L * 365 * 24 * 3600 * 1000);
            try {
                var builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new java.security.SecureRandom()),
                        from, to, name, kp.getPublic());
                var signer = new JcaContentSignerBuilder("SHA256withECDSA").setProvider(provider)
                        .build(kp.getPrivate());
                return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
            } catch (OperatorCreationException e) {
                throw new GeneralSecurityException("certificate for the signing key", e);
            }
        }

        /** Whether the token holds an object with this label (a key, for the probe). */
        boolean hasKey(String label) {
            try {
                return ks.containsAlias(label);
            } catch (GeneralSecurityException | ProviderException e) {
                LOG.warn("key lookup on {} failed: {}", loc.tokenId(), rootMessage(e));
                throw new HsmUnavailableException("the keys on the token could not be listed");
            }
        }

        /** Loads the keys by label; a missing key is named in the error. */
        void requireKeys() {
            try {
                Key k = ks.getKey(loc.keyLabel(), null);
                if (!(k instanceof SecretKey sk)) {
                    throw new IntegrityException("The HSM token has no AES key labelled '" + loc.keyLabel()
                            + "': the vault cannot be unsealed with this token.");
                }
                Key s = ks.getKey(loc.signingKeyLabel(), null);
                Certificate c = ks.getCertificate(loc.signingKeyLabel());
                if (!(s instanceof PrivateKey pk) || c == null) {
                    throw new IntegrityException("The HSM token has no signing key labelled '"
                            + loc.signingKeyLabel() + "'.");
                }
                root = sk;
                signKey = pk;
                signPublic = c.getPublicKey().getEncoded();
            } catch (GeneralSecurityException | ProviderException e) {
                LOG.warn("key lookup on {} failed: {}", loc.tokenId(), rootMessage(e));
                throw new HsmUnavailableException("the keys on the token could not be read");
            }
        }

        RootKey rootKey() {
            return new HsmRootKey(this);
        }

        byte[] encrypt(byte[] plaintext, byte[] aad) {
            byte[] nonce = Random.bytes(NONCE);
            try {
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding", provider);
                c.init(Cipher.ENCRYPT_MODE, liveRoot(), new GCMParameterSpec(TAG_BITS, nonce));
                if (aad != null) {
                    c.updateAAD(aad);
                }
                byte[] ct = c.doFinal(plaintext);
                return ByteBuffer.allocate(NONCE + ct.length).put(nonce).put(ct).array();
            } catch (GeneralSecurityException | ProviderException e) {
                throw new HsmUnavailableException("encryption in the HSM failed");
            }
        }

        byte[] decrypt(byte[] ciphertext, byte[] aad) {
            if (ciphertext.length < NONCE + TAG_BITS / 8) {
                throw new IntegrityException();
            }
            try {
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding", provider);
                c.init(Cipher.DECRYPT_MODE, liveRoot(), new GCMParameterSpec(TAG_BITS, ciphertext, 0, NONCE));
                if (aad != null) {
                    c.updateAAD(aad);
                }
                return c.doFinal(ciphertext, NONCE, ciphertext.length - NONCE);
            } catch (AEADBadTagException e) {
                throw new IntegrityException();
            } catch (GeneralSecurityException | ProviderException e) {
                throw new HsmUnavailableException("decryption in the HSM failed");
            }
        }

        private SecretKey liveRoot() {
            SecretKey k = root;
            if (closed || k == null) {
                throw new HsmUnavailableException("the HSM session is closed");
            }
            return k;
        }

        /** A cheap round trip through the token: one AES-GCM encryption of 16 bytes. */
        boolean probe() {
            try {
                encrypt(new byte[16], null);
                return true;
            } catch (HsmUnavailableException e) {
                return false;
            }
        }

        Signer signer() {
            byte[] pub = signPublic.clone();
            String keyId;
            try {
                keyId = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pub));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            return new Signer() {
                @Override
                public String keyId() {
                    return keyId;
                }

                @Override
                public String algorithm() {
                    return "SHA256withECDSA";
                }

                @Override
                public byte[] publicKey() {
                    return pub.clone();
                }

                @Override
                public byte[] sign(byte[] message) {
                    PrivateKey k = signKey;
                    if (closed || k == null) {
                        throw new HsmUnavailableException("the HSM session is closed");
                    }
                    try {
                        Signature s = Signature.getInstance("SHA256withECDSA", provider);
                        s.initSign(k);
                        s.update(message);
                        return s.sign();
                    } catch (GeneralSecurityException | ProviderException e) {
                        throw new HsmUnavailableException("signing in the HSM failed");
                    }
                }

                @Override
                public String toString() {
                    return "HsmSigner[" + keyId + "]";
                }
            };
        }

        /**
         * The newest tree head on the token. SunPKCS11 offers no data objects, so it is kept in the
         * label of a small private AES key object (never used for anything):
         * {@code keyward-audit-head/<log id, 16 hex>/<counter>/<tree size>/<fingerprint>}. Private token
         * objects are seen and changed only after login with the PIN. A store creates the next one
         * (counter + 1) and then removes the older ones; the highest counter wins.
         */
        HeadStore headStore() {
            return new HeadStore() {
                @Override
                public java.util.Optional<dev.keyward.vault.api.PublishedHead> newest(String logId) {
                    String[] best = newestLabel(headPrefix(logId));
                    return best == null ? java.util.Optional.empty() : java.util.Optional.of(
                            new dev.keyward.vault.api.PublishedHead(logId, Long.parseLong(best[2]), best[3],
                                    "the HSM token " + loc.tokenId() + " (store " + best[1] + ")"));
                }

                @Override
                public void store(String logId, dev.keyward.vault.api.TreeHead head) {
                    storeHead(headPrefix(logId), head.treeSize(), head.fingerprint());
                }
            };
        }

        private static String headPrefix(String logId) {
            return "keyward-audit-head/" + logId.substring(0, Math.min(16, logId.length())) + "/";
        }

        /** {label, counter, size, fingerprint} of the stored head with the highest counter, or null. */
        private synchronized String[] newestLabel(String prefix) {
            String[] best = null;
            try {
                for (java.util.Enumeration<String> e = ks.aliases(); e.hasMoreElements(); ) {
                    String a = e.nextElement();
                    if (!a.startsWith(prefix)) {
                        continue;
                    }
                    String[] p = a.substring(prefix.length()).split("/");
                    if (p.length != 3 || !p[0].matches("\\d{1,18}") || !p[1].matches("\\d{1,18}")
                            || !p[2].matches("[0-9a-f]{64}")) {
                        continue;
                    }
                    if (best == null || Long.parseLong(p[0]) > Long.parseLong(best[1])) {
                        best = new String[] {a, p[0], p[1], p[2]};
                    }
                }
                return best;
            } catch (GeneralSecurityException | ProviderException e) {
                LOG.warn("reading the stored tree head on {} failed: {}", loc.tokenId(), rootMessage(e));
                throw new HsmUnavailableException("the stored tree head on the token could not be read");
            }
        }

        private synchronized void storeHead(String prefix, long size, String fingerprint) {
            String[] current = newestLabel(prefix);
            long counter = current == null ? 1 : Long.parseLong(current[1]) + 1;
            String label = prefix + counter + "/" + size + "/" + fingerprint;
            try {
                KeyGenerator g = KeyGenerator.getInstance("AES", provider);
                g.init(128);
                ks.setEntry(label, new KeyStore.SecretKeyEntry(g.generateKey()), null);
                java.util.List<String> older = new java.util.ArrayList<>();
                for (java.util.Enumeration<String> e = ks.aliases(); e.hasMoreElements(); ) {
                    String a = e.nextElement();
                    if (a.startsWith(prefix) && !a.equals(label)) {
                        older.add(a);
                    }
                }
                for (String a : older) {
                    ks.deleteEntry(a);
                }
            } catch (GeneralSecurityException | ProviderException e) {
                LOG.warn("storing the tree head on {} failed: {}", loc.tokenId(), rootMessage(e));
                throw new HsmUnavailableException("the tree head could not be stored on the token");
            }
        }

        /** The key objects, for attribute checks in tests (never their bytes: they have none to give). */
        Key rootKeyObject() {
            return root;
        }

        PrivateKey signingKeyObject() {
            return signKey;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            root = null;
            signKey = null;
            boolean last;
            synchronized (LIVE) {
                int n = LIVE.merge(loc.tokenId(), -1, Integer::sum);
                last = n <= 0;
                if (last) {
                    LIVE.remove(loc.tokenId());
                }
            }
            if (last) {
                try {
                    ((AuthProvider) provider).logout();
                } catch (javax.security.auth.login.LoginException | ProviderException e) {
                    LOG.debug("logout from {} failed (token gone?)", loc.tokenId());
                }
            }
        }
    }
}
