package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.ApprovalGate;
import dev.keyward.vault.api.ApprovalRequiredException;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.GatedOperation;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.engine.TestVaults;
import dev.keyward.vault.testing.SoftHsm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * keyward key rotate-root, keyward seal migrate --to hsm|passphrase|shamir and keyward operator
 * rekey over HTTPS (kw/key/rotate-root, kw/seal/migrate, kw/seal/rekey): through the door, audited,
 * asking the approval gate, with a real endpoint, a real vault and a real SoftHSM2 token.
 */
class SealChangeCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CANARY = "canary-passphrase-7f3a91";

    @TempDir
    Path dir;

    /** A gate that admits ROOT_KEY_ROTATION and SEAL_MIGRATION only with grant "grant-7", as the approvals service would. */
    static final class GrantGate implements ApprovalGate {
        final List<GatedOperation> asked = new CopyOnWriteArrayList<>();

        @Override
        public Optional<String> admit(dev.keyward.vault.api.Caller caller, GatedOperation op, String resource,
                                      String change) {
            asked.add(op);
            if (op != GatedOperation.ROOT_KEY_ROTATION && op != GatedOperation.SEAL_MIGRATION) {
                return Optional.empty();
            }
            if ("grant-7".equals(caller.approvalId())) {
                return Optional.of("grant-7");
            }
            throw new ApprovalRequiredException("This needs an approval: request req-41 waits for it.", "req-41");
        }
    }

    @Test
    void rotateRootMigrateAndRekeyAreGatedAuditedAndKeepTheData() throws Exception {
        Path secretFile = dir.resolve("pass.txt");
        Files.writeString(secretFile, CANARY + "\n");
        try (TestVaults.Opened v = TestVaults.initialised(dir.resolve("vault"));
             CliHarness h = new CliHarness(v, dir.resolve("vault"), dir.resolve("client"))) {
            GrantGate gate = new GrantGate();
            v.engine().setApprovalGate(gate);
            v.engine().secrets().write(v.caller(), "app/db", SecretData.of(Map.of("password", "s3cret")), null);
            String sealBefore = Files.readString(dir.resolve("vault/seal.json"));

            // Without a grant: refused with the request that waits, and audited as a failure.
            CliHarness.Result refused = h.cli("key", "rotate-root", "--passphrase-file", secretFile.toString());
            assertEquals(ExitCodes.DENIED, refused.code(), refused.toString());
            assertTrue(refused.err().contains("req-41"), refused.err());
            assertEquals(sealBefore, Files.readString(dir.resolve("vault/seal.json")), "nothing changed");

            CliHarness.Result rotated = h.cli("key", "rotate-root", "--passphrase-file", secretFile.toString(),
                    "--approval", "grant-7");
            assertEquals(0, rotated.code(), rotated.toString());
            assertTrue(rotated.out().contains("Rotated the root key (passphrase seal)"), rotated.out());
            assertNotEquals(sealBefore, Files.readString(dir.resolve("vault/seal.json")), "a new wrapped root key");
            assertTrue(gate.asked.contains(GatedOperation.ROOT_KEY_ROTATION));

            // Migrate to Shamir: the shares are printed once; then rekey them.
            CliHarness.Result toShamir = h.cli("-o", "json", "seal", "migrate", "--to", "shamir", "--shares", "3",
                    "--threshold", "2", "--approval", "grant-7");
            assertEquals(0, toShamir.code(), toShamir.toString());
            JsonNode m = JSON.readTree(toShamir.out());
            assertEquals("shamir", m.path("seal_type").asText());
            assertEquals(3, m.path("shares").size());
            assertTrue(gate.asked.contains(GatedOperation.SEAL_MIGRATION));

            CliHarness.Result noGrant = h.cli("operator", "rekey", "--shares", "4", "--threshold", "3");
            assertEquals(ExitCodes.DENIED, noGrant.code(), noGrant.toString());
            CliHarness.Result rekey = h.cli("operator", "rekey", "--shares", "4", "--threshold", "3",
                    "--approval", "grant-7");
            assertEquals(0, rekey.code(), rekey.toString());
            List<String> shares = new ArrayList<>();
            for (String line : rekey.out().split("\n")) {
                if (line.startsWith("share ")) {
                    shares.add(line.substring(line.indexOf(": ") + 2).trim());
                }
            }
            assertEquals(4, shares.size(), rekey.out());

            List<AuditRecord> audit = TestVaults.auditEntries(v.engine());
            assertTrue(audit.stream().anyMatch(a -> a.operation().equals("key.root.rotate")
                    && a.outcome().equalsIgnoreCase("failure") && "ApprovalRequiredException".equals(a.errorClass())),
                    "the refused rotation is audited: " + audit.stream().map(a -> a.operation() + "/" + a.outcome()
                            + "/" + a.errorClass()).toList());
            AuditRecord ok = audit.stream().filter(a -> a.operation().equals("key.root.rotate")
                    && a.outcome().equalsIgnoreCase("success")).findFirst().orElseThrow();
            assertEquals("grant-7", ok.details().get("grant"), ok.toString());
            assertEquals("grant-7", ok.approvalId());
            assertTrue(audit.stream().anyMatch(a -> a.operation().equals("seal.migrate") && a.outcome().equalsIgnoreCase("success")));
            assertTrue(audit.stream().anyMatch(a -> a.operation().equals("seal.rekey") && a.outcome().equalsIgnoreCase("success")));
            assertFalse(audit.toString().contains(CANARY), "no passphrase in the audit log");
            for (JsonNode share : m.path("shares")) {
                assertFalse(audit.toString().contains(share.asText()), "no share in the audit log");
            }

            // The old shares stop working; 3 of the new ones unseal and the data is there.
            v.engine().seal(v.caller());
            String oldShare = m.path("shares").get(0).asText();
            assertThrows(RuntimeException.class, () -> {
                v.engine().unseal(UnsealCredential.share(oldShare.toCharArray()), "test");
                v.engine().unseal(UnsealCredential.share(m.path("shares").get(1).asText().toCharArray()), "test");
            });
            v.engine().resetUnseal("test");
            for (int i = 0; i < 3; i++) {
                v.engine().unseal(UnsealCredential.share(shares.get(i).toCharArray()), "test");
            }
            assertFalse(v.engine().status().sealed());
            var s = TestVaults.login(v.engine());
            assertEquals("s3cret", v.engine().secrets().read(s.caller(), "app/db", 0).data().field("password"));
        }
    }

    @Test
    void aCallerThePolicyRefusesIsDeniedBeforeTheGateIsAsked() {
        try (TestVaults.Opened v = TestVaults.initialised(dir.resolve("vault"))) {
            GrantGate gate = new GrantGate();
            v.engine().setApprovalGate(gate);
            v.engine().identities().createOperator(v.caller(), "bob", "bob passphrase1".toCharArray(),
                    List.of("auditor"));
            var bob = v.engine().login("bob", "bob passphrase1".toCharArray(), "test").caller();
            assertThrows(AccessDeniedException.class, () -> v.engine().keys().rotateRootKeyInPlace(bob,
                    CANARY.toCharArray(), null));
            assertThrows(AccessDeniedException.class, () -> v.engine().keys().rekeyShares(bob, 3, 2));
            assertTrue(gate.asked.isEmpty(), "no approval request for a caller the policy refuses: " + gate.asked);
            assertTrue(TestVaults.auditEntries(v.engine()).stream()
                    .anyMatch(a -> a.operation().equals("key.root.rotate") && "bob".equals(a.identityName())
                            && a.outcome().equalsIgnoreCase("failure")), "the denial is audited");
        }
    }

    @Test
    void migrateToTheHsmAndRotateTheRootKeyThereWithTheTokensPin() throws Exception {
        SoftHsm hsm = SoftHsm.get();
        Files.writeString(dir.resolve("pin.txt"), SoftHsm.PIN + "\n");
        String label = SoftHsm.uniqueLabel();
        try (TestVaults.Opened v = TestVaults.initialised(dir.resolve("vault"));
             CliHarness h = new CliHarness(v, dir.resolve("vault"), dir.resolve("client"))) {
            v.engine().secrets().write(v.caller(), "app/db", SecretData.of(Map.of("password", "s3cret")), null);
            CliHarness.Result migrated = h.cli("seal", "migrate", "--to", "hsm", "--hsm-library",
                    hsm.library().toString(),
                    "--hsm-token-label", SoftHsm.MAIN, "--hsm-key-label", label, "--pin-file",
                    dir.resolve("pin.txt").toString());
            assertEquals(0, migrated.code(), migrated.toString());
            assertTrue(migrated.out().contains("pkcs11 seal"), migrated.out());
            JsonNode params = JSON.readTree(Files.readString(dir.resolve("vault/seal.json"))).path("params");
            assertEquals(SoftHsm.MAIN, params.path("tokenLabel").asText());
            assertEquals(label, params.path("keyLabel").asText());

            CliHarness.Result wrongPin = h.cli("key", "rotate-root", "--pin-file",
                    dir.resolve("pass-wrong").toString());
            assertEquals(ExitCodes.USAGE, wrongPin.code(), "an unreadable PIN file: " + wrongPin);
            CliHarness.Result rotated = h.cli("key", "rotate-root", "--pin-file", dir.resolve("pin.txt").toString());
            assertEquals(0, rotated.code(), rotated.toString());
            params = JSON.readTree(Files.readString(dir.resolve("vault/seal.json"))).path("params");
            assertEquals(label + "-2", params.path("keyLabel").asText(), "a new key on the same token");
            assertEquals(label + "-2-audit-signing", params.path("signingKeyLabel").asText());

            v.engine().seal(v.caller());
            assertThrows(AuthenticationFailedException.class,
                    () -> v.engine().unseal(UnsealCredential.pin("9999".toCharArray()), "test"));
            v.engine().unseal(UnsealCredential.pin(SoftHsm.PIN.toCharArray()), "test");
            var s = TestVaults.login(v.engine());
            assertEquals("s3cret", v.engine().secrets().read(s.caller(), "app/db", 0).data().field("password"));
        }
    }
}
