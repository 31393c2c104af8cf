package dev.keyward.vault.api;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where an HSM-sealed vault's keys are, as its seal configuration names them (never the PIN,
 * which is not stored).
 *
 * @param library         the PKCS#11 module
 * @param slot            the token's slot id, or null when chosen by {@code slotListIndex}
 * @param slotListIndex   the index in the library's slot list (when {@code slot} is null)
 * @param keyLabel        the root key's label on the token
 * @param signingKeyLabel the audit signing key's label on the token
 * @param tokenLabel      the token's label, or null for a vault that names its token by slot only
 * @param tokenSerial     the token's serial number, or null
 */
public record Pkcs11SealInfo(Path library, Long slot, int slotListIndex, String keyLabel, String signingKeyLabel,
                             String tokenLabel, String tokenSerial) {
    public Pkcs11SealInfo(Path library, Long slot, int slotListIndex, String keyLabel, String signingKeyLabel) {
        this(library, slot, slotListIndex, keyLabel, signingKeyLabel, null, null);
    }

    public Pkcs11SealInfo {
        Objects.requireNonNull(library, "library");
        Objects.requireNonNull(keyLabel, "keyLabel");
        Objects.requireNonNull(signingKeyLabel, "signingKeyLabel");
    }
}
