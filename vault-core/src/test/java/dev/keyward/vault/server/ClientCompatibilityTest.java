package dev.keyward.vault.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.engine.TestVaults;
import io.github.jopenlibs.vault.SslConfig;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.FileSystemResource;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.vault.authentication.AppRoleAuthentication;
import org.springframework.vault.authentication.AppRoleAuthenticationOptions;
import org.springframework.vault.authentication.SimpleSessionManager;
import org.springframework.vault.client.ClientHttpRequestFactoryFactory;
import org.springframework.vault.client.VaultClients;
import org.springframework.vault.client.VaultEndpoint;
import org.springframework.vault.core.VaultKeyValueOperationsSupport;
import org.springframework.vault.core.VaultTemplate;
import org.springframework.vault.core.VaultVersionedKeyValueOperations;
import org.springframework.vault.support.ClientOptions;
import org.springframework.vault.support.SslConfiguration;
import org.springframework.vault.support.Versioned;

/** Two real Vault client libraries, unmodified, against the endpoint: AppRole login and KV v2. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientCompatibilityTest {
    @TempDir
    static Path home;
    TestVaults.Opened vault;
    KeywardServer server;
    Path caPem;
    String roleId;

    @BeforeAll
    void start() {
        vault = TestVaults.initialised(home);
        Caller a = vault.caller();
        vault.engine().policies().put(a, new Policy("ci", "pipeline", List.of(PolicyRule.grant("secret/app/*",
                EnumSet.of(Capability.CREATE, Capability.READ, Capability.UPDATE, Capability.DELETE, Capability.LIST,
                        Capability.DESTROY, Capability.REVEAL_METADATA), PolicyConditions.NONE, "ci-team", "pipeline",
                Instant.now().plus(Duration.ofDays(1))))), "test");
        vault.engine().identities().putAppRole(a, IdentityService.AppRoleSpec.of("ci", List.of("ci")));
        roleId = vault.engine().identities().roleId(a, "ci");
        caPem = home.resolve("tls/ca.pem");
        server = KeywardServer.start(vault.engine(), ServerConfig.ephemeral().withRateLimits(0, 0), Clock.systemUTC(), caPem);
    }

    @AfterAll
    void stop() {
        server.close();
        vault.close();
    }

    private String secretId() {
        return vault.engine().identities().issueSecretId(vault.caller(), "ci", IdentityService.SecretIdSpec.defaults())
                .secretId();
    }

    @Test
    void vaultJavaDriver() throws Exception {
        SslConfig ssl = new SslConfig().pemFile(caPem.toFile()).build();
        VaultConfig anon = new VaultConfig().address(server.urls().get(0)).engineVersion(2).sslConfig(ssl).build();
        String token = Vault.create(anon).auth().loginByAppRole(roleId, secretId()).getAuthClientToken();
        VaultConfig cfg = new VaultConfig().address(server.urls().get(0)).engineVersion(2).sslConfig(ssl).token(token)
                .build();
        Vault v = Vault.create(cfg);
        v.logical().write("secret/app/java", Map.of("password", "canary-java"));
        assertEquals("canary-java", v.logical().read("secret/app/java").getData().get("password"));
        assertTrue(v.logical().list("secret/app").getListData().contains("java"));
        v.logical().delete("secret/app/java");
        assertEquals(404, v.logical().read("secret/app/java").getRestResponse().getStatus());
    }

    @Test
    void springVault() {
        SslConfiguration ssl = SslConfiguration.forTrustStore(SslConfiguration.KeyStoreConfiguration.of(
                new FileSystemResource(caPem.toFile()), new char[0], SslConfiguration.PEM_KEYSTORE_TYPE));
        ClientHttpRequestFactory factory = ClientHttpRequestFactoryFactory.create(new ClientOptions(), ssl);
        VaultEndpoint endpoint = VaultEndpoint.create("127.0.0.1", server.port());
        AppRoleAuthentication login = new AppRoleAuthentication(AppRoleAuthenticationOptions.builder()
                .roleId(AppRoleAuthenticationOptions.RoleId.provided(roleId))
                .secretId(AppRoleAuthenticationOptions.SecretId.provided(secretId())).build(),
                VaultClients.createRestTemplate(endpoint, factory));
        VaultTemplate template = new VaultTemplate(endpoint, factory, new SimpleSessionManager(login));
        VaultVersionedKeyValueOperations kv = template.opsForVersionedKeyValue("secret");
        kv.put("app/spring", Map.of("password", "canary-spring"));
        Versioned<Map<String, Object>> read = kv.get("app/spring");
        assertEquals("canary-spring", read.getRequiredData().get("password"));
        assertEquals(1, read.getVersion().getVersion());
        List<String> keys = template.opsForKeyValue("secret", VaultKeyValueOperationsSupport.KeyValueBackend.KV_2)
                .list("app");
        assertTrue(keys.contains("spring"), keys.toString());
        kv.delete("app/spring");
        Versioned<Map<String, Object>> deleted = kv.get("app/spring");
        assertTrue(deleted == null || !deleted.hasData());
        assertFalse(template.opsForSys().health().isSealed());
    }
}
