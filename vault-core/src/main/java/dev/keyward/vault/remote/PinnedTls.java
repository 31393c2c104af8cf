package dev.keyward.vault.remote;

import dev.keyward.vault.api.InvalidRequestException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A TLS context that trusts exactly the certificates of one PEM file: the vault's own CA. */
public final class PinnedTls {
    private PinnedTls() {
    }

    /**
     * Trusts only the certificates in {@code caPem} (no system trust store); {@code keys} may present a
     * client certificate (null: none). Throws {@link InvalidRequestException} with a sentence for a
     * missing or unreadable file.
     */
    public static SSLContext context(Path caPem, KeyManager[] keys) {
        if (caPem == null || !Files.isReadable(caPem)) {
            throw new InvalidRequestException("The vault's CA certificate " + caPem + " is not readable: 'keyward "
                    + "serve' writes it to <home>/tls/ca.pem ('keyward ca export' copies it).");
        }
        try {
            return context(certificates(caPem), keys);
        } catch (GeneralSecurityException | IOException e) {
            throw new InvalidRequestException("The CA certificate " + caPem + " could not be loaded ("
                    + e.getClass().getSimpleName() + ").");
        }
    }

    /** Trusts exactly {@code cas}; {@code keys} may present a client certificate (null: none). */
    public static SSLContext context(Collection<? extends Certificate> cas, KeyManager[] keys)
            throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (Certificate c : cas) {
            trust.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keys, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** The certificates in a PEM file; at least one. */
    public static Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new InvalidRequestException(pem + " holds no certificate.");
            }
            return certs;
        }
    }
}
