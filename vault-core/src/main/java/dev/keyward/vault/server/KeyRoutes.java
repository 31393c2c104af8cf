package dev.keyward.vault.server;

import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InitResult;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.Pkcs11SealSpec;
import dev.keyward.vault.api.SealSpec;
import dev.keyward.vault.api.ShamirSealSpec;
import dev.keyward.vault.api.Vault;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * The seal-changing key routes under {@code /v1/kw/}: {@code key/rotate-root}, {@code seal/migrate}
 * and {@code seal/rekey}. Each goes through the guarded door (admin only), asks the approval gate
 * (grant in {@code approval_id}) and is audited. Credentials in the body are wiped after use and
 * never echoed; new Shamir shares are in the answer once.
 */
final class KeyRoutes {
    private final Vault vault;

    KeyRoutes(Vault vault) {
        this.vault = vault;
    }

    /** {@code credential}: the passphrase or PIN the current seal needs for a new root key. */
    record RotateRootBody(String credential, String keyLabel, String approvalId) {
        @Override
        public String toString() {
            return "RotateRootBody[credential=***, keyLabel=" + keyLabel + "]";
        }
    }

    /**
     * {@code to}: hsm, passphrase or shamir. HSM: library, token_label (and token_serial) or slot /
     * slot_index, key_label, pin. Passphrase: passphrase. Shamir: shares, threshold.
     */
    record MigrateBody(String to, String passphrase, String library, String tokenLabel, String tokenSerial, Long slot,
                       Integer slotIndex, String keyLabel, String pin, Integer shares, Integer threshold,
                       String approvalId) {
        @Override
        public String toString() {
            return "MigrateBody[to=" + to + ", passphrase=***, pin=***]";
        }
    }

    record RekeyBody(Integer shares, Integer threshold, String approvalId) {
    }

    ApiResponse handle(ApiRequest r, String rest, Caller caller) {
        if (!(r.method().equals("POST") || r.method().equals("PUT"))) {
            throw VaultApi.methodNotAllowed();
        }
        return switch (rest) {
            case "key/rotate-root" -> {
                RotateRootBody b = VaultApi.body(r, RotateRootBody.class);
                char[] cred = b.credential() == null ? null : b.credential().toCharArray();
                try {
                    yield answer(vault.keys().rotateRootKeyInPlace(withApproval(caller, b.approvalId()), cred,
                            b.keyLabel()));
                } finally {
                    wipe(cred);
                }
            }
            case "seal/migrate" -> {
                MigrateBody b = VaultApi.body(r, MigrateBody.class);
                SealSpec spec = spec(b);
                try {
                    yield answer(vault.keys().migrateSeal(withApproval(caller, b.approvalId()), spec));
                } finally {
                    if (spec instanceof AutoCloseable c) {
                        try {
                            c.close();
                        } catch (Exception ignored) {
                            // close only wipes the spec's secret
                        }
                    }
                }
            }
            case "seal/rekey" -> {
                RekeyBody b = VaultApi.body(r, RekeyBody.class);
                if (b.shares() == null || b.threshold() == null) {
                    throw new InvalidRequestException("shares and threshold are required.");
                }
                yield answer(vault.keys().rekeyShares(withApproval(caller, b.approvalId()), b.shares(),
                        b.threshold()));
            }
            default -> throw VaultApi.unsupportedPath();
        };
    }

    private static SealSpec spec(MigrateBody b) {
        String to = b.to() == null ? "" : b.to().toLowerCase(Locale.ROOT);
        switch (to) {
            case "passphrase" -> {
                if (b.passphrase() == null || b.passphrase().isEmpty()) {
                    throw new InvalidRequestException("A passphrase seal needs 'passphrase'.");
                }
                char[] p = b.passphrase().toCharArray();
                try {
                    return new PassphraseSealSpec(p, Argon2Parameters.DEFAULT);
                } finally {
                    wipe(p);
                }
            }
            case "hsm", "pkcs11" -> {
                if (b.library() == null || b.pin() == null) {
                    throw new InvalidRequestException("An HSM seal needs 'library' (an absolute path on the vault host)"
                            + " and 'pin'.");
                }
                if (b.tokenLabel() != null && (b.slot() != null || b.slotIndex() != null)) {
                    throw new InvalidRequestException("Choose the token once: token_label, or slot / slot_index.");
                }
                char[] pin = b.pin().toCharArray();
                try {
                    return new Pkcs11SealSpec(Path.of(b.library()), b.slot(), b.slotIndex() == null ? 0 : b.slotIndex(),
                            b.tokenLabel(), b.tokenSerial(),
                            b.keyLabel() == null ? Pkcs11SealSpec.DEFAULT_KEY_LABEL : b.keyLabel(), pin);
                } finally {
                    wipe(pin);
                }
            }
            case "shamir" -> {
                if (b.shares() == null || b.threshold() == null) {
                    throw new InvalidRequestException("A Shamir seal needs 'shares' and 'threshold'.");
                }
                return new ShamirSealSpec(b.shares(), b.threshold());
            }
            default -> throw new InvalidRequestException("'to' is hsm, passphrase or shamir.");
        }
    }

    private static Caller withApproval(Caller c, String approvalId) {
        if (approvalId == null || approvalId.isBlank()) {
            return c;
        }
        if (approvalId.length() > 128 || !approvalId.matches("[A-Za-z0-9._:-]+")) {
            throw new InvalidRequestException("approval_id has 1 to 128 letters, digits, '.', '_', ':' or '-'.");
        }
        return new Caller(c.token(), c.authMethod(), c.sourceAddress(), c.justification(), approvalId);
    }

    private static ApiResponse answer(InitResult res) {
        Map<String, Object> d = KeywardRoutes.map();
        d.put("seal_type", res.sealType());
        if (!res.unsealShares().isEmpty()) {
            d.put("threshold", res.threshold());
            d.put("shares", res.unsealShares());
        }
        return ApiResponse.ok(VaultApi.envelope(d));
    }

    private static void wipe(char[] a) {
        if (a != null) {
            Arrays.fill(a, '\0');
        }
    }
}
