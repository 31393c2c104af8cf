package dev.keyward.vault.api;

import java.util.Objects;

/**
 * What a test connection to a PKCS#11 token found: the library loaded, the token answered and
 * accepted the PIN. Nothing is created on the token by the test.
 *
 * @param token            the library and slot that answered
 * @param keyExists        an AES key with the spec's label is already on the token (init would use it)
 * @param signingKeyExists the signing key ({@code keyLabel + "-sign"}) is already on the token
 */
public record HsmProbe(String token, boolean keyExists, boolean signingKeyExists) {
    public HsmProbe {
        Objects.requireNonNull(token, "token");
    }
}
