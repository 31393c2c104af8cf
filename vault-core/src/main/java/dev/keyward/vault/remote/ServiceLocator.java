package dev.keyward.vault.remote;

import dev.keyward.vault.api.ServiceLocation;
import dev.keyward.vault.cli.CliConfig;
import dev.keyward.vault.cli.CliException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Finds where the service of a vault directory listens, from files only (no connection): the CA
 * certificate {@code keyward serve} writes to {@code <home>/tls/ca.pem} (or {@code KEYWARD_CA_CERT}),
 * and the address from {@code KEYWARD_ADDRESS}, {@code keyward.properties} ({@code address}, else
 * {@code port} on 127.0.0.1), else {@code https://127.0.0.1:8210}. A directory whose service never
 * ran has no CA certificate, and no location.
 */
public final class ServiceLocator {
    private ServiceLocator() {
    }

    public static Optional<ServiceLocation> locate(Path home, Map<String, String> env) {
        String ca = env.get("KEYWARD_CA_CERT");
        Path caPem = ca != null && !ca.isBlank() ? Path.of(ca) : home.resolve("tls").resolve("ca.pem");
        if (!Files.isReadable(caPem)) {
            return Optional.empty();
        }
        String address;
        String source;
        try {
            CliConfig cfg = CliConfig.load(home, env);
            address = cfg.address();
            source = env.get("KEYWARD_ADDRESS") != null ? "KEYWARD_ADDRESS"
                    : Files.isRegularFile(home.resolve(CliConfig.FILE)) ? CliConfig.FILE : "the default address";
        } catch (CliException e) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(address);
            if (!"https".equals(uri.getScheme()) || uri.getHost() == null) {
                return Optional.empty();
            }
            return Optional.of(new ServiceLocation(uri, caPem, source));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
