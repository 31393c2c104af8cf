package dev.keyward.vault.remote;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.KeywardException;
import dev.keyward.vault.api.ServiceUnavailableException;
import dev.keyward.vault.api.Vault;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * A {@link Vault} whose services run in {@code keyward serve}: each {@code api} call is one
 * {@code POST /v1/kw/api/<service>/<method>} over HTTPS to loopback, trusting only the vault's CA.
 * The server runs the same service behind the same guarded door, so authentication, policy,
 * sessions, auto-seal and audit are the service's; the caller's token goes in {@code X-Vault-Token}.
 * Failures come back as the same {@code api} exceptions; a service that cannot be reached is a
 * {@link ServiceUnavailableException}. Closing it drops the connection and leaves the service (and
 * its vault) running.
 *
 * <p>{@link AuditProgress} callbacks are not streamed: the client reports an unknown total while the
 * call runs and the final count when it returns. A backup with a progress consumer runs as a job on
 * the service whose progress the client polls ({@link RemoteBackupJob}).
 */
public final class RemoteVault implements InvocationHandler {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    static final Duration LONG_CALL_TIMEOUT = Duration.ofMinutes(30);

    private final URI base;
    private final Path caPem;
    private final HttpClient http;
    private final Map<Class<?>, Object> services = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private RemoteVault(URI base, Path caPem) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        if (!"https".equals(this.base.getScheme())) {
            throw new InvalidRequestException("A vault service address starts with https://, e.g. https://127.0.0.1:8210.");
        }
        this.caPem = caPem;
        this.http = HttpClient.newBuilder().sslContext(PinnedTls.context(caPem, null)).connectTimeout(CONNECT_TIMEOUT)
                .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** A vault whose calls go to the service at {@code base}, trusting only the certificates in {@code caPem}. */
    public static Vault connect(URI base, Path caPem) {
        RemoteVault handler = new RemoteVault(base, caPem);
        return (Vault) Proxy.newProxyInstance(Vault.class.getClassLoader(), new Class<?>[] {Vault.class}, handler);
    }

    /** The {@link Vault} itself: its accessors hand out one proxy per allow-listed service. */
    @Override
    public Object invoke(Object proxy, Method m, Object[] args) {
        if (m.getDeclaringClass() == Object.class) {
            return objectMethod(proxy, m, args, "RemoteVault[" + base + "]");
        }
        if (m.getName().equals("close") && m.getParameterCount() == 0) {
            closed = true;
            return null;
        }
        Class<?> type = m.getReturnType();
        RemoteServices.Service<?> s = RemoteServices.byType(type).orElseThrow(() -> new InvalidRequestException(
                "Vault." + m.getName() + "() is not available to a client attached over HTTPS."));
        return services.computeIfAbsent(type, t -> Proxy.newProxyInstance(t.getClassLoader(), new Class<?>[] {t},
                (p, sm, sargs) -> {
                    if (sm.getDeclaringClass() == Object.class) {
                        return objectMethod(p, sm, sargs, "remote " + t.getSimpleName());
                    }
                    if (sm.isDefault() && s.call(sm.getName()).map(c -> !c.method().equals(sm)).orElse(false)) {
                        // a convenience overload of an allowed call: runs here and makes that call
                        return InvocationHandler.invokeDefault(p, sm, sargs);
                    }
                    return call(s, sm, sargs == null ? new Object[0] : sargs);
                }));
    }

    private static Object objectMethod(Object proxy, Method m, Object[] args, String text) {
        return switch (m.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> text;
        };
    }

    private Object call(RemoteServices.Service<?> s, Method m, Object[] args) throws IOException {
        if (closed) {
            throw new ServiceUnavailableException("The connection to the vault service was closed.");
        }
        RemoteServices.Call call = s.call(m.getName()).orElseThrow(() -> new InvalidRequestException(
                s.type().getSimpleName() + "." + m.getName() + " is not available to a client attached over HTTPS."));
        if (s.type() == dev.keyward.vault.api.BackupService.class && m.getName().equals("backup") && args.length == 4
                && args[3] != null && args[3] != dev.keyward.vault.api.BackupProgress.NONE) {
            return backupJob(args);
        }
        String token = null;
        String justification = null;
        String approvalId = null;
        AuditProgress progress = null;
        WipeableBuffer out = new WipeableBuffer();
        // Streamed, so that a passphrase (char[]) or unseal credential goes from its array to the
        // bytes without becoming a String; the bytes are wiped once sent.
        try (JsonGenerator g = Wire.JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("args");
            for (int i = 0; i < args.length; i++) {
                switch (call.roles().get(i)) {
                    case CALLER -> {
                        Caller c = (Caller) args[i];
                        token = c.token();
                        justification = c.justification();
                        approvalId = c.approvalId();
                    }
                    case PROGRESS -> {
                        if (args[i] instanceof AuditProgress a) {
                            progress = a;
                        }
                        // a backup's progress consumer here is BackupProgress.NONE (else: backupJob)
                    }
                    case SOURCE -> {
                        // the service takes the connection's address
                    }
                    case VALUE -> Wire.JSON.writeValue(g, args[i]);
                }
            }
            g.writeEndArray();
            g.writeObjectFieldStart("context");
            g.writeStringField("justification", justification);
            g.writeStringField("approvalId", approvalId);
            g.writeEndObject();
            g.writeEndObject();
        }
        byte[] bytes = out.toByteArray();
        out.wipe();
        if (progress != null) {
            progress.progress(0, -1);
        }
        HttpResponse<byte[]> reply;
        try {
            reply = send(s.name() + "/" + m.getName(), token, bytes,
                    call.reportsProgress() ? LONG_CALL_TIMEOUT : CALL_TIMEOUT);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        int status = reply.statusCode();
        if (status == 204) {
            return null;
        }
        if (status == 200) {
            JsonNode result = Wire.JSON.readTree(reply.body()).get("result");
            JavaType type = Wire.JSON.getTypeFactory().constructType(m.getGenericReturnType());
            return result == null || result.isNull() ? null : Wire.JSON.readerFor(type).readValue(result);
        }
        throw failure(status, reply.body());
    }

    /** A backup whose progress the caller follows: a job on the service, polled (see {@link RemoteBackupJob}). */
    private Object backupJob(Object[] args) throws IOException {
        Caller c = (Caller) args[0];
        char[] pass = (char[]) args[2];
        try {
            @SuppressWarnings("unchecked")
            var progress = (java.util.function.Consumer<dev.keyward.vault.api.BackupProgress>) args[3];
            return RemoteBackupJob.run((method, path, token, body) -> exchange(method, path, token, c.justification(),
                    c.approvalId(), body, CALL_TIMEOUT), c.token(), (Path) args[1], pass, progress);
        } finally {
            if (pass != null) {
                Arrays.fill(pass, '\0');
            }
        }
    }

    /** A byte buffer whose content can be zeroed (ByteArrayOutputStream keeps its array otherwise). */
    static final class WipeableBuffer extends java.io.ByteArrayOutputStream {
        void wipe() {
            Arrays.fill(buf, (byte) 0);
            count = 0;
        }
    }

    static KeywardException failure(int status, byte[] body) {
        try {
            return Wire.JSON.readValue(body, WireError.class).exception(status);
        } catch (IOException | RuntimeException e) {
            return WireError.byStatus(status, "The vault service answered " + status + ".");
        }
    }

    private HttpResponse<byte[]> send(String route, String token, byte[] body, Duration timeout) {
        return exchange("POST", "/v1/kw/api/" + route, token, null, null, body, timeout);
    }

    /** One HTTPS exchange with the service; a service that cannot be reached is a {@link ServiceUnavailableException}. */
    private HttpResponse<byte[]> exchange(String method, String path, String token, String justification,
                                          String approvalId, byte[] body, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .header("Content-Type", "application/json").method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("X-Vault-Token", token);
        }
        if (justification != null) {
            b.header("X-Keyward-Justification", justification);
        }
        if (approvalId != null) {
            b.header("X-Keyward-Approval", approvalId);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new ServiceUnavailableException("No vault service answers at " + base + ".");
        } catch (SSLHandshakeException e) {
            throw new ServiceUnavailableException("The service at " + base + " is not the vault whose CA is "
                    + caPem + ": the TLS handshake failed.");
        } catch (HttpTimeoutException e) {
            throw new ServiceUnavailableException("The vault service at " + base + " did not answer in time.");
        } catch (SSLException e) {
            throw new ServiceUnavailableException("The TLS connection to " + base + " failed.");
        } catch (IOException e) {
            throw new ServiceUnavailableException("The connection to the vault service at " + base + " broke ("
                    + e.getClass().getSimpleName() + "); a change sent just before may or may not have been made.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceUnavailableException("The call to the vault service was interrupted.");
        }
    }
}
