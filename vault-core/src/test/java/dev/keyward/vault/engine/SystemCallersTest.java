package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.AuthMethod;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.VaultSealedException;
import dev.keyward.vault.policy.BuiltInPolicies;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vault's background jobs call through the guarded door under their own built-in policy. */
class SystemCallersTest {
    private TestVaults.Opened v;
    private Engine e;

    @BeforeEach
    void open(@TempDir Path home) {
        v = TestVaults.initialised(home);
        e = v.engine();
    }

    @AfterEach
    void close() {
        e.close();
    }

    @Test
    void aJobActsWithinItsPolicyAndIsAuditedUnderItsName() {
        Caller rotation = e.systemCaller(BuiltInPolicies.JOB_ROTATION);
        e.secrets().write(rotation, "app/db", SecretData.of(Map.of("password", "canary-sys-1")), null);
        assertEquals("canary-sys-1", e.secrets().read(v.session().caller(), "app/db", 0).data().fields().get("password"));

        List<AuditRecord> log = TestVaults.auditEntries(e);
        AuditRecord write = log.stream().filter(r -> r.operation().equals("secret.write")).findFirst().orElseThrow();
        assertEquals("system:rotation", write.identityName());
        assertEquals("SYSTEM", write.authMethod());
        assertEquals("ALLOW", write.decision());
        assertTrue(write.rule().startsWith("policy:system.rotation@"), write.rule());
        assertNull(write.credentialHmac(), "a job's in-memory credential is not hashed into the log");
    }

    @Test
    void aJobIsDeniedOutsideItsPolicy() {
        Caller rotation = e.systemCaller(BuiltInPolicies.JOB_ROTATION);
        assertThrows(AccessDeniedException.class, () -> e.policies().exportYaml(rotation));
        assertThrows(AccessDeniedException.class, () -> e.identities().listOperators(rotation));
        Caller approvals = e.systemCaller(BuiltInPolicies.JOB_APPROVALS);
        assertThrows(AccessDeniedException.class,
                () -> e.secrets().read(approvals, "app/db", 0));
    }

    @Test
    void theCredentialWorksOnlyAsASystemCallerAndOnlyUntilTheVaultSeals() {
        Caller rotation = e.systemCaller(BuiltInPolicies.JOB_ROTATION);
        Caller asToken = new Caller(rotation.token(), AuthMethod.TOKEN, "127.0.0.1", null, null);
        assertThrows(AccessDeniedException.class,
                () -> e.secrets().write(asToken, "app/x", SecretData.of(Map.of("k", "v")), null));
        Caller forged = new Caller("kw-system.rotation.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", AuthMethod.SYSTEM,
                Caller.LOCAL, null, null);
        assertThrows(AccessDeniedException.class,
                () -> e.secrets().write(forged, "app/x", SecretData.of(Map.of("k", "v")), null));

        e.seal(v.session().caller());
        assertThrows(VaultSealedException.class, () -> e.systemCaller(BuiltInPolicies.JOB_ROTATION));
        TestVaults.unseal(e);
        assertThrows(AccessDeniedException.class,
                () -> e.secrets().write(rotation, "app/x", SecretData.of(Map.of("k", "v")), null),
                "a credential from before the seal is dead");
        e.secrets().write(e.systemCaller(BuiltInPolicies.JOB_ROTATION), "app/x", SecretData.of(Map.of("k", "v")), null);
    }

    @Test
    void nobodyCanTakeAJobsPolicyByName() {
        Caller admin = TestVaults.login(e).caller();
        assertThrows(InvalidRequestException.class, () -> e.policies().put(admin,
                new Policy("system.rotation", "mine", List.of()), "try"));
        // Binding the reserved name to a machine identity grants nothing: it is never looked up by name.
        e.identities().putAppRole(admin, IdentityService.AppRoleSpec.of("ci", List.of("system.rotation")));
        String roleId = e.identities().roleId(admin, "ci");
        String secretId = e.identities().issueSecretId(admin, "ci",
                new IdentityService.SecretIdSpec(null, null, null, null, null)).secretId();
        Caller ci = e.loginAppRole(roleId, secretId, "127.0.0.1").caller();
        assertThrows(AccessDeniedException.class,
                () -> e.secrets().write(ci, "app/y", SecretData.of(Map.of("k", "v")), null));
    }
}
