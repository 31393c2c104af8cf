package dev.keyward.vault.api;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a vault's service ({@code keyward serve}) should be listening, and the CA certificate that
 * a client pins to reach it. Found from the vault directory's files; whether the service runs is
 * known only by connecting ({@code dev.keyward.vault.Keyward.attach}).
 *
 * @param address       the HTTPS base URL, e.g. {@code https://127.0.0.1:8210}
 * @param caCertificate the vault's CA certificate (PEM), e.g. {@code $KEYWARD_HOME/tls/ca.pem}
 * @param source        where the address came from, as a few words for people
 */
public record ServiceLocation(URI address, Path caCertificate, String source) {
    public ServiceLocation {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(caCertificate, "caCertificate");
        source = source == null ? "" : source;
    }
}
