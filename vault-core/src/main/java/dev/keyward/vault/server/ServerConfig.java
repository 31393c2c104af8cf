package dev.keyward.vault.server;

import dev.keyward.vault.api.InvalidRequestException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the local endpoint listens and defends itself. The defaults are the safe ones: loopback
 * only, TLS always, limits on.
 *
 * @param addresses        addresses to bind (default 127.0.0.1 and ::1); must be loopback unless
 *                         {@code allowNonLoopback}
 * @param port             TCP port (default 8210; 0 picks a free one)
 * @param mutualTls        ask clients for a certificate issued by the vault's CA (cert login)
 * @param maxBodyBytes     largest request body accepted (413 beyond)
 * @param maxHeaderBytes   largest request head accepted (431 beyond)
 * @param idleTimeout      a connection that sends nothing for this long is closed
 * @param requestTimeout   a request body that has not fully arrived after this long is refused (408)
 * @param perSourceRate    requests per second per source address (0 = unlimited)
 * @param perIdentityRate  requests per second per token (0 = unlimited)
 * @param requestTimeout   also the deadline for a request's head (and a TLS handshake) to arrive: a
 *                         client sending a byte now and then is cut off then, whatever the idle timeout
 * @param allowNonLoopback explicitly allow binding a non-loopback address
 * @param tlsNames         host names or IP addresses (beyond localhost, 127.0.0.1 and ::1) the server
 *                         certificate names and the local CA may vouch for
 */
public record ServerConfig(List<InetAddress> addresses, int port, boolean mutualTls, int maxBodyBytes,
                           int maxHeaderBytes, Duration idleTimeout, Duration requestTimeout, double perSourceRate,
                           double perIdentityRate, boolean allowNonLoopback, List<String> tlsNames) {
    public static final int DEFAULT_PORT = 8210;

    public ServerConfig(List<InetAddress> addresses, int port, boolean mutualTls, int maxBodyBytes,
                        int maxHeaderBytes, Duration idleTimeout, Duration requestTimeout, double perSourceRate,
                        double perIdentityRate, boolean allowNonLoopback) {
        this(addresses, port, mutualTls, maxBodyBytes, maxHeaderBytes, idleTimeout, requestTimeout, perSourceRate,
                perIdentityRate, allowNonLoopback, List.of());
    }

    public ServerConfig {
        tlsNames = tlsNames == null ? List.of() : List.copyOf(tlsNames);
        tlsNames.forEach(LocalCa::name); // refuses what is neither a host name nor an IP address
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new InvalidRequestException("The endpoint needs at least one address to listen on.");
        }
        if (!allowNonLoopback) {
            for (InetAddress a : addresses) {
                if (!a.isLoopbackAddress()) {
                    throw new InvalidRequestException("The endpoint listens on loopback addresses only; "
                            + a.getHostAddress() + " is not one (set allow_non_loopback to override).");
                }
            }
        }
        if (port < 0 || port > 65535) {
            throw new InvalidRequestException("A port is between 0 and 65535.");
        }
        if (maxBodyBytes < 1024 || maxHeaderBytes < 1024) {
            throw new InvalidRequestException("Body and header limits are at least 1 KiB.");
        }
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (perSourceRate < 0 || perIdentityRate < 0) {
            throw new InvalidRequestException("Rate limits must not be negative.");
        }
    }

    public static ServerConfig defaults() {
        return new ServerConfig(List.of(InetAddress.getLoopbackAddress(), ipv6Loopback()), DEFAULT_PORT, true,
                1024 * 1024, 16 * 1024, Duration.ofSeconds(30), Duration.ofSeconds(10), 2000, 1000, false);
    }

    /** 127.0.0.1 only, on a free port: for tests. */
    public static ServerConfig ephemeral() {
        return defaults().withAddresses(List.of(InetAddress.getLoopbackAddress())).withPort(0);
    }

    public ServerConfig withAddresses(List<InetAddress> a) {
        return new ServerConfig(a, port, mutualTls, maxBodyBytes, maxHeaderBytes, idleTimeout, requestTimeout,
                perSourceRate, perIdentityRate, allowNonLoopback, tlsNames);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(addresses, p, mutualTls, maxBodyBytes, maxHeaderBytes, idleTimeout, requestTimeout,
                perSourceRate, perIdentityRate, allowNonLoopback, tlsNames);
    }

    public ServerConfig withRateLimits(double perSource, double perIdentity) {
        return new ServerConfig(addresses, port, mutualTls, maxBodyBytes, maxHeaderBytes, idleTimeout, requestTimeout,
                perSource, perIdentity, allowNonLoopback, tlsNames);
    }

    public ServerConfig withTimeouts(Duration idle, Duration request) {
        return new ServerConfig(addresses, port, mutualTls, maxBodyBytes, maxHeaderBytes, idle, request,
                perSourceRate, perIdentityRate, allowNonLoopback, tlsNames);
    }

    public ServerConfig withMutualTls(boolean on) {
        return new ServerConfig(addresses, port, on, maxBodyBytes, maxHeaderBytes, idleTimeout, requestTimeout,
                perSourceRate, perIdentityRate, allowNonLoopback, tlsNames);
    }

    public ServerConfig withTlsNames(List<String> names) {
        return new ServerConfig(addresses, port, mutualTls, maxBodyBytes, maxHeaderBytes, idleTimeout, requestTimeout,
                perSourceRate, perIdentityRate, allowNonLoopback, names);
    }

    static InetAddress ipv6Loopback() {
        try {
            return InetAddress.getByName("::1");
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("::1 could not be resolved", e);
        }
    }
}
