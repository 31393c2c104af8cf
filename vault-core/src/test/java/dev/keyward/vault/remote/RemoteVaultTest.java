package dev.keyward.vault.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.CasMismatchException;
import dev.keyward.vault.api.MetadataUpdate;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.PolicyFileException;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.SecretMetadata;
import dev.keyward.vault.api.SecretVersion;
import dev.keyward.vault.api.ServiceLocation;
import dev.keyward.vault.api.ServiceUnavailableException;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.UnsealCredential;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultSealedException;
import dev.keyward.vault.api.VaultStatus;
import dev.keyward.vault.engine.TestVaults;
import dev.keyward.vault.server.KeywardServer;
import dev.keyward.vault.server.ServerConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code api} over real HTTPS: a {@link Vault} from {@link Keyward#attach} against a running
 * endpoint, calling the same services behind the same door (same answers, same exceptions, same
 * audit entries under the caller's identity, the caller built from the connection).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteVaultTest {
    private static final String CANARY = "remote-canary-58e1d0";

    @TempDir
    static Path home;
    TestVaults.Opened vault;
    KeywardServer server;
    Vault remote;
    ServiceLocation location;

    @BeforeAll
    void start() {
        vault = TestVaults.initialised(home);
        server = KeywardServer.start(vault.engine(), ServerConfig.ephemeral().withRateLimits(0, 0), Clock.systemUTC(),
                home.resolve("tls/ca.pem"));
        location = new ServiceLocation(URI.create(server.urls().get(0)), home.resolve("tls/ca.pem"), "test");
        remote = Keyward.attach(location);
    }

    @AfterAll
    void stop() {
        remote.close();
        server.close();
        vault.close();
    }

    private Session login() {
        return remote.auth().login(TestVaults.ADMIN, TestVaults.ADMIN_PASS.toCharArray(), "console");
    }

    @Test
    void operatorLogsInAndWritesAndReadsASecretAuditedUnderTheOperatorFromTheConnection() {
        Session s = login();
        assertEquals("admin", remote.auth().whoami(s.caller()).name());
        remote.secrets().write(s.caller(), "team/db/password", SecretData.of(Map.of("value", CANARY)), 0);
        remote.secrets().writeMetadata(s.caller(), "team/db/password", new MetadataUpdate(null, null, null,
                Map.of("owner", "platform")));
        SecretVersion v = remote.secrets().read(s.caller().withJustification("console: reveal"), "team/db/password",
                0);
        assertEquals(CANARY, v.data().field("value"));
        assertEquals(1, v.metadata().version());
        SecretMetadata m = remote.secrets().readMetadata(s.caller(), "team/db/password");
        assertEquals("platform", m.customMetadata().get("owner"));
        assertEquals(1, m.versions().firstKey());
        assertEquals(List.of("db/"), remote.secrets().list(s.caller(), "team/"));

        AuditRecord read = TestVaults.auditEntries(vault.engine()).stream()
                .filter(r -> r.operation().equals("secret.read") && "console: reveal".equals(r.justification()))
                .reduce((a, b) -> b).orElseThrow();
        assertEquals("admin", read.identityName());
        assertEquals("127.0.0.1", read.sourceAddress());
        AuditRecord login = TestVaults.auditEntries(vault.engine()).stream()
                .filter(r -> r.operation().equals("operator.login")).reduce((a, b) -> b).orElseThrow();
        assertEquals("127.0.0.1", login.sourceAddress(), "the source is the connection's, not what the client says");
        assertTrue(TestVaults.auditEntries(vault.engine()).stream().noneMatch(r -> r.toString().contains(CANARY)));
    }

    @Test
    void failuresArriveAsTheSameApiExceptions() {
        Session s = login();
        remote.secrets().write(s.caller(), "cas/x", SecretData.of(Map.of("a", "1")), null);
        assertThrows(CasMismatchException.class,
                () -> remote.secrets().write(s.caller(), "cas/x", SecretData.of(Map.of("a", "2")), 0));
        assertThrows(NotFoundException.class, () -> remote.secrets().read(s.caller(), "no/such/secret", 0));
        assertThrows(AccessDeniedException.class,
                () -> remote.secrets().read(Caller.withToken("not-a-token"), "cas/x", 0));
        assertThrows(AccessDeniedException.class, () -> remote.secrets().read(Caller.anonymous("x"), "cas/x", 0));
        AuthenticationFailedException bad = assertThrows(AuthenticationFailedException.class,
                () -> remote.auth().login("admin", "wrong".toCharArray(), "x"));
        assertFalse(bad.getMessage().isEmpty());
        String yaml = "keyward: 1\npolicies:\n  - name: ci\n    rules:\n      - path: secret/*\n"
                + "     capabilities: [read]\n";
        PolicyFileException local = assertThrows(PolicyFileException.class,
                () -> vault.engine().policies().apply(vault.caller(), yaml, true, null));
        PolicyFileException wire = assertThrows(PolicyFileException.class,
                () -> remote.policies().apply(s.caller(), yaml, true, null));
        assertEquals(local.getMessage(), wire.getMessage());
        assertEquals(local.line(), wire.line());
        assertEquals(local.column(), wire.column());
    }

    @Test
    void sealAndUnsealOverTheWireWhileTheEndpointKeepsServing() {
        Session s = login();
        remote.lifecycle().seal(s.caller());
        VaultStatus sealed = remote.lifecycle().status();
        assertTrue(sealed.sealed());
        assertThrows(VaultSealedException.class, () -> remote.secrets().list(s.caller(), ""));
        try (UnsealCredential u = UnsealCredential.passphrase(TestVaults.UNSEAL.toCharArray())) {
            assertFalse(remote.lifecycle().unseal(u, "console").sealed());
        }
        Session again = login();
        assertNotNull(remote.secrets().list(again.caller(), ""));
    }

    @Test
    void auditVerifyAndExportRunOnTheServiceAndReportProgress(@TempDir Path out) {
        Session s = login();
        AtomicLong calls = new AtomicLong();
        AuditProgress p = (done, total) -> calls.incrementAndGet();
        AuditVerification v = remote.audit().verify(s.caller(), null, p);
        assertTrue(v.ok(), v.problems().toString());
        assertTrue(calls.get() > 0);
        assertTrue(remote.audit().query(s.caller(), AuditQuery.all(10)).entries().size() > 0);
        Path bundle = out.resolve("evidence.zip");
        var x = remote.audit().exportBundle(s.caller(), bundle, AuditProgress.NONE);
        assertEquals(bundle, x.file());
        assertTrue(Files.isRegularFile(bundle));
        assertTrue(Keyward.verifyAuditBundle(bundle, x.head().fingerprint(), AuditProgress.NONE).ok());
    }

    @Test
    void logoutEndsTheSessionAtOnce() {
        Session s = login();
        remote.auth().logout(s.caller());
        assertThrows(AccessDeniedException.class, () -> remote.auth().whoami(s.caller()));
    }

    @Test
    void transportMethodsAndUnknownCallsAreNotOffered() throws Exception {
        Session s = login();
        HttpClient http = HttpClient.newBuilder().sslContext(PinnedTls.context(location.caCertificate(), null))
                .version(HttpClient.Version.HTTP_1_1).build();
        for (String route : List.of("audit/recordRefused", "identities/wrapResponse", "auth/loginCert",
                "lifecycle/init", "keys/migrateSeal", "sealedBlobs/get", "secrets/nope", "secrets", "")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.urls().get(0)
                    + "/v1/kw/api/" + route)).header("X-Vault-Token", s.token())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"args\":[]}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, r.statusCode(), route + ": " + r.body());
        }
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(server.urls().get(0)
                + "/v1/kw/api/secrets/list")).header("X-Vault-Token", s.token()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        // A token in the body is not a credential: only the header is.
        HttpResponse<String> bodyToken = http.send(HttpRequest.newBuilder(URI.create(server.urls().get(0)
                + "/v1/kw/api/secrets/list")).POST(HttpRequest.BodyPublishers.ofString(
                "{\"caller\":{\"token\":\"" + s.token() + "\"},\"token\":\"" + s.token() + "\",\"args\":[\"\"]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, bodyToken.statusCode(), bodyToken.body());
        // The records' own validation runs on the service too, whatever a client sends.
        HttpResponse<String> badRole = http.send(HttpRequest.newBuilder(URI.create(server.urls().get(0)
                + "/v1/kw/api/identities/putAppRole")).header("X-Vault-Token", s.token())
                .POST(HttpRequest.BodyPublishers.ofString("{\"args\":[{\"name\":\"bad name!\",\"policies\":[]}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, badRole.statusCode(), badRole.body());
        assertTrue(badRole.body().contains("AppRole"), badRole.body());
        HttpResponse<String> wrongCount = http.send(HttpRequest.newBuilder(URI.create(server.urls().get(0)
                + "/v1/kw/api/secrets/list")).header("X-Vault-Token", s.token())
                .POST(HttpRequest.BodyPublishers.ofString("{\"args\":[]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, wrongCount.statusCode(), wrongCount.body());
        assertTrue(wrongCount.body().contains("\"errors\""), wrongCount.body());
        server.flushRefusalAudit();
        assertTrue(TestVaults.auditEntries(vault.engine()).stream().anyMatch(r -> r.operation().equals("request.refused")
                && "POST /v1/kw/api/secrets/list".equals(r.resource())), "a malformed call is audited as refused");
    }

    @Test
    void attachingToNothingOrToAnotherVaultFailsWithASentence(@TempDir Path other) throws Exception {
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }
        ServiceUnavailableException none = assertThrows(ServiceUnavailableException.class, () -> Keyward.attach(
                new ServiceLocation(URI.create("https://127.0.0.1:" + free), location.caCertificate(), "test")));
        assertTrue(none.getMessage().contains("No vault service answers"), none.getMessage());

        try (TestVaults.Opened second = TestVaults.initialised(other);
             KeywardServer otherServer = KeywardServer.start(second.engine(), ServerConfig.ephemeral(),
                     Clock.systemUTC(), other.resolve("tls/ca.pem"))) {
            ServiceUnavailableException wrongCa = assertThrows(ServiceUnavailableException.class,
                    () -> Keyward.attach(new ServiceLocation(URI.create(otherServer.urls().get(0)),
                            location.caCertificate(), "test")));
            assertTrue(wrongCa.getMessage().contains("TLS"), wrongCa.getMessage());
        }
    }

    /** What the console's settings screen calls when attached: data key, rewrap, root key, checkpoint. */
    @Test
    void theKeyLifecycleAndTheCheckpointWorkAttached() throws Exception {
        Session s = login();
        int term = remote.keys().rotateDataKey(s.caller());
        assertEquals(term, vault.engine().status().keyTerm());
        dev.keyward.vault.api.RewrapStatus w = remote.keys().startRewrap(s.caller());
        for (int i = 0; i < 400 && w.state() == dev.keyward.vault.api.RewrapStatus.State.RUNNING; i++) {
            Thread.sleep(50);
            w = remote.keys().rewrapStatus(s.caller());
        }
        assertEquals(dev.keyward.vault.api.RewrapStatus.State.DONE, w.state());
        assertTrue(w.examined() <= w.total(), w.toString());
        String before = Files.readString(home.resolve("seal.json"));
        assertEquals("passphrase", remote.keys().rotateRootKeyInPlace(s.caller(), TestVaults.UNSEAL.toCharArray(),
                null).sealType());
        assertFalse(before.equals(Files.readString(home.resolve("seal.json"))), "a new root key");
        assertFalse(TestVaults.auditEntries(vault.engine()).toString().contains(TestVaults.UNSEAL),
                "the passphrase sent over the wire is in no audit entry");
        dev.keyward.vault.api.AuditCheckpoint cp = remote.audit().checkpoint(s.caller());
        assertTrue(cp.note().startsWith(cp.origin() + "\n" + cp.treeSize() + "\n"), cp.note());
    }
}
