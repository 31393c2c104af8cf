package dev.keyward.vault.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.vault.api.ApprovalGate;
import dev.keyward.vault.api.ApprovalRequiredException;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.GatedOperation;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.engine.TestVaults;
import dev.keyward.vault.server.KeywardServer;
import dev.keyward.vault.server.ServerConfig;
import dev.keyward.vault.testing.SoftHsm;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
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

    record Result(int code, String out, String err) {
    }

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

    private Map<String, String> env(KeywardServer server, TestVaults.Opened v) {
        return Map.of("KEYWARD_ADDRESS", server.urls().get(0), "KEYWARD_CA_CERT", dir.resolve("ca.pem").toString(),
                "KEYWARD_HOME", dir.resolve("client").toString(), "KEYWARD_TOKEN", v.session().token());
    }

    @Test
    void rotateRootMigrateAndRekeyAreGatedAuditedAndKeepTheData() throws Exception {
        Path secretFile = dir.resolve("pass.txt");
        Files.writeString(secretFile, CANARY + "\n");
        try (TestVaults.Opened v = TestVaults.initialised(dir.resolve("vault"));
             KeywardServer server = KeywardServer.start(v.engine(), ServerConfig.ephemeral().withRateLimits(0, 0),
                     Clock.systemUTC(), dir.resolve("ca.pem"))) {
            GrantGate gate = new GrantGate();
            v.engine().setApprovalGate(gate);
            v.engine().secrets().write(v.caller(), "app/db", SecretData.of(Map.of("password", "s3cret")), null);
            Map<String, String> env = env(server, v);
            String sealBefore = Files.readString(dir.resolve("vault/seal.json"));

            // Without a grant: refused with the request that waits, and audited as a failure.
            Result refused = cli(env, "key", "rotate-root", "--passphrase-file", secretFile.toString());
            assertEquals(ExitCodes.DENIED, refused.code(), refused.toString());
            assertTrue(refused.err().contains("req-41"), refused.err());
            assertEquals(sealBefore, Files.readString(dir.resolve("vault/seal.json")), "nothing changed");

            Result rotated = cli(env, "key", "rotate-root", "--passphrase-file", secretFile.toString(), "--approval",
                    "grant-7");
            assertEquals(0, rotated.code(), rotated.toString());
            assertTrue(rotated.out().contains("Rotated the root key (passphrase seal)"), rotated.out());
            assertNotEquals(sealBefore, Files.readString(dir.resolve("vault/seal.json")), "a new wrapped root key");
            assertTrue(gate.asked.contains(GatedOperation.ROOT_KEY_ROTATION));

            // Migrate to Shamir: the shares are printed once; then rekey them.
            Result toShamir = cli(env, "-o", "json", "seal", "migrate", "--to", "shamir", "--shares", "3",
                    "--threshold", "2", "--approval", "grant-7");
            assertEquals(0, toShamir.code(), toShamir.toString());
            JsonNode m = JSON.readTree(toShamir.out());
            assertEquals("shamir", m.path("seal_type").asText());
            assertEquals(3, m.path("shares").size());
            assertTrue(gate.asked.contains(GatedOperation.SEAL_MIGRATION));

            Result noGrant = cli(env, "operator", "rekey", "--shares", "4", "--threshold", "3");
            assertEquals(ExitCodes.DENIED, noGrant.code(), noGrant.toString());
            Result rekey = cli(env, "operator", "rekey", "--shares", "4", "--threshold", "3", "--approval", "grant-7");
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
    void migrateToTheHsmAndRotateTheRootKeyThereWithTheTokensPin() throws Exception {
        SoftHsm hsm = SoftHsm.get();
        Files.writeString(dir.resolve("pin.txt"), SoftHsm.PIN + "\n");
        String label = SoftHsm.uniqueLabel();
        try (TestVaults.Opened v = TestVaults.initialised(dir.resolve("vault"));
             KeywardServer server = KeywardServer.start(v.engine(), ServerConfig.ephemeral().withRateLimits(0, 0),
                     Clock.systemUTC(), dir.resolve("ca.pem"))) {
            v.engine().secrets().write(v.caller(), "app/db", SecretData.of(Map.of("password", "s3cret")), null);
            Map<String, String> env = env(server, v);
            Result migrated = cli(env, "seal", "migrate", "--to", "hsm", "--hsm-library", hsm.library().toString(),
                    "--hsm-token-label", SoftHsm.MAIN, "--hsm-key-label", label, "--pin-file",
                    dir.resolve("pin.txt").toString());
            assertEquals(0, migrated.code(), migrated.toString());
            assertTrue(migrated.out().contains("pkcs11 seal"), migrated.out());
            JsonNode params = JSON.readTree(Files.readString(dir.resolve("vault/seal.json"))).path("params");
            assertEquals(SoftHsm.MAIN, params.path("tokenLabel").asText());
            assertEquals(label, params.path("keyLabel").asText());

            Result wrongPin = cli(env, "key", "rotate-root", "--pin-file", dir.resolve("pass-wrong").toString());
            assertEquals(ExitCodes.USAGE, wrongPin.code(), "an unreadable PIN file: " + wrongPin);
            Result rotated = cli(env, "key", "rotate-root", "--pin-file", dir.resolve("pin.txt").toString());
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

    private static Result cli(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = KeywardCli.run(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
