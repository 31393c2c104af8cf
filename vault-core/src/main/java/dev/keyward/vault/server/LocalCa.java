package dev.keyward.vault.server;

import dev.keyward.vault.api.IntegrityException;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.SealedBlobs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The vault's own certificate authority (EC P-256, ECDSA with SHA-256). Its private key lives only
 * in memory and, barrier-sealed, in the vault's storage ({@link SealedBlobs}); never in clear on
 * disk. It issues the endpoint's server certificate and client certificates for machine identities.
 */
public final class LocalCa {
    static final String BLOB = "tls/local-ca";
    static final Duration CA_LIFETIME = Duration.ofDays(3650);
    static final Duration SERVER_LIFETIME = Duration.ofDays(30);
    static final Duration CLIENT_LIFETIME = Duration.ofDays(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;

    private LocalCa(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /** Loads the vault's CA from sealed storage, creating (and storing) it on first use. */
    public static synchronized LocalCa loadOrCreate(SealedBlobs blobs, Instant now) {
        var stored = blobs.get(BLOB);
        if (stored.isPresent()) {
            return decode(stored.get());
        }
        KeyPair kp = ecKeyPair();
        X500Name name = new X500Name("CN=Keyward local CA " + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE));
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minusSeconds(60)),
                    Date.from(now.plus(CA_LIFETIME)), name, kp.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            X509Certificate cert = sign(b, kp.getPrivate());
            LocalCa ca = new LocalCa(cert, kp.getPrivate());
            blobs.put(BLOB, ca.encode());
            return ca;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the local CA could not be created", e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The CA certificate as PEM, for clients to trust. */
    public String certificatePem() {
        return pem(certificate);
    }

    /** A certificate and its private key. */
    public record Issued(X509Certificate certificate, PrivateKey key) {
        public Issued {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(key, "key");
        }

        public Instant notAfter() {
            return certificate.getNotAfter().toInstant();
        }

        @Override
        public String toString() {
            return "Issued[" + certificate.getSubjectX500Principal() + ", key hidden]";
        }
    }

    /** A server certificate for the loopback endpoint: SANs localhost, 127.0.0.1 and ::1. */
    public Issued issueServer(Instant now) {
        GeneralNames sans = new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.iPAddress, "::1")});
        return issue(new X500Name("CN=localhost"), sans, KeyPurposeId.id_kp_serverAuth, now, SERVER_LIFETIME);
    }

    /**
     * A client certificate for a machine identity: the identity's name is the subject CN, which
     * cert login maps back to the identity.
     */
    public Issued issueClient(String identityName, Instant now) {
        if (identityName == null || !identityName.matches("[A-Za-z0-9._@-]{1,64}")) {
            throw new InvalidRequestException("An identity name is 1 to 64 letters, digits, '.', '_', '@' or '-'.");
        }
        return issue(new X500Name("CN=" + identityName), null, KeyPurposeId.id_kp_clientAuth, now, CLIENT_LIFETIME);
    }

    /**
     * A certificate for a service (a rotated secret): subject CN {@code commonName}, DNS SANs
     * {@code dnsNames}, for server and client authentication, valid for {@code lifetime} (at most
     * until the CA itself expires).
     */
    public Issued issueService(String commonName, java.util.List<String> dnsNames, Duration lifetime, Instant now) {
        if (commonName == null || !commonName.matches("[A-Za-z0-9._*-]{1,64}")) {
            throw new InvalidRequestException("A common name is 1 to 64 letters, digits, '.', '_', '*' or '-'.");
        }
        GeneralName[] names = new GeneralName[dnsNames.size()];
        for (int i = 0; i < names.length; i++) {
            if (!dnsNames.get(i).matches("[A-Za-z0-9.*-]{1,253}")) {
                throw new InvalidRequestException("A DNS name is letters, digits, '.', '*' or '-'.");
            }
            names[i] = new GeneralName(GeneralName.dNSName, dnsNames.get(i));
        }
        return issue(new X500Name("CN=" + commonName), names.length == 0 ? null : new GeneralNames(names),
                KeyPurposeId.id_kp_serverAuth, now, lifetime);
    }

    private Issued issue(X500Name subject, GeneralNames sans, KeyPurposeId purpose, Instant now, Duration life) {
        KeyPair kp = ecKeyPair();
        Instant notAfter = now.plus(life);
        if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
            notAfter = certificate.getNotAfter().toInstant();
        }
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(),
                    Date.from(now.minusSeconds(60)), Date.from(notAfter), subject, kp.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            if (sans != null) {
                b.addExtension(Extension.subjectAlternativeName, false, sans);
            }
            return new Issued(sign(b, key), kp.getPrivate());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("a certificate could not be issued", e);
        }
    }

    /** Whether a certificate chains to this CA (signature and validity at {@code now}). */
    public boolean issued(X509Certificate cert, Instant now) {
        try {
            cert.verify(certificate.getPublicKey());
            cert.checkValidity(Date.from(now));
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    public static String pem(Object object) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(object);
        } catch (IOException e) {
            throw new IllegalStateException("PEM encoding failed", e);
        }
        return w.toString();
    }

    /** A private key as PKCS#8 PEM ("PRIVATE KEY"), the form most TLS clients read. */
    public static String pkcs8Pem(PrivateKey key) {
        try {
            return pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null));
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalStateException("PEM encoding failed", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("signer could not be built", e);
        }
    }

    private static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is not available", e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    /** cert length(4) || cert DER || PKCS#8 key DER. */
    private byte[] encode() throws GeneralSecurityException {
        byte[] c = certificate.getEncoded();
        byte[] k = key.getEncoded();
        try {
            return ByteBuffer.allocate(4 + c.length + k.length).putInt(c.length).put(c).put(k).array();
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    private static LocalCa decode(byte[] blob) {
        try {
            ByteBuffer b = ByteBuffer.wrap(blob);
            int n = b.getInt();
            if (n <= 0 || n > blob.length - 4) {
                throw new IntegrityException("The stored local CA is malformed.");
            }
            byte[] c = new byte[n];
            b.get(c);
            byte[] k = new byte[b.remaining()];
            b.get(k);
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(c));
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(k));
            Arrays.fill(k, (byte) 0);
            return new LocalCa(cert, key);
        } catch (GeneralSecurityException | RuntimeException e) {
            if (e instanceof IntegrityException ie) {
                throw ie;
            }
            throw new IntegrityException("The stored local CA could not be read.");
        } finally {
            Arrays.fill(blob, (byte) 0);
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "LocalCa[" + certificate.getSubjectX500Principal() + ", key hidden]";
    }
}
