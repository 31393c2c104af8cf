package dev.keyward.vault.seal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.HsmUnavailableException;
import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.api.Pkcs11SealSpec;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.crypto.Signer;
import dev.keyward.vault.testing.SoftHsm;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The PKCS#11 seal against a real SoftHSM2 token. */
class Pkcs11SealProviderTest {
    static SoftHsm hsm;

    @BeforeAll
    static void token() {
        hsm = SoftHsm.get();
    }

    private SealConfig created(String label) {
        try (Pkcs11SealSpec spec = hsm.spec(SoftHsm.MAIN, label)) {
            SealInit init = new Pkcs11SealProvider().create(spec);
            init.rootKey().close();
            assertTrue(init.shares().isEmpty());
            return init.config();
        }
    }

    @Test
    void keysAreGeneratedOnTheTokenAndTheConfigHoldsNoSecret() {
        String label = SoftHsm.uniqueLabel();
        SealConfig cfg = created(label);
        assertEquals(label, cfg.params().path("keyLabel").asText());
        assertEquals(label + "-audit-signing", cfg.params().path("signingKeyLabel").asText());
        assertEquals(SoftHsm.MAIN, cfg.params().path("tokenLabel").asText(), "the token is named by its label");
        assertTrue(cfg.params().path("tokenSerial").asText().matches("[0-9a-f]{16}"), cfg.params().toString());
        assertFalse(cfg.params().has("slot") || cfg.params().has("slotListIndex"), "not by its place: " + cfg.params());
        assertFalse(cfg.params().toString().contains(SoftHsm.PIN + "\""), "the PIN is not stored");
        assertFalse(cfg.params().has("pin"));
    }

    @Test
    void theRootKeyEncryptsInsideTheHsmAndCannotBeExported() {
        Seal seal = new Pkcs11SealProvider().load(created(SoftHsm.uniqueLabel()));
        RootKey root = seal.unseal(UnsealCredential.pin(SoftHsm.PIN.toCharArray())).orElseThrow();
        try {
            byte[] aad = "aad".getBytes(StandardCharsets.US_ASCII);
            byte[] ct = root.encrypt("keyring bytes".getBytes(StandardCharsets.US_ASCII), aad);
            assertArrayEquals("keyring bytes".getBytes(StandardCharsets.US_ASCII), root.decrypt(ct, aad));
            assertThrows(IntegrityException.class, () -> root.decrypt(ct, "other".getBytes(StandardCharsets.US_ASCII)));
            Pkcs11Token.Session session = ((Pkcs11Token.HsmRootKey) root).session();
            assertNull(session.rootKeyObject().getEncoded(), "the JDK gets no key bytes from the token");
            assertTrue(session.rootKeyObject().toString().contains("sensitive"), session.rootKeyObject().toString());
            assertTrue(session.rootKeyObject().toString().contains("unextractable"));
            assertNull(session.signingKeyObject().getEncoded());
            assertTrue(seal.healthy());
        } finally {
            root.close();
        }
    }

    @Test
    void theSignerIsAnEcP256KeyOnTheTokenWhoseSignaturesVerify() throws Exception {
        Seal seal = new Pkcs11SealProvider().load(created(SoftHsm.uniqueLabel()));
        RootKey root = seal.unseal(UnsealCredential.pin(SoftHsm.PIN.toCharArray())).orElseThrow();
        Signer signer = seal.signer().orElseThrow();
        try {
            assertEquals("SHA256withECDSA", signer.algorithm());
            assertEquals(64, signer.keyId().length());
            byte[] msg = "tree head 42".getBytes(StandardCharsets.US_ASCII);
            byte[] sig = signer.sign(msg);
            PublicKey pub = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(signer.publicKey()));
            assertTrue(pub.toString().contains("secp256r1") || pub.toString().contains("1.2.840.10045.3.1.7")
                    || pub.toString().contains("P-256"), pub.toString());
            Signature v = Signature.getInstance("SHA256withECDSA");
            v.initVerify(pub);
            v.update(msg);
            assertTrue(v.verify(sig));
        } finally {
            root.close();
        }
        assertTrue(seal.signer().isEmpty(), "no signer while sealed");
        assertThrows(HsmUnavailableException.class, () -> signer.sign(new byte[1]),
                "no signing once the session is closed");
    }

    @Test
    void aWrongPinIsRefusedEvenRightAfterAGoodLogin() {
        Seal seal = new Pkcs11SealProvider().load(created(SoftHsm.uniqueLabel()));
        seal.unseal(UnsealCredential.pin(SoftHsm.PIN.toCharArray())).orElseThrow().close();
        AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
                () -> seal.unseal(UnsealCredential.pin("9999".toCharArray())));
        assertFalse(e.getMessage().contains("9999"));
    }

    @Test
    void pkcs11ToolReportsTheKeysAsSensitiveAndNeverExtractable() {
        String label = SoftHsm.uniqueLabel();
        created(label);
        String out = SoftHsm.run(List.of("pkcs11-tool", "--module", hsm.library().toString(), "--slot",
                Long.toString(hsm.slot(SoftHsm.MAIN)), "--login", "--pin", SoftHsm.PIN, "--list-objects"));
        String aes = objectBlock(out, "Secret Key Object", label);
        assertTrue(aes.contains("AES length 32"), aes);
        assertTrue(aes.contains("never extractable"), aes);
        assertTrue(aes.matches("(?s).*Access:[^\\n]*\\bsensitive.*"), aes);
        assertFalse(aes.contains("wrap,") || aes.contains(" unwrap"), "the root key cannot wrap keys out: " + aes);
        // The JDK keystore links a private key to its certificate by its ID (the alias bytes); the
        // label is the one an operator reads in pkcs11-tool's listing.
        String ec = objectBlock(out, "Private Key Object", label + "-audit-signing");
        assertTrue(ec.contains("ID:         " + java.util.HexFormat.of().formatHex(
                (label + "-audit-signing").getBytes(StandardCharsets.US_ASCII))), ec);
        assertTrue(ec.contains("EC"), ec);
        assertTrue(ec.contains("never extractable"), ec);
        assertTrue(ec.matches("(?s).*Access:[^\\n]*\\bsensitive.*"), ec);
        assertFalse(ec.contains("decrypt") || ec.contains("unwrap"), "the signing key only signs: " + ec);
    }

    @Test
    void anUnknownSlotIsReportedAsHsmUnavailable() {
        Pkcs11Token.Location loc = new Pkcs11Token.Location(hsm.library().toString(), 999_999L, 0, "x", "x-sign");
        HsmUnavailableException e = assertThrows(HsmUnavailableException.class,
                () -> Pkcs11Token.login(loc, SoftHsm.PIN.toCharArray()));
        assertTrue(e.getMessage().startsWith("The vault is sealed: HSM unavailable"), e.getMessage());
    }

    private static String objectBlock(String listing, String type, String label) {
        for (String block : listing.split("\n(?=\\S)")) {
            if (block.startsWith(type) && (block.contains("label:      " + label + "\n")
                    || block.contains("ID:         " + label + "\n"))) {
                return block;
            }
        }
        throw new AssertionError("no " + type + " labelled " + label + " in:\n" + listing);
    }
}
