package dev.keyward.vault.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * The HSM seal: the root key is a non-extractable AES-256 key on a PKCS#11 token, and a
 * non-extractable EC P-256 key on the same token signs audit tree heads. The token is chosen
 * by its label (and serial number), or else by its slot id, or else by its index in the
 * library's slot list; seal.json records the token's label and serial, found among the
 * library's slots at every unseal, so adding or removing other tokens does not matter. The user PIN logs in once at
 * init; it is never stored (it is asked at every unseal). {@link #close()} wipes it.
 *
 * @see #keyLabel() the label of the AES key; an existing key with this label is used, else one is generated
 */
public final class Pkcs11SealSpec implements SealSpec, AutoCloseable {
    public static final String TYPE = "pkcs11";
    public static final String DEFAULT_KEY_LABEL = "keyward-root";
    /** The label of the audit signing key that goes with the default root key label. */
    public static final String DEFAULT_SIGNING_KEY_LABEL = "keyward-audit-signing";

    private final Path library;
    private final Long slot;
    private final int slotListIndex;
    private final String keyLabel;
    private final String tokenLabel;
    private final String tokenSerial;
    private final char[] pin;

    /**
     * @param library       the PKCS#11 module (.so / .dll / .dylib), an existing absolute path
     * @param slot          the token's slot id, or null to select by {@code slotListIndex}
     * @param slotListIndex the index in the library's slot list (used when {@code slot} is null)
     * @param keyLabel      the AES key's label on the token; the signing key's is {@link #signingKeyLabel()}
     * @param pin           the token's user PIN
     */
    public Pkcs11SealSpec(Path library, Long slot, int slotListIndex, String keyLabel, char[] pin) {
        this(library, slot, slotListIndex, null, null, keyLabel, pin);
    }

    /**
     * @param tokenLabel  the token's label (CKA_LABEL of the token), or null to choose by slot
     * @param tokenSerial the token's serial number, or null (needed only when two tokens share a label)
     */
    public Pkcs11SealSpec(Path library, Long slot, int slotListIndex, String tokenLabel, String tokenSerial,
                          String keyLabel, char[] pin) {
        Objects.requireNonNull(library, "library");
        checkToken(tokenLabel, tokenSerial);
        if (!library.isAbsolute() || !Files.isRegularFile(library)) {
            throw new InvalidRequestException("The PKCS#11 library must be an existing file given by its absolute "
                    + "path, e.g. /usr/lib/softhsm/libsofthsm2.so.");
        }
        checkConfigSafe(library.toString(), "library path");
        if (slot != null && slot < 0) {
            throw new InvalidRequestException("A PKCS#11 slot id is not negative.");
        }
        if (slotListIndex < 0) {
            throw new InvalidRequestException("A PKCS#11 slot list index is not negative.");
        }
        Objects.requireNonNull(keyLabel, "keyLabel");
        if (keyLabel.isEmpty() || keyLabel.length() > 64 || !keyLabel.matches("[A-Za-z0-9._-]+")) {
            throw new InvalidRequestException("A key label has 1 to 64 letters, digits, '.', '_' or '-'.");
        }
        Objects.requireNonNull(pin, "pin");
        if (pin.length < 4) {
            throw new InvalidRequestException("The HSM user PIN has at least 4 characters.");
        }
        this.library = library;
        this.slot = slot;
        this.slotListIndex = slotListIndex;
        this.keyLabel = keyLabel;
        this.tokenLabel = tokenLabel;
        this.tokenSerial = tokenSerial;
        this.pin = pin.clone();
    }

    /** A token label has 1 to 32 printable characters, a serial 1 to 16; a serial needs a label. */
    public static void checkToken(String tokenLabel, String tokenSerial) {
        if (tokenLabel != null && (tokenLabel.isBlank() || tokenLabel.length() > 32
                || !tokenLabel.chars().allMatch(c -> c >= 0x20 && c < 0x7f))) {
            throw new InvalidRequestException("A PKCS#11 token label has 1 to 32 printable characters.");
        }
        if (tokenSerial != null && (tokenLabel == null || tokenSerial.isBlank() || tokenSerial.length() > 16
                || !tokenSerial.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            throw new InvalidRequestException("A PKCS#11 token serial number has 1 to 16 printable characters and goes"
                    + " with a token label.");
        }
    }

    static void checkConfigSafe(String value, String what) {
        for (char c : value.toCharArray()) {
            if (c < 0x20 || c == '"' || c == '{' || c == '}' || c == '\\') {
                throw new InvalidRequestException("The " + what + " contains a character that is not allowed.");
            }
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    public Path library() {
        return library;
    }

    /** The slot id, or null when the token is chosen by slot list index. */
    public Long slot() {
        return slot;
    }

    public int slotListIndex() {
        return slotListIndex;
    }

    public String keyLabel() {
        return keyLabel;
    }

    /** The label of the EC key that signs audit tree heads, as the token lists it. */
    public String signingKeyLabel() {
        return DEFAULT_KEY_LABEL.equals(keyLabel) ? DEFAULT_SIGNING_KEY_LABEL : keyLabel + "-audit-signing";
    }

    /** The token's label, or null when the token is chosen by slot. */
    public String tokenLabel() {
        return tokenLabel;
    }

    /** The token's serial number, or null. */
    public String tokenSerial() {
        return tokenSerial;
    }

    /** The PIN (the caller must not keep or alter the array). */
    public char[] pin() {
        return pin;
    }

    /** The same token and PIN with another key label (to rotate the root key to a new HSM key). */
    public Pkcs11SealSpec withKeyLabel(String label) {
        return new Pkcs11SealSpec(library, slot, slotListIndex, tokenLabel, tokenSerial, label, pin);
    }

    @Override
    public void close() {
        Arrays.fill(pin, '\0');
    }

    @Override
    public String toString() {
        return "Pkcs11SealSpec[library=" + library + ", token=" + (tokenLabel != null ? tokenLabel
                + (tokenSerial == null ? "" : "/" + tokenSerial) : slot == null ? "index " + slotListIndex : slot)
                + ", keyLabel=" + keyLabel + ", pin=***]";
    }
}
