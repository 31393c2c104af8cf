package dev.keyward.vault.rotation;

import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.server.LocalCa;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * An X.509 certificate and its key from the vault's local CA, renewed before it expires. Fields:
 * {@code certificate} (PEM), {@code private_key} (PKCS#8 PEM), {@code ca_chain} (the CA's PEM),
 * {@code not_after}. Test: the certificate chains to the CA, is valid now and matches the key. The
 * secret's {@code expires_at} follows the certificate, so the expiry trigger renews it
 * ({@code expiry_lead}, default a third of the lifetime). Parameters: {@code common_name}
 * (required), {@code dns} (a comma list of DNS names), {@code lifetime} (default 30d).
 */
public final class X509Rotator implements Rotator, Expiring {
    public static final String TYPE = "x509";
    private final Supplier<LocalCa> ca;

    public X509Rotator(Supplier<LocalCa> ca) {
        this.ca = ca;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void validate(Map<String, String> params) {
        for (String k : params.keySet()) {
            if (!List.of("common_name", "dns", "lifetime", "timeout").contains(k)) {
                throw new InvalidRequestException("The x509 rotator has no parameter '" + PasswordPolicy.clip(k)
                        + "'; it takes common_name, dns and lifetime.");
            }
        }
        if (params.get("common_name") == null || !params.get("common_name").matches("[A-Za-z0-9._*-]{1,64}")) {
            throw new InvalidRequestException("common_name is required: 1 to 64 letters, digits, '.', '_', '*' or '-'.");
        }
        for (String d : dns(params)) {
            if (!d.matches("[A-Za-z0-9.*-]{1,253}")) {
                throw new InvalidRequestException("dns is a comma list of DNS names.");
            }
        }
        lifetime(params);
    }

    private static List<String> dns(Map<String, String> params) {
        List<String> out = new ArrayList<>();
        for (String d : params.getOrDefault("dns", "").split(",")) {
            if (!d.isBlank()) {
                out.add(d.trim());
            }
        }
        return out;
    }

    private static Duration lifetime(Map<String, String> params) {
        String l = params.get("lifetime");
        Duration d = l == null ? Duration.ofDays(30) : dev.keyward.vault.server.Durations.parse(l);
        if (d.compareTo(Duration.ofHours(1)) < 0 || d.compareTo(Duration.ofDays(825)) > 0) {
            throw new InvalidRequestException("lifetime is from 1h to 825d.");
        }
        return d;
    }

    @Override
    public Map<String, String> generate(RotationContext ctx) {
        LocalCa c = ca.get();
        LocalCa.Issued issued = c.issueService(ctx.params().get("common_name"), dns(ctx.params()),
                lifetime(ctx.params()), ctx.clock().instant());
        Map<String, String> out = new TreeMap<>();
        out.put("certificate", LocalCa.pem(issued.certificate()));
        out.put("private_key", LocalCa.pkcs8Pem(issued.key()));
        out.put("ca_chain", c.certificatePem());
        out.put("not_after", issued.notAfter().toString());
        return out;
    }

    @Override
    public void set(RotationContext ctx, Map<String, String> pending) {
        // the vault issues and holds it; dependents pick up the new version
    }

    @Override
    public void test(RotationContext ctx, Map<String, String> pending) {
        verify(pending, ctx.clock().instant());
    }

    @Override
    public void check(RotationContext ctx, Map<String, String> current) {
        verify(current, ctx.clock().instant());
    }

    private void verify(Map<String, String> v, Instant now) {
        X509Certificate cert = certificate(v.get("certificate"));
        if (!ca.get().issued(cert, now)) {
            throw new RotationStepException("The certificate does not chain to the vault's CA or is not valid now.");
        }
        try (PEMParser p = new PEMParser(new java.io.StringReader(v.getOrDefault("private_key", "")))) {
            Object o = p.readObject();
            if (!(o instanceof PrivateKeyInfo info)) {
                throw new RotationStepException("The private key is not a PKCS#8 key.");
            }
            PrivateKey key = new JcaPEMKeyConverter().getPrivateKey(info);
            byte[] msg = "keyward rotation test".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(key);
            s.update(msg);
            byte[] sig = s.sign();
            s.initVerify(cert.getPublicKey());
            s.update(msg);
            if (!s.verify(sig)) {
                throw new RotationStepException("The private key does not match the certificate.");
            }
        } catch (RotationStepException e) {
            throw e;
        } catch (Exception e) {
            throw new RotationStepException("The private key could not be read.");
        }
    }

    static X509Certificate certificate(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new RotationStepException("The certificate could not be read.");
        }
    }

    @Override
    public Instant expiresAt(Map<String, String> value) {
        String c = value.get("certificate");
        return c == null ? null : certificate(c).getNotAfter().toInstant();
    }

    @Override
    public Duration defaultLead(Map<String, String> params) {
        return lifetime(params).dividedBy(3);
    }
}
