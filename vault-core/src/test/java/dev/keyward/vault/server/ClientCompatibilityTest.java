package dev.keyward.vault.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

        // Response wrapping: wrap, look up (token in the body and as the request token), rewrap, unwrap once.
        io.github.jopenlibs.vault.response.WrapResponse w = v.auth().wrap(
                io.github.jopenlibs.vault.json.Json.object().add("password", "canary-wrap-java"), 60);
        assertEquals(60, w.getTtl());
        assertEquals("sys/wrapping/wrap", w.getCreationPath());
        assertEquals("sys/wrapping/wrap", v.auth().lookupWrap(w.getToken(), true).getData().get("creation_path"));
        assertEquals("60", v.auth().lookupWrap(w.getToken()).getData().get("creation_ttl"));
        io.github.jopenlibs.vault.response.WrapResponse re = v.auth().rewrap(w.getToken());
        assertTrue(!re.getToken().equals(w.getToken()) && re.getTtl() == 60);
        assertEquals("canary-wrap-java", v.auth().unwrap(re.getToken(), true).getData().getString("password", null));
        assertEquals(400, assertThrows(io.github.jopenlibs.vault.VaultException.class,
                () -> v.auth().unwrap(re.getToken(), true)).getHttpStatusCode(), "once");

        // Tokens: lookup-self, renew-self with an increment, revoke-self.
        assertTrue(v.auth().lookupSelf().getPolicies().contains("ci"));
        assertTrue(v.auth().renewSelf(1800).getAuthLeaseDuration() > 0);
        v.auth().revokeSelf();
        assertEquals(403, assertThrows(io.github.jopenlibs.vault.VaultException.class,
                () -> v.auth().lookupSelf()).getHttpStatusCode());
    }

    @Test
    void springVault() throws Exception {
        SslConfiguration ssl = SslConfiguration.forTrustStore(SslConfiguration.KeyStoreConfiguration.of(
                new FileSystemResource(caPem.toFile()), new char[0], SslConfiguration.PEM_KEYSTORE_TYPE));
        ClientHttpRequestFactory factory = ClientHttpRequestFactoryFactory.create(new ClientOptions(), ssl);
        VaultEndpoint endpoint = VaultEndpoint.create("127.0.0.1", server.port());
        AppRoleAuthentication login = new AppRoleAuthentication(AppRoleAuthenticationOptions.builder()
                .roleId(AppRoleAuthenticationOptions.RoleId.provided(roleId))
                .secretId(AppRoleAuthenticationOptions.SecretId.provided(secretId())).build(),
                VaultClients.createRestTemplate(endpoint, factory));
        SimpleSessionManager session = new SimpleSessionManager(login);
        VaultTemplate template = new VaultTemplate(endpoint, factory, session);
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

        // Metadata writes always carry delete_version_after "0s0ns".
        template.opsForVersionedKeyValue("secret").put("app/meta", Map.of("a", "b"));
        kv.opsForKeyValueMetadata().put("app/meta",
                org.springframework.vault.support.VaultMetadataRequest.builder().maxVersions(5).build());
        assertEquals(5, kv.opsForKeyValueMetadata().get("app/meta").getMaxVersions());

        // opsForWrapping: wrap, lookup, rewrap, read (unwrap) once.
        org.springframework.vault.core.VaultWrappingOperations wrapping = template.opsForWrapping();
        org.springframework.vault.support.WrappedMetadata w = wrapping.wrap(Map.of("password", "canary-wrap-spring"),
                Duration.ofMinutes(2));
        assertEquals(Duration.ofMinutes(2), w.getTtl());
        org.springframework.vault.support.WrappedMetadata looked = wrapping.lookup(w.getToken());
        assertEquals("sys/wrapping/wrap", looked.getPath());
        assertEquals(Duration.ofMinutes(2), looked.getTtl());
        assertTrue(Math.abs(Duration.between(looked.getCreationTime(), Instant.now()).toSeconds()) < 60);
        org.springframework.vault.support.WrappedMetadata re = wrapping.rewrap(w.getToken());
        assertEquals(null, wrapping.lookup(w.getToken()), "the old wrapping token is gone");
        assertEquals("canary-wrap-spring", wrapping.read(re.getToken()).getRequiredData().get("password"));
        assertEquals(null, wrapping.read(re.getToken()), "once");

        // opsForToken: renew and revoke with the token in the body.
        org.springframework.vault.core.VaultTokenOperations tokens = template.opsForToken();
        org.springframework.vault.support.VaultToken own = session.getSessionToken();
        String other = Vault.create(new VaultConfig().address(server.urls().get(0)).engineVersion(2)
                .sslConfig(new SslConfig().pemFile(caPem.toFile()).build()).build()).auth()
                .loginByAppRole(roleId, secretId()).getAuthClientToken();
        org.springframework.vault.VaultException denied = assertThrows(org.springframework.vault.VaultException.class,
                () -> tokens.revoke(org.springframework.vault.support.VaultToken.of(other)));
        assertTrue(denied.getMessage().contains("403") || denied.getMessage().contains("permission denied"),
                denied.getMessage());
        assertTrue(tokens.renew(own).getAuth().get("lease_duration") != null);
        tokens.revoke(own);
        assertThrows(RuntimeException.class, () -> kv.get("app/meta"));
    }
}
