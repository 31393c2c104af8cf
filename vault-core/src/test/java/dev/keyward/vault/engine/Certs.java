package dev.keyward.vault.engine;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/** Real X.509 certificates for tests (Bouncy Castle). */
final class Certs {
    record Issued(X509Certificate cert, KeyPair keys) {
    }

    private Certs() {
    }

    static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    static Issued selfSigned(String cn, Instant now) throws Exception {
        KeyPair k = keys();
        return new Issued(sign(cn, k, cn, k, now), k);
    }

    static Issued issuedBy(Issued ca, String cn, Instant now) throws Exception {
        KeyPair k = keys();
        String caCn = ca.cert().getSubjectX500Principal().getName().replace("CN=", "");
        return new Issued(sign(cn, k, caCn, ca.keys(), now), k);
    }

    private static X509Certificate sign(String cn, KeyPair subject, String issuerCn, KeyPair issuer, Instant now)
            throws Exception {
        var b = new JcaX509v3CertificateBuilder(new X500Name("CN=" + issuerCn), BigInteger.valueOf(now.toEpochMilli()
                + cn.hashCode()), Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(30, ChronoUnit.DAYS)),
                new X500Name("CN=" + cn), subject.getPublic());
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    static String pem(X509Certificate c) throws Exception {
        var w = new java.io.StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(c);
        }
        return w.toString();
    }

    static String sha256(X509Certificate c) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(c.getEncoded()));
    }
}
