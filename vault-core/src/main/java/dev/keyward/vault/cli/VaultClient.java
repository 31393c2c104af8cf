package dev.keyward.vault.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.remote.PinnedTls;
import javax.net.ssl.SSLHandshakeException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The CLI's HTTPS client: trusts only the vault's CA (the exported PEM), optionally presents a
 * client certificate, and turns error answers into {@link CliException}s with exit codes.
 */
public final class VaultClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final char[] STORE_PASSWORD = "in-memory".toCharArray();

    private final HttpClient http;
    private final String base;
    private final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();

    public VaultClient(String base, Path caPem, Path clientCert, Path clientKey) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        if (!this.base.startsWith("https://")) {
            throw new CliException(ExitCodes.USAGE, "The vault address must start with https://.");
        }
        this.http = HttpClient.newBuilder().sslContext(sslContext(caPem, clientCert, clientKey))
                .connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** Sends this header with every call (skipped when the value is null or blank). */
    public VaultClient header(String name, String value) {
        if (value != null && !value.isBlank()) {
            headers.put(name, value.strip());
        }
        return this;
    }

    /** A JSON answer (or none for 204). */
    public record Reply(int status, JsonNode json) {
    }

    public Reply call(String method, String path, String token, Object body) {
        return call(method, path, token, body, "application/json");
    }

    public Reply call(String method, String path, String token, Object body, String contentType) {
        return call(method, path, token, body, contentType, Duration.ofSeconds(30));
    }

    /** {@link #call} with its own answer timeout (a long poll waits longer than a call). */
    public Reply call(String method, String path, String token, Object body, String contentType, Duration timeout) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/" + path))
                    .timeout(timeout)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            if (body != null) {
                b.header("Content-Type", contentType);
            }
            if (token != null) {
                b.header("X-Vault-Token", token);
            }
            headers.forEach(b::header);
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json = r.body().length == 0 ? null : JSON.readTree(r.body());
            return new Reply(r.statusCode(), json);
        } catch (ConnectException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "The vault endpoint at " + base
                    + " is not reachable: is 'keyward serve' running?");
        } catch (SSLHandshakeException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "The TLS handshake with " + base
                    + " failed: check that the CA file is this vault's (keyward ca export).");
        } catch (HttpTimeoutException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "The vault endpoint at " + base + " did not answer in time.");
        } catch (IOException e) {
            throw new CliException(ExitCodes.UNAVAILABLE, "The vault endpoint at " + base + " could not be reached: "
                    + e.getClass().getSimpleName() + ".");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.INTERNAL, "Interrupted.");
        }
    }

    /** Like {@link #call} but any non-2xx answer becomes a {@link CliException}. */
    public Reply expect(String method, String path, String token, Object body) {
        return check(call(method, path, token, body));
    }

    public static Reply check(Reply r) {
        if (r.status() >= 200 && r.status() < 300) {
            return r;
        }
        String msg = "";
        if (r.json() != null && r.json().has("errors") && r.json().get("errors").size() > 0) {
            msg = r.json().get("errors").get(0).asText();
        }
        int code = switch (r.status()) {
            case 403 -> ExitCodes.DENIED;
            case 503, 501 -> ExitCodes.UNAVAILABLE;
            default -> ExitCodes.REFUSED;
        };
        if (msg.isEmpty()) {
            msg = r.status() == 404 ? "Not found." : "The vault answered " + r.status() + ".";
        }
        if (r.status() == 400 && msg.equals("invalid role or secret ID")) {
            code = ExitCodes.DENIED;
        }
        throw new CliException(code, msg.endsWith(".") ? msg : msg + ".");
    }

    static SSLContext sslContext(Path caPem, Path clientCert, Path clientKey) {
        try {
            if (caPem == null || !Files.isReadable(caPem)) {
                throw new CliException(ExitCodes.USAGE, "The vault's CA certificate " + caPem
                        + " is not readable: run 'keyward ca export' on the vault host, or pass --ca-cert.");
            }
            KeyManagerFactory kmf = null;
            if (clientCert != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                List<Certificate> chain = new ArrayList<>(certificates(clientCert));
                keys.setKeyEntry("client", privateKey(clientKey), STORE_PASSWORD, chain.toArray(Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, STORE_PASSWORD);
            }
            return PinnedTls.context(caPem, kmf == null ? null : kmf.getKeyManagers());
        } catch (GeneralSecurityException | IOException | InvalidRequestException e) {
            throw new CliException(ExitCodes.USAGE, "The TLS files could not be loaded: " + e.getMessage());
        }
    }

    private static Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        try {
            return PinnedTls.certificates(pem);
        } catch (InvalidRequestException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage());
        }
    }

    static PrivateKey privateKey(Path pem) throws IOException {
        if (pem == null) {
            throw new CliException(ExitCodes.USAGE, "A client certificate needs its private key (--key).");
        }
        try (Reader r = Files.newBufferedReader(pem, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {
                return conv.getPrivateKey(kp.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo info) {
                return conv.getPrivateKey(info);
            }
            throw new CliException(ExitCodes.USAGE, pem + " holds no private key in PEM form.");
        }
    }

    static X509Certificate first(Path pem) throws IOException, GeneralSecurityException {
        return (X509Certificate) certificates(pem).iterator().next();
    }
}
