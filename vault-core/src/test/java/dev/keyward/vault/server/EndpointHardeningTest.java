package dev.keyward.vault.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.keyward.vault.engine.TestVaults;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Slow request heads, client text in the server log, the local CA's name constraints. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndpointHardeningTest {
    @TempDir
    static Path home;
    TestVaults.Opened vault;
    KeywardServer server;
    Path caPem;
    String token;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(4);

    @BeforeAll
    void start() {
        vault = TestVaults.initialised(home);
        caPem = home.resolve("tls/ca.pem");
        // Idle timeout far longer than the request deadline: a byte a second keeps a connection from idling out.
        server = KeywardServer.start(vault.engine(), ServerConfig.ephemeral().withRateLimits(0, 0)
                .withTimeouts(Duration.ofSeconds(60), REQUEST_TIMEOUT), Clock.systemUTC(), caPem);
        token = vault.session().token();
    }

    @AfterAll
    void stop() {
        server.close();
        vault.close();
    }

    /** Sends {@code head} a byte every {@code pauseMillis}; returns what came back and after how long. */
    record Dribble(String answer, Duration took) {
    }

    Dribble dribble(byte[] prefix, String head, long pauseMillis) throws Exception {
        SSLContext ctx = Https.sslContext(caPem, null);
        long start = System.nanoTime();
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout(60_000);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(prefix);
            out.flush();
            if (prefix.length > 0) {
                readResponse(in); // the first, normal request on this connection is served
                start = System.nanoTime();
            }
            try {
                for (byte b : head.getBytes(StandardCharsets.US_ASCII)) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(pauseMillis);
                }
            } catch (java.io.IOException closed) {
                return new Dribble("closed while sending", Duration.ofNanos(System.nanoTime() - start));
            }
            String answer;
            try {
                answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (java.io.IOException closed) {
                answer = "closed";
            }
            return new Dribble(answer, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private static void readResponse(InputStream in) throws Exception {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            b.append((char) c);
            if (b.toString().endsWith("\r\n\r\n")) {
                break;
            }
        }
        String headers = b.toString().toLowerCase();
        int i = headers.indexOf("content-length: ");
        int n = Integer.parseInt(headers.substring(i + 16, headers.indexOf('\r', i)).trim());
        in.readNBytes(n);
    }

    @Test
    void aRequestHeadSentOneBytePerSecondIsCutOffAtTheRequestDeadline() throws Exception {
        // 60 bytes at one a second would take a minute; the deadline is 4 s.
        String head = "GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + "y".repeat(20) + "\r\n\r\n";
        Dribble d = dribble(new byte[0], head, 1000);
        assertFalse(d.answer().startsWith("HTTP/1.1 200"), "a slow head is not served: " + d.answer());
        assertTrue(d.took().compareTo(REQUEST_TIMEOUT.plusSeconds(3)) <= 0, "cut off after " + d.took());
        System.out.println("slow request head cut off after " + d.took().toMillis() + " ms");
    }

    @Test
    void aSlowSecondRequestOnAKeptAliveConnectionIsCutOffToo() throws Exception {
        byte[] first = "GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        String head = "GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + "y".repeat(20) + "\r\n\r\n";
        Dribble d = dribble(first, head, 1000);
        assertFalse(d.answer().startsWith("HTTP/1.1 200"), d.answer());
        assertTrue(d.took().compareTo(REQUEST_TIMEOUT.plusSeconds(3)) <= 0, "cut off after " + d.took());
    }

    @Test
    void aHeadSentQuicklyIsServed() throws Exception {
        Dribble d = dribble(new byte[0], "GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 20);
        assertTrue(d.answer().startsWith("HTTP/1.1 200"), d.answer());
    }

    @Test
    void noClientTextReachesTheServerLog() throws Exception {
        String canary = "logcanary9f3e";
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        // The configuration 'keyward serve' runs with (src/main/resources/logback.xml), not the tests' own.
        ctx.reset();
        ch.qos.logback.classic.joran.JoranConfigurator jc = new ch.qos.logback.classic.joran.JoranConfigurator();
        jc.setContext(ctx);
        jc.doConfigure(KeywardServer.class.getResource("/logback.xml"));
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.setContext(ctx);
        seen.start();
        root.addAppender(seen);
        try {
            List<String> requests = List.of(
                    "GET /v1/sys/health HTTP/1.1\r\nHost: a" + canary + "\r\nHost: b" + canary + "\r\n\r\n",
                    "GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-" + canary + ": \u0001bad\r\n\r\n",
                    "GET /v1/" + canary + "%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                    canary + " /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                    "GET /v1/sys/health HTTP/9." + canary + "\r\nHost: 127.0.0.1\r\n\r\n",
                    "GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + canary + "\r\n\r\n",
                    "POST /v1/secret/data/x HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: " + canary
                            + "\r\nX-Vault-Token: " + token + "\r\n\r\n",
                    "GET /v1/sys/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Vault-Wrap-TTL: " + canary + "\r\n\r\n",
                    "GET /v1/secret/data/x?version=" + canary + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Vault-Token: "
                            + token + "\r\n\r\n");
            for (String req : requests) {
                String closing = req.substring(0, req.length() - 2) + "Connection: close\r\n\r\n";
                String answer = HttpsEndpointTest.raw(caPem, server.port(), closing.getBytes(StandardCharsets.ISO_8859_1), 0);
                assertFalse(answer.startsWith("HTTP/1.1 500"), answer);
            }
            Thread.sleep(500);
        } finally {
            root.detachAppender(seen);
            ctx.reset();
            ch.qos.logback.classic.joran.JoranConfigurator again = new ch.qos.logback.classic.joran.JoranConfigurator();
            again.setContext(ctx);
            again.doConfigure(KeywardServer.class.getResource("/logback-test.xml"));
        }
        assertTrue(seen.list.isEmpty() || seen.list.stream().noneMatch(e -> e.getLoggerName().startsWith("org.eclipse")),
                "Jetty's warnings are not logged: " + seen.list);
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent e : seen.list) {
            lines.add(e.getLoggerName() + " " + e.getLevel() + " " + e.getFormattedMessage()
                    + (e.getThrowableProxy() == null ? "" : " " + ThrowableProxyUtil.asString(e.getThrowableProxy())));
        }
        for (String l : lines) {
            assertFalse(l.contains(canary), "client text in the log: " + l);
        }
    }

    @Test
    void theLocalCaIsNameConstrainedToLoopbackAndItsServerCertificateValidates() throws Exception {
        X509Certificate ca = server.ca().certificate();
        byte[] ext = ca.getExtensionValue(Extension.nameConstraints.getId());
        assertNotNull(ext, "the CA certificate carries name constraints");
        assertTrue(new JcaX509CertificateHolder(ca).getExtension(Extension.nameConstraints).isCritical());
        NameConstraints nc = NameConstraints.getInstance(new JcaX509CertificateHolder(ca)
                .getExtension(Extension.nameConstraints).getParsedValue());
        List<String> permitted = new ArrayList<>();
        for (GeneralSubtree t : nc.getPermittedSubtrees()) {
            permitted.add(t.getBase().toString());
        }
        assertTrue(permitted.contains(new GeneralName(GeneralName.dNSName, "localhost").toString()), permitted.toString());
        assertEquals(4, permitted.size(), "localhost, 127.0.0.0/8, ::1 and the client-identity subtree: " + permitted);

        // What honours a root's constraints (OpenSSL, browsers): the server and client certificates
        // verify, a certificate for another host does not.
        Path dir = home.resolve("nc");
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.writeString(dir.resolve("ca.pem"), LocalCa.pem(ca));
        java.nio.file.Files.writeString(dir.resolve("server.pem"), LocalCa.pem(server.serverCertificate()));
        java.nio.file.Files.writeString(dir.resolve("client.pem"),
                LocalCa.pem(server.ca().issueClient("ci-deploy", java.time.Instant.now()).certificate()));
        java.nio.file.Files.writeString(dir.resolve("evil.pem"), LocalCa.pem(server.ca()
                .issueServerFor(List.of("www.example.com"), java.time.Instant.now()).certificate()));
        assertTrue(openssl(dir, "server.pem").contains("server.pem: OK"));
        assertTrue(openssl(dir, "client.pem").contains("client.pem: OK"));
        String evil = openssl(dir, "evil.pem");
        assertTrue(evil.contains("permitted subtree violation"), evil);

    }

    @Test
    void aCaStoredWithoutConstraintsGetsThemOnStartForTheSameKey() throws Exception {
        try (TestVaults.Opened old = TestVaults.initialised(home.resolve("old-ca"))) {
            // A CA as Keyward stored it before name constraints: same blob format, no constraint extension.
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
            g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            java.security.KeyPair kp = g.generateKeyPair();
            org.bouncycastle.asn1.x500.X500Name name = new org.bouncycastle.asn1.x500.X500Name("CN=Keyward local CA old");
            java.time.Instant now = java.time.Instant.now();
            var b = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.TEN,
                    java.util.Date.from(now.minusSeconds(60)), java.util.Date.from(now.plus(Duration.ofDays(3650))), name,
                    kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new org.bouncycastle.asn1.x509.BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new org.bouncycastle.asn1.x509.KeyUsage(
                    org.bouncycastle.asn1.x509.KeyUsage.keyCertSign));
            X509Certificate oldCert = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
                    b.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                            .build(kp.getPrivate())));
            byte[] c = oldCert.getEncoded();
            byte[] k = kp.getPrivate().getEncoded();
            old.engine().sealedBlobs().put(LocalCa.BLOB, java.nio.ByteBuffer.allocate(4 + c.length + k.length)
                    .putInt(c.length).put(c).put(k).array());

            Path pem = home.resolve("old-ca/tls/ca.pem");
            String first;
            try (KeywardServer s = KeywardServer.start(old.engine(), ServerConfig.ephemeral().withTlsNames(
                    List.of("vault.internal")), Clock.systemUTC(), pem)) {
                X509Certificate migrated = s.ca().certificate();
                first = LocalCa.pem(migrated);
                assertNotNull(migrated.getExtensionValue(Extension.nameConstraints.getId()));
                assertEquals(oldCert.getPublicKey(), migrated.getPublicKey(), "the same key");
                assertEquals(oldCert.getSubjectX500Principal(), migrated.getSubjectX500Principal());
                s.serverCertificate().verify(oldCert.getPublicKey()); // still chains to the old ca.pem
                assertTrue(s.serverCertificate().getSubjectAlternativeNames().toString().contains("vault.internal"));
                assertEquals(LocalCa.pem(migrated), java.nio.file.Files.readString(pem), "the new ca.pem is written");
                Https h = new Https(pem, s.urls().get(0));
                assertEquals(200, h.get("/v1/sys/health", null).status());
            }
            // Stored: the next start finds the constraints and keeps that certificate.
            try (KeywardServer s = KeywardServer.start(old.engine(), ServerConfig.ephemeral().withTlsNames(
                    List.of("vault.internal")), Clock.systemUTC(), pem)) {
                assertEquals(first, LocalCa.pem(s.ca().certificate()), "not migrated twice");
            }
        }
    }

    static String openssl(Path dir, String cert) throws Exception {
        Process p = new ProcessBuilder("openssl", "verify", "-purpose", "any", "-CAfile", "ca.pem", cert)
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
