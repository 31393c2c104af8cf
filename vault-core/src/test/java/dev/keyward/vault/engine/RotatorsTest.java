package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.RotationService;
import dev.keyward.vault.api.RotationService.RotationConfig;
import dev.keyward.vault.api.RotationTrigger;
import dev.keyward.vault.server.LocalCa;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.OpenSSHPrivateKeyUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The X.509 rotator (the vault's local CA, renewed before expiry) and the Ed25519/SSH key pair rotator. */
class RotatorsTest {
    static final Instant START = Instant.parse("2026-10-01T08:00:00Z");

    @TempDir
    Path dir;
    @TempDir
    Path work;
    MutableClock clock;
    TestVaults.Opened vault;
    RotationService rot;
    RotationFacade facade;

    @BeforeEach
    void setUp() {
        clock = new MutableClock(START);
        vault = TestVaults.initialised(TestVaults.config(dir, clock));
        rot = vault.engine().rotation();
        facade = (RotationFacade) rot;
        facade.job().stop();
    }

    @AfterEach
    void tearDown() {
        vault.close();
    }

    Caller admin() {
        return TestVaults.login(vault.engine()).caller();
    }

    Map<String, String> current(String path) {
        return vault.engine().secrets().read(admin(), path, 0).data().fields();
    }

    static X509Certificate cert(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void aCertificateFromTheLocalCaIsRenewedBeforeItExpires() throws Exception {
        rot.configure(admin(), "tls/api", new RotationConfig("x509", Map.of("common_name", "api.internal", "dns",
                "api.internal,localhost", "lifetime", "3d"), null, Duration.ZERO, null, true, null, null, null, null,
                null));
        rot.rotateNow(admin(), "tls/api", RotationTrigger.MANUAL, "first certificate");
        facade.rotations().tick();
        Map<String, String> v1 = current("tls/api");
        X509Certificate c1 = cert(v1.get("certificate"));
        LocalCa ca = LocalCa.loadOrCreate(vault.engine().sealedBlobs(), clock.instant());
        assertTrue(ca.issued(c1, clock.instant()), "chains to the vault's CA");
        assertEquals(ca.certificatePem(), v1.get("ca_chain"));
        assertTrue(c1.getSubjectX500Principal().getName().contains("CN=api.internal"));
        assertTrue(v1.get("private_key").startsWith("-----BEGIN PRIVATE KEY-----"));
        Instant notAfter = c1.getNotAfter().toInstant();
        assertEquals(notAfter, rot.status(admin(), "tls/api").expiresAt(), "expires_at follows the certificate");

        clock.advance(Duration.ofDays(1));
        facade.rotations().tick();
        assertEquals(1, rot.history(admin(), "tls/api", 10).size(), "not yet within a third of its lifetime");
        clock.advance(Duration.ofDays(1).plusHours(1));
        facade.rotations().tick();
        assertEquals(RotationTrigger.EXPIRY, rot.history(admin(), "tls/api", 1).get(0).trigger());
        X509Certificate c2 = cert(current("tls/api").get("certificate"));
        assertNotEquals(c1.getSerialNumber(), c2.getSerialNumber());
        assertTrue(c2.getNotAfter().after(c1.getNotAfter()));
    }

    @Test
    void anEd25519KeyPairInOpenSshFormatsGoesIntoAuthorizedKeysAndTheOldOneLeavesAfterTheGrace() throws Exception {
        Path ak = work.resolve("authorized_keys");
        Files.writeString(ak, "ssh-ed25519 AAAAkeptkey other@host\n");
        rot.configure(admin(), "ssh/deploy", new RotationConfig("ssh", Map.of("comment", "deploy@ci",
                "authorized_keys", ak.toString()), null, Duration.ofMinutes(10), null, true, null, null, null, null,
                null));
        rot.rotateNow(admin(), "ssh/deploy", RotationTrigger.MANUAL, "first key");
        facade.rotations().tick();
        Map<String, String> k1 = current("ssh/deploy");
        assertTrue(k1.get("private_key").startsWith("-----BEGIN OPENSSH PRIVATE KEY-----"));
        assertTrue(k1.get("public_key").matches("ssh-ed25519 [A-Za-z0-9+/=]+ deploy@ci"), k1.get("public_key"));
        assertTrue(k1.get("fingerprint").startsWith("SHA256:"));
        String b64 = k1.get("private_key").replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        assertTrue(OpenSSHPrivateKeyUtil.parsePrivateKeyBlob(java.util.Base64.getDecoder().decode(b64))
                instanceof Ed25519PrivateKeyParameters);
        assertTrue(Files.readAllLines(ak).contains(k1.get("public_key")));

        rot.rotateNow(admin(), "ssh/deploy", RotationTrigger.MANUAL, "second key");
        facade.rotations().tick();
        Map<String, String> k2 = current("ssh/deploy");
        List<String> lines = Files.readAllLines(ak);
        assertTrue(lines.contains(k1.get("public_key")) && lines.contains(k2.get("public_key")),
                "both keys work during the grace period");
        clock.advance(Duration.ofMinutes(11));
        facade.rotations().tick();
        lines = Files.readAllLines(ak);
        assertFalse(lines.contains(k1.get("public_key")), "the previous key is revoked after its grace");
        assertTrue(lines.contains(k2.get("public_key")) && lines.contains("ssh-ed25519 AAAAkeptkey other@host"));
    }
}
