package dev.keyward.vault.server;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.CasMismatchException;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.RefusedRequest;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultAlreadyInitializedException;
import dev.keyward.vault.api.VaultInUseException;
import dev.keyward.vault.api.VaultNotInitializedException;
import dev.keyward.vault.api.VaultSealedException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local HTTPS endpoint: Jetty 12 on loopback, TLS 1.3 and TLS 1.2 (AEAD suites only) with a
 * server certificate from the vault's own CA, the Vault-compatible routes of {@link VaultApi},
 * size limits, timeouts, rate limits and JSON-only errors.
 *
 * <p>The server certificate's key exists only in this process's memory; the CA that signs it is
 * kept barrier-sealed in the vault, so the vault must be unsealed when the endpoint starts. It
 * keeps serving (503 for data calls) when the vault seals later, and reissues its certificate
 * before expiry whenever the vault is unsealed.
 */
public final class KeywardServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeywardServer.class);
    static final String CONTENT_TYPE = "application/json";
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
    private static final char[] STORE_PASSWORD = "in-memory".toCharArray();
    private static final Duration RENEW_BEFORE = Duration.ofDays(10);
    /** Key-exchange groups: elliptic curves, and finite-field groups of 3072 bits and more (not ffdhe2048). */
    static final String NAMED_GROUPS = "x25519,secp256r1,secp384r1,x448,secp521r1,ffdhe3072,ffdhe4096";

    static {
        useStrongGroups();
    }

    /**
     * Sets the JVM's TLS key-exchange groups (the JDK reads them once, before its first TLS use),
     * unless the operator set {@code jdk.tls.namedGroups}. {@code keyward} calls this first thing.
     */
    public static void useStrongGroups() {
        if (System.getProperty("jdk.tls.namedGroups") == null) {
            System.setProperty("jdk.tls.namedGroups", NAMED_GROUPS);
        }
    }

    private final Vault vault;
    private final ServerConfig config;
    private final Clock clock;
    private final Path caPemFile;
    private final VaultApi api;
    private final Vault tracked;
    private final ServiceTracker tracker = new ServiceTracker();
    private final RefusalAudit refusals;
    private final RateLimiter perSource;
    private final RateLimiter perIdentity;
    private final Server jetty;
    private final SslContextFactory.Server ssl;
    private final ScheduledExecutorService timer;
    private final Executor workers;
    private volatile LocalCa ca;
    private volatile LocalCa.Issued serverCert;
    private final HeadDeadline heads;

    private KeywardServer(Vault vault, ServerConfig config, Clock clock, Path caPemFile) {
        this.vault = vault;
        this.config = config;
        this.clock = clock;
        this.caPemFile = caPemFile;
        this.tracked = tracker.track(vault);
        this.api = new VaultApi(tracked, clock, () -> Optional.ofNullable(ca));
        this.refusals = new RefusalAudit(vault.audit());
        this.perSource = new RateLimiter(config.perSourceRate(), config.perSourceRate() * 2);
        this.perIdentity = new RateLimiter(config.perIdentityRate(), config.perIdentityRate() * 2);

        QueuedThreadPool pool = new QueuedThreadPool(64, 4);
        pool.setName("keyward-http");
        pool.setDaemon(true);
        this.workers = pool;
        this.jetty = new Server(pool);
        this.jetty.setErrorHandler(new JsonErrorHandler(refusals));
        this.ssl = new SslContextFactory.Server();
        this.heads = new HeadDeadline(config.requestTimeout());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keyward-endpoint-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the endpoint for an unsealed vault: loads (or creates) the local CA, writes its public
     * certificate to {@code caPemFile} and issues a fresh server certificate.
     */
    public static KeywardServer start(Vault vault, ServerConfig config, Clock clock, Path caPemFile) {
        KeywardServer s = new KeywardServer(vault, config, clock, caPemFile);
        try {
            s.startInternal();
        } catch (KeywardException e) {
            s.close();
            throw e;
        } catch (Exception e) {
            s.close();
            throw new ApiException(500, "The HTTPS endpoint could not start: " + e.getMessage());
        }
        return s;
    }

    private void startInternal() throws Exception {
        Instant now = clock.instant();
        ca = LocalCa.loadOrCreate(vault.sealedBlobs(), now, config.tlsNames());
        writeCaPem(ca, caPemFile);
        serverCert = ca.issueServer(now);

        ssl.setKeyStore(keyStore(serverCert));
        ssl.setKeyStorePassword(new String(STORE_PASSWORD));
        ssl.setKeyManagerPassword(new String(STORE_PASSWORD));
        ssl.setIncludeProtocols(PROTOCOLS.toArray(String[]::new));
        ssl.setExcludeProtocols("SSLv3", "TLSv1", "TLSv1.1");
        ssl.setIncludeCipherSuites(CIPHER_SUITES.toArray(String[]::new));
        ssl.setExcludeCipherSuites(); // the include list is exact; clear Jetty's default excludes
        ssl.setUseCipherSuitesOrder(true);
        ssl.setSniRequired(false);
        ssl.setRenegotiationAllowed(false);
        if (config.mutualTls()) {
            ssl.setWantClientAuth(true);
            ssl.setTrustStore(trustStore(ca.certificate()));
            ssl.setValidatePeerCerts(false); // chain checked against the vault CA by JSSE and again at login
        }

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(true);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(config.maxHeaderBytes());
        http.setResponseHeaderSize(16 * 1024);
        http.setIdleTimeout(config.idleTimeout().toMillis());
        http.setRelativeRedirectAllowed(false);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        secure.setSniRequired(false);
        secure.setStsMaxAge(-1);
        http.addCustomizer(secure);

        for (InetAddress a : config.addresses()) {
            ServerConnector c = new ServerConnector(jetty, 1, 1,
                    new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()), new HttpConnectionFactory(http));
            c.setHost(a.getHostAddress());
            c.setPort(config.port());
            c.setIdleTimeout(config.idleTimeout().toMillis());
            c.setAcceptQueueSize(256);
            c.addEventListener(heads);
            jetty.addConnector(c);
        }
        jetty.setHandler(new ApiHandler());
        jetty.setStopTimeout(2000);
        jetty.start();
        timer.scheduleWithFixedDelay(this::renewIfDue, 1, 1, TimeUnit.HOURS);
        timer.scheduleWithFixedDelay(this::flushRefusals, 1, 1, TimeUnit.SECONDS);
        timer.scheduleWithFixedDelay(heads::sweep, 250, 250, TimeUnit.MILLISECONDS);
        LOG.info("HTTPS endpoint listening on {}", urls());
    }

    /** The base URLs, e.g. {@code https://127.0.0.1:8210}. */
    public List<String> urls() {
        List<String> out = new ArrayList<>();
        for (var c : jetty.getConnectors()) {
            ServerConnector sc = (ServerConnector) c;
            String host = sc.getHost().contains(":") ? "[" + sc.getHost() + "]" : sc.getHost();
            out.add("https://" + host + ":" + sc.getLocalPort());
        }
        return out;
    }

    /** The port of the first connector. */
    public int port() {
        return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    }

    /** The vault's CA (for issuing client certificates to machine identities). */
    public LocalCa ca() {
        return ca;
    }

    /** The server certificate in use. */
    public X509Certificate serverCertificate() {
        return serverCert.certificate();
    }

    /** Reissues the server certificate if it expires within {@link #RENEW_BEFORE}. */
    public void renewIfDue() {
        try {
            Instant now = clock.instant();
            if (serverCert.notAfter().isAfter(now.plus(RENEW_BEFORE)) || vault.lifecycle().status().sealed()) {
                return;
            }
            LocalCa.Issued fresh = ca.issueServer(now);
            KeyStore ks = keyStore(fresh);
            ssl.reload(f -> f.setKeyStore(ks));
            serverCert = fresh;
            LOG.info("server certificate renewed; valid until {}", fresh.notAfter());
        } catch (Exception e) {
            LOG.warn("server certificate renewal failed: {}", e.getClass().getSimpleName());
        }
    }

    private void flushRefusals() {
        try {
            refusals.flush();
        } catch (RuntimeException e) {
            LOG.warn("writing counted refusals to the audit log failed: {}", e.getClass().getSimpleName());
        }
    }

    /** Writes the refusals counted so far (rate-limited, or refused while sealed) to the audit log now. */
    public void flushRefusalAudit() {
        refusals.flush();
    }

    static void writeCaPem(LocalCa ca, Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".ca", ".pem");
        Files.writeString(tmp, ca.certificatePem(), StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static KeyStore keyStore(LocalCa.Issued issued) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", issued.key(), STORE_PASSWORD, new Certificate[] {issued.certificate()});
        return ks;
    }

    private static KeyStore trustStore(X509Certificate caCert) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("keyward-ca", caCert);
        return ks;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        flushRefusals();
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("the HTTPS endpoint did not stop cleanly: {}", e.getClass().getSimpleName());
        }
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        jetty.join();
    }

    // ------------------------------------------------------------------ request handling

    private final class ApiHandler extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback original) {
            Callback callback = heads.begin(request.getConnectionMetaData().getConnection(), original);
            String method = request.getMethod().toUpperCase(java.util.Locale.ROOT);
            String source = Request.getRemoteAddr(request);
            long start = System.nanoTime();
            String path = decodedPath(request);
            Seen seen = new Seen(source, method, path, token(request));
            try {
                if (!perSource.tryAcquire("src:" + source, start)) {
                    throw new ApiException(429, "rate limit exceeded: slow down");
                }
                if (path == null || !path.startsWith("/v1/")) {
                    throw VaultApi.unsupportedPath();
                }
                long length = request.getLength();
                if (length > config.maxBodyBytes()) {
                    BodyDrain.thenAnswer(request, config.requestTimeout(), () -> refuse(seen, false, response,
                            callback, new ApiException(413, "The request body is larger than " + config.maxBodyBytes()
                                    + " bytes.")));
                    return true;
                }
                if (length == 0 || method.equals("GET") || method.equals("HEAD")) {
                    dispatch(request, response, callback, method, path, new byte[0], source);
                } else {
                    // Read the body without holding a thread; a slow sender runs into the request timeout.
                    CompletableFuture<byte[]> body = Content.Source.asByteArrayAsync(request, config.maxBodyBytes())
                            .orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
                    body.whenCompleteAsync((bytes, err) -> {
                        if (err != null) {
                            Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                                    ? err.getCause() : err;
                            if (cause instanceof TimeoutException) {
                                request.fail(cause);
                                refuse(seen, false, response, callback,
                                        new ApiException(408, "The request body did not arrive in time."));
                            } else if (cause instanceof IllegalArgumentException || cause instanceof IllegalStateException) {
                                // Jetty's accumulator refuses a body (also a chunked one) past the limit this way;
                                // the rest is drained first so that the client reads the answer.
                                BodyDrain.thenAnswer(request, config.requestTimeout(), () -> refuse(seen, false,
                                        response, callback, new ApiException(413, "The request body is larger than "
                                                + config.maxBodyBytes() + " bytes.")));
                            } else {
                                refuse(seen, false, response, callback,
                                        new ApiException(400, "The request body could not be read."));
                            }
                            return;
                        }
                        dispatch(request, response, callback, method, path, bytes, source);
                    }, workers);
                }
            } catch (RuntimeException e) {
                refuse(seen, false, response, callback, e);
            }
            return true;
        }
    }

    private static String decodedPath(Request request) {
        try {
            return request.getHttpURI().getDecodedPath();
        } catch (RuntimeException undecodable) {
            return null; // answered 404
        }
    }

    private void dispatch(Request request, Response response, Callback callback, String method, String path,
                          byte[] body, String source) {
        tracker.begin();
        String token = token(request);
        try {
            Map<String, String> query = query(request);
            if (method.equals("GET") && goTrue(query.get("list"))) {
                method = "LIST";
            }
            namespace(header(request, "X-Vault-Namespace"));
            if (token != null && !perIdentity.tryAcquire("tok:" + sha256(token), System.nanoTime())) {
                throw new ApiException(429, "rate limit exceeded: slow down");
            }
            X509Certificate[] peer = null;
            if (request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE) instanceof EndPoint.SslSessionData d) {
                peer = d.peerCertificates();
            }
            String rel = path.substring("/v1/".length());
            while (rel.startsWith("/")) {
                rel = rel.substring(1);
            }
            ApiRequest r = new ApiRequest(method, rel, query, body, token,
                    header(request, "X-Vault-Wrap-TTL"), header(request, "Content-Type"), source, peer,
                    header(request, "X-Keyward-Justification"), header(request, "X-Keyward-Approval"));
            ApiResponse out;
            if (rel.startsWith("sys/wrapping/")) {
                out = wrapping(r, rel.substring("sys/wrapping/".length()));
            } else {
                // A bad wrap TTL is refused before the call runs (not after a write it could not wrap).
                Duration wrapTtl = r.wrapTtl() == null ? null : wrapTtl(r.wrapTtl());
                if (wrapTtl != null && !wrappable(r)) {
                    throw new ApiException(400, "The answer to this request cannot be response-wrapped: "
                            + "send it without X-Vault-Wrap-TTL.");
                }
                out = api.handle(r);
                if (wrapTtl != null && out.status() == 200 && (out.body() instanceof Dto.Envelope e && e.wrapInfo() == null
                        || out.body() instanceof Map)) {
                    out = wrap(r, out, wrapTtl);
                }
            }
            send(response, callback, out.status(), out.body(), method.equals("HEAD"));
        } catch (RuntimeException e) {
            refuse(new Seen(source, method, path, token), tracker.reachedService(), response, callback, e);
        }
    }

    /** Go's strconv.ParseBool true values, as Vault reads {@code ?list=}; anything else is not a listing. */
    static boolean goTrue(String v) {
        return v != null && switch (v) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            default -> false;
        };
    }

    /** Keyward has one namespace, the root: any other is refused rather than served from the root mount. */
    static void namespace(String ns) {
        if (ns == null) {
            return;
        }
        String n = ns.trim();
        while (n.startsWith("/")) {
            n = n.substring(1);
        }
        while (n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        if (!n.isEmpty() && !n.equals("root")) {
            throw new ApiException(400, "Keyward has no namespaces: only the root namespace is served "
                    + "(send X-Vault-Namespace empty or 'root', or leave it out).");
        }
    }

    private static final java.util.Set<String> NOT_WRAPPABLE = java.util.Set.of("sys/health", "sys/seal-status",
            "sys/unseal", "sys/seal", "sys/rotate", "sys/wrapping/wrap", "sys/wrapping/unwrap", "sys/wrapping/rewrap",
            "auth/token/revoke-self", "auth/token/revoke", "auth/token/revoke-accessor");

    /**
     * Whether a request's answer can be response-wrapped. Answers without a body (deletes,
     * metadata and config writes, revocations), the bare health and seal answers and Keyward's own
     * routes cannot: such a request with a wrap TTL is refused before it runs.
     */
    static boolean wrappable(ApiRequest r) {
        String p = r.path();
        String m = r.method();
        if (m.equals("DELETE") || m.equals("HEAD") || NOT_WRAPPABLE.contains(p) || p.startsWith("kw/")) {
            return false;
        }
        if (p.startsWith("secret/delete/") || p.startsWith("secret/undelete/") || p.startsWith("secret/destroy/")) {
            return false;
        }
        return !((p.startsWith("secret/metadata/") || p.equals("secret/config")) && (m.equals("POST") || m.equals("PUT")));
    }

    /** What the audit of a refusal may know of a request: never its body or query values. */
    private record Seen(String source, String method, String path, String token) {
        @Override
        public String toString() {
            return "Seen[" + method + " " + path + " from " + source + "]";
        }
    }

    /**
     * Answers a refused request. A refusal that did not come from a service behind the guarded door
     * (which audits its own calls), or that came from a sealed vault (which cannot), is audited here
     * first; the answer is the refusal whether or not that entry could be written.
     */
    private void refuse(Seen seen, boolean reachedService, Response response, Callback callback, Throwable failure) {
        Throwable e = ServiceFailure.unwrap(failure);
        boolean sealed = e instanceof VaultSealedException || e instanceof VaultNotInitializedException;
        if (!reachedService || sealed) {
            try {
                RefusedRequest r = new RefusedRequest(seen.source(), seen.method(), seen.path(), status(e), reason(e),
                        seen.token(), 1);
                if (r.status() == 413) {
                    // Answered while the client may still be sending: counted, so the answer is not delayed.
                    refusals.count(r, 1);
                } else {
                    refusals.refused(r);
                }
            } catch (RuntimeException auditError) {
                LOG.warn("a refused request could not be audited: {}", auditError.getClass().getSimpleName());
            }
        }
        fail(response, callback, failure);
    }

    /** The fixed reason an audit entry gives for a refusal (a class of failure, never request content). */
    private static String reason(Throwable e) {
        if (e instanceof ApiException a) {
            return switch (a.status()) {
                case 400 -> "bad request";
                case 403 -> "permission denied";
                case 404 -> "unsupported path";
                case 405 -> "unsupported operation";
                case 408 -> "request timeout";
                case 413 -> "request body too large";
                case 415 -> "unsupported media type";
                case 429 -> "rate limit exceeded";
                default -> "refused";
            };
        }
        return e.getClass().getSimpleName();
    }

    private static Duration wrapTtl(String header) {
        Duration ttl = Durations.parse(header);
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(MAX_WRAP_TTL) > 0) {
            throw new ApiException(400, "A wrap TTL is between 1 s and 24 h.");
        }
        return ttl;
    }

    static final Duration MAX_WRAP_TTL = Duration.ofHours(24);

    /** Keeps the answer in the vault (barrier-sealed, single use) and answers with its wrapping token. */
    private ApiResponse wrap(ApiRequest r, ApiResponse out, Duration ttl) {
        byte[] bytes = json(out.body());
        try {
            Caller c = new Caller(r.token(), r.token() == null ? dev.keyward.vault.api.AuthMethod.NONE
                    : dev.keyward.vault.api.AuthMethod.TOKEN, r.source(), null, null);
            IdentityService.WrapInfo w = vault.identities().wrapResponse(c, bytes, ttl, r.path());
            return ApiResponse.ok(Dto.Envelope.wrapped(new Dto.WrapInfo(w.token(), w.accessor(), w.ttl().getSeconds(),
                    VaultApi.time(w.creationTime()), w.creationPath())));
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
    }

    static final Duration DEFAULT_WRAP_TTL = Duration.ofMinutes(5);

    /** sys/wrapping/{wrap,unwrap,lookup,rewrap}; each but wrap takes the wrapping token as its credential. */
    private ApiResponse wrapping(ApiRequest r, String op) {
        if (!r.method().equals("POST") && !r.method().equals("PUT")) {
            throw VaultApi.methodNotAllowed();
        }
        if (op.equals("wrap")) {
            // Wraps the caller's own JSON object: an authenticated call; the TTL is X-Vault-Wrap-TTL (default 5 m).
            Duration ttl = r.wrapTtl() == null ? DEFAULT_WRAP_TTL : wrapTtl(r.wrapTtl());
            JsonNode data = wrapData(r.body());
            tracked.auth().whoami(api.caller(r));
            return wrap(r, ApiResponse.ok(VaultApi.envelope(data)), ttl);
        }
        if (r.wrapTtl() != null) {
            throw new ApiException(400, "The answer to this request cannot be response-wrapped: "
                    + "send it without X-Vault-Wrap-TTL.");
        }
        Dto.UnwrapRequest u = VaultApi.body(r, Dto.UnwrapRequest.class);
        String token = u.token() != null && !u.token().isEmpty() ? u.token() : r.token();
        if (token == null) {
            throw new ApiException(403, "permission denied");
        }
        return switch (op) {
            case "unwrap" -> unwrap(r, token);
            case "lookup" -> {
                IdentityService.WrapInfo w = openedAs(() -> tracked.identities().lookupWrap(token, r.source()));
                Map<String, Object> d = new java.util.LinkedHashMap<>();
                d.put("creation_path", w.creationPath());
                d.put("creation_time", VaultApi.time(w.creationTime()));
                d.put("creation_ttl", w.ttl().getSeconds());
                yield ApiResponse.ok(VaultApi.envelope(d));
            }
            case "rewrap" -> {
                IdentityService.WrapInfo w = openedAs(() -> tracked.identities().rewrap(token, r.source()));
                yield ApiResponse.ok(Dto.Envelope.wrapped(new Dto.WrapInfo(w.token(), w.accessor(), w.ttl().getSeconds(),
                        VaultApi.time(w.creationTime()), w.creationPath())));
            }
            default -> throw VaultApi.unsupportedPath();
        };
    }

    private static JsonNode wrapData(byte[] body) {
        try {
            JsonNode n = body == null || body.length == 0 ? null : Dto.JSON.readTree(body);
            if (n == null || !n.isObject() || n.isEmpty()) {
                throw new InvalidRequestException("sys/wrapping/wrap takes a non-empty JSON object to wrap.");
            }
            return n;
        } catch (IOException e) {
            throw new InvalidRequestException("The request body is not valid JSON.");
        }
    }

    /** Vault's one answer for a wrapping token that is unknown, used, expired or not one. */
    private static <T> T openedAs(Supplier<T> call) {
        try {
            return call.get();
        } catch (AuthenticationFailedException | AccessDeniedException | NotFoundException e) {
            throw new InvalidRequestException("wrapping token is not valid or does not exist");
        }
    }

    private ApiResponse unwrap(ApiRequest r, String token) {
        try {
            IdentityService.Unwrapped opened = tracked.identities().unwrapAny(token, r.source());
            return opened.response() != null ? new ApiResponse(200, opened.response())
                    : ApiResponse.ok(VaultApi.envelope(VaultApi.secretId(opened.secretId())));
        } catch (AuthenticationFailedException | AccessDeniedException | NotFoundException e) {
            throw new InvalidRequestException("wrapping token is not valid or does not exist");
        }
    }

    private static Map<String, String> query(Request request) {
        Map<String, String> out = new TreeMap<>();
        Fields f = Request.extractQueryParameters(request);
        for (Fields.Field field : f) {
            out.putIfAbsent(field.getName(), field.getValue());
        }
        return out;
    }

    private static String token(Request request) {
        String t = header(request, "X-Vault-Token");
        if (t != null && !t.isEmpty()) {
            return t;
        }
        String a = header(request, "Authorization");
        if (a != null && a.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String b = a.substring(7).trim();
            return b.isEmpty() ? null : b;
        }
        return null;
    }

    private static String header(Request request, String name) {
        HttpField f = request.getHeaders().getField(name);
        return f == null ? null : f.getValue();
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] json(Object body) {
        if (body instanceof byte[] raw) {
            return raw;
        }
        try {
            return Dto.JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new ApiException(500, "The response could not be encoded.");
        }
    }

    static void send(Response response, Callback callback, int status, Object body, boolean head) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (body == null || status == 204) {
            response.write(true, null, callback);
            return;
        }
        byte[] bytes = json(body);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, head ? null : ByteBuffer.wrap(bytes), callback);
    }

    /** The status {@link #fail} answers a failure with. */
    static int status(Throwable e) {
        if (e instanceof ApiException a) {
            return a.status();
        } else if (e instanceof NotFoundException) {
            return 404;
        } else if (e instanceof VaultSealedException || e instanceof VaultNotInitializedException
                || e instanceof VaultInUseException) {
            return 503;
        } else if (e instanceof AccessDeniedException) {
            return 403;
        } else if (e instanceof AuthenticationFailedException af) {
            return af.retryAfter().isPresent() ? 429 : 400;
        } else if (e instanceof CasMismatchException || e instanceof InvalidRequestException
                || e instanceof VaultAlreadyInitializedException) {
            return 400;
        }
        return 500;
    }

    /** Maps a failure to its status and a JSON error; never a stack trace, never a secret. */
    static void fail(Response response, Callback callback, Throwable e) {
        if (e instanceof ServiceFailure f && !response.isCommitted()) {
            failService(response, callback, f);
            return;
        }
        int status;
        List<String> errors;
        if (e instanceof ApiException a) {
            status = a.status();
            errors = List.of(a.getMessage());
        } else if (e instanceof NotFoundException) {
            status = 404;
            errors = List.of();
        } else if (e instanceof VaultSealedException sealed) {
            status = 503;
            // Vault's own words, and why when the vault knows (e.g. "Vault is sealed: HSM unavailable").
            errors = List.of(sealed.reason() == null ? "Vault is sealed" : "Vault is sealed: " + sealed.reason());
        } else if (e instanceof VaultNotInitializedException) {
            status = 503;
            errors = List.of("Vault is not initialized");
        } else if (e instanceof dev.keyward.vault.api.ApprovalRequiredException ar) {
            // A gated call: 403 with the sentence naming the request that waits, and its id on its own.
            try {
                response.reset();
            } catch (IllegalStateException ignored) {
                // already committed
            }
            send(response, callback, 403, new Dto.ApprovalRequired(List.of(ar.getMessage()), ar.requestId()), false);
            return;
        } else if (e instanceof AccessDeniedException) {
            status = 403;
            errors = List.of(e instanceof dev.keyward.vault.api.ContainedException ? e.getMessage() : "permission denied");
        } else if (e instanceof AuthenticationFailedException af) {
            status = af.retryAfter().isPresent() ? 429 : 400;
            errors = List.of(e.getMessage());
            af.retryAfter().ifPresent(d -> response.getHeaders().put(HttpHeader.RETRY_AFTER, Math.max(1, d.toSeconds())));
        } else if (e instanceof CasMismatchException || e instanceof InvalidRequestException
                || e instanceof VaultAlreadyInitializedException) {
            status = 400;
            errors = List.of(e.getMessage());
        } else if (e instanceof VaultInUseException) {
            status = 503;
            errors = List.of(e.getMessage());
        } else if (e instanceof KeywardException) {
            status = 500;
            errors = List.of(e.getMessage());
            LOG.warn("request failed: {}", e.getClass().getSimpleName());
        } else {
            status = 500;
            errors = List.of("internal error");
            LOG.error("unexpected failure handling a request: {}", e.getClass().getName());
        }
        if (response.isCommitted()) {
            callback.failed(e);
            return;
        }
        try {
            response.reset();
        } catch (IllegalStateException ignored) {
            // already committed
        }
        send(response, callback, status, new Dto.Errors(errors), false);
    }

    /** A remote service call's failure: the status of {@link #fail}, and the body names the failure's type. */
    private static void failService(Response response, Callback callback, ServiceFailure f) {
        try {
            response.reset();
        } catch (IllegalStateException ignored) {
            // already committed
        }
        if (f.failure() instanceof AuthenticationFailedException af) {
            af.retryAfter().ifPresent(d -> response.getHeaders().put(HttpHeader.RETRY_AFTER, Math.max(1, d.toSeconds())));
        }
        send(response, callback, status(f.failure()), f.body(), false);
    }

    /**
     * Jetty's own errors (bad URI, header too large, ...) as JSON too. They are counted for the
     * audit log (written by the next flush) rather than written here.
     */
    private static final class JsonErrorHandler implements Request.Handler {
        private final RefusalAudit refusals;

        JsonErrorHandler(RefusalAudit refusals) {
            this.refusals = refusals;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus() >= 400 ? response.getStatus() : 400;
            try {
                String path;
                try {
                    path = request.getHttpURI().getPath();
                } catch (RuntimeException unparsable) {
                    path = null;
                }
                refusals.count(new RefusedRequest(Request.getRemoteAddr(request), request.getMethod(), path,
                        Math.min(599, status), "rejected by the HTTP parser", null, 1), 1);
            } catch (RuntimeException e) {
                LOG.warn("a rejected request could not be counted for the audit log: {}", e.getClass().getSimpleName());
            }
            String message = switch (status) {
                case 400 -> "bad request";
                case 404 -> "unsupported path";
                case 405 -> "unsupported operation";
                case 408 -> "request timeout";
                case 413 -> "request body too large";
                case 414 -> "URI too long";
                case 431 -> "request headers too large";
                default -> "request failed";
            };
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
            byte[] bytes = json(new Dto.Errors(List.of(message)));
            response.write(true, ByteBuffer.wrap(bytes), callback);
            return true;
        }
    }
}
