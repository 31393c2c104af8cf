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
import java.util.ArrayList;
import java.util.List;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.DEROctetString;
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
    private final List<String> extraNames;

    private LocalCa(X509Certificate certificate, PrivateKey key) {
        this(certificate, key, List.of());
    }

    private LocalCa(X509Certificate certificate, PrivateKey key, List<String> extraNames) {
        this.certificate = certificate;
        this.key = key;
        this.extraNames = List.copyOf(extraNames);
    }

    /** The DNS subtree client certificates name their identity in (never resolvable: RFC 6761 ".invalid"). */
    static final String CLIENT_DOMAIN = "client.keyward.invalid";

    /** Loads the vault's CA from sealed storage, creating (and storing) it on first use. */
    public static LocalCa loadOrCreate(SealedBlobs blobs, Instant now) {
        return loadOrCreate(blobs, now, List.of());
    }

    /**
     * Loads the vault's CA from sealed storage, creating (and storing) it on first use. The CA is
     * name-constrained (critical): it can only vouch for {@code localhost}, {@code 127.0.0.0/8},
     * {@code ::1}, the client-identity subtree and {@code extraNames} (host names or IP addresses
     * the endpoint is also reached by). A stored CA whose constraints differ — one made before
     * constraints existed, or with other names configured — gets a new CA certificate for the same
     * key and subject, so certificates it issued before still chain to it.
     */
    public static synchronized LocalCa loadOrCreate(SealedBlobs blobs, Instant now, List<String> extraNames) {
        NameConstraints wanted = constraints(extraNames);
        var stored = blobs.get(BLOB);
        if (stored.isPresent()) {
            LocalCa ca = decode(stored.get());
            if (constrainedAs(ca.certificate, wanted)) {
                return new LocalCa(ca.certificate, ca.key, extraNames);
            }
            try {
                LocalCa migrated = new LocalCa(selfSign(X500Name.getInstance(
                        ca.certificate.getSubjectX500Principal().getEncoded()), ca.certificate.getPublicKey(), ca.key, now,
                        ca.certificate.getNotAfter().toInstant(), wanted), ca.key, extraNames);
                blobs.put(BLOB, migrated.encode());
                return migrated;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("the local CA could not be given name constraints", e);
            }
        }
        KeyPair kp = ecKeyPair();
        X500Name name = new X500Name("CN=Keyward local CA " + Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE));
        try {
            X509Certificate cert = selfSign(name, kp.getPublic(), kp.getPrivate(), now, now.plus(CA_LIFETIME), wanted);
            LocalCa ca = new LocalCa(cert, kp.getPrivate(), extraNames);
            blobs.put(BLOB, ca.encode());
            return ca;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the local CA could not be created", e);
        }
    }

    private static X509Certificate selfSign(X500Name name, java.security.PublicKey pub, PrivateKey key, Instant now,
                                            Instant notAfter, NameConstraints constraints)
            throws GeneralSecurityException, IOException {
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minusSeconds(60)),
                Date.from(notAfter), name, pub);
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pub));
        b.addExtension(Extension.nameConstraints, true, constraints);
        return sign(b, key);
    }

    /** The names the CA may vouch for: loopback, the client-identity subtree and the configured names. */
    static NameConstraints constraints(List<String> extraNames) {
        List<GeneralSubtree> permitted = new ArrayList<>();
        permitted.add(new GeneralSubtree(new GeneralName(GeneralName.dNSName, "localhost")));
        permitted.add(new GeneralSubtree(new GeneralName(GeneralName.iPAddress,
                new DEROctetString(new byte[] {127, 0, 0, 0, (byte) 255, 0, 0, 0}))));
        byte[] v6 = new byte[32];
        v6[15] = 1;
        Arrays.fill(v6, 16, 32, (byte) 0xff);
        permitted.add(new GeneralSubtree(new GeneralName(GeneralName.iPAddress, new DEROctetString(v6))));
        permitted.add(new GeneralSubtree(new GeneralName(GeneralName.dNSName, CLIENT_DOMAIN)));
        for (String n : extraNames) {
            GeneralName g = name(n);
            if (g.getTagNo() == GeneralName.iPAddress) {
                byte[] a = DEROctetString.getInstance(g.getName()).getOctets();
                byte[] withMask = Arrays.copyOf(a, a.length * 2);
                Arrays.fill(withMask, a.length, withMask.length, (byte) 0xff);
                permitted.add(new GeneralSubtree(new GeneralName(GeneralName.iPAddress, new DEROctetString(withMask))));
            } else if (!n.equalsIgnoreCase("localhost")) {
                permitted.add(new GeneralSubtree(g));
            }
        }
        return new NameConstraints(permitted.toArray(GeneralSubtree[]::new), null);
    }

    /** A configured name as a SAN: an IP address literal or a DNS name. */
    static GeneralName name(String n) {
        String t = n == null ? "" : n.trim();
        if (t.matches("[0-9.]+") || t.contains(":")) {
            try {
                return new GeneralName(GeneralName.iPAddress, t);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("'" + t + "' is not an IP address.");
            }
        }
        if (!t.matches("(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")) {
            throw new InvalidRequestException("A TLS name is a host name like vault.internal or an IP address.");
        }
        return new GeneralName(GeneralName.dNSName, t.toLowerCase(java.util.Locale.ROOT));
    }

    private static boolean constrainedAs(X509Certificate cert, NameConstraints wanted) {
        byte[] ext = cert.getExtensionValue(Extension.nameConstraints.getId());
        if (ext == null) {
            return false;
        }
        try {
            byte[] inner = DEROctetString.getInstance(ext).getOctets();
            return Arrays.equals(inner, wanted.getEncoded());
        } catch (IOException | IllegalArgumentException e) {
            return false;
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

    /** A server certificate for the endpoint: SANs localhost, 127.0.0.1, ::1 and the configured names. */
    public Issued issueServer(Instant now) {
        List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1", "::1"));
        extraNames.stream().filter(n -> !names.contains(n)).forEach(names::add);
        return issueServerFor(names, now);
    }

    /** A server certificate naming exactly {@code names} (host names or IP addresses). */
    Issued issueServerFor(List<String> names, Instant now) {
        GeneralNames sans = new GeneralNames(names.stream().map(LocalCa::name).toArray(GeneralName[]::new));
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
        // A DNS name under the never-resolvable client subtree, so that name-constraint checks do not
        // read the CN (the identity's name) as a host name.
        String label = "id-" + HexFormat.of().formatHex(sha256(identityName)).substring(0, 24) + "." + CLIENT_DOMAIN;
        GeneralNames sans = new GeneralNames(new GeneralName(GeneralName.dNSName, label));
        return issue(new X500Name("CN=" + identityName), sans, KeyPurposeId.id_kp_clientAuth, now, CLIENT_LIFETIME);
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

    private static byte[] sha256(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
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
