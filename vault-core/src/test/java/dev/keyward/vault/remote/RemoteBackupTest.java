package dev.keyward.vault.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.BackupInfo;
import dev.keyward.vault.api.BackupProgress;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.ServiceLocation;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.engine.TestVaults;
import dev.keyward.vault.server.KeywardServer;
import dev.keyward.vault.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backup through an attached client over real HTTPS: with a progress consumer it runs as a job on
 * the service whose progress the client polls; without one it is the plain remote call; failures
 * and denials arrive as the same exceptions; only the token that started a job reads it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteBackupTest {
    private static final String CANARY = "remote-backup-canary-2f9b1c";
    private static final String PASS = "remote backup passphrase 1";

    @TempDir
    static Path home;
    @TempDir
    static Path out;
    TestVaults.Opened vault;
    KeywardServer server;
    Vault remote;
    ServiceLocation location;

    @BeforeAll
    void start() {
        vault = TestVaults.initialised(home);
        for (int i = 0; i < 800; i++) {
            vault.engine().secrets().write(vault.caller(), "app/s" + i, SecretData.of(Map.of("v", CANARY + i,
                    "pad", "p".repeat(900))), null);
        }
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
    void aBackupWithProgressRunsAsAJobWhoseProgressTheClientFollows() throws Exception {
        Session s = login();
        Path file = out.resolve("job.kwbak");
        List<BackupProgress> seen = Collections.synchronizedList(new ArrayList<>());
        BackupInfo info = remote.backups().backup(s.caller().withJustification("console: backup"), file,
                PASS.toCharArray(), seen::add);
        assertEquals(Keyward.inspectBackup(file).sha256(), info.sha256());
        assertEquals(BackupInfo.FOR_PASSPHRASE, info.protection());
        assertTrue(info.records() > 2000, "records: " + info.records());
        assertEquals(info.records(), Keyward.restore(file, out.resolve("restored"), PASS.toCharArray(), null)
                .records());
        assertEquals(Keyward.inspectBackup(file).auditHead().fingerprint(), info.auditHead().fingerprint());
        assertEquals(BackupProgress.Phase.PREPARING, seen.get(0).phase(), "the job's first state: " + seen);
        assertEquals(BackupProgress.Phase.DONE, seen.get(seen.size() - 1).phase());
        assertTrue(seen.size() >= 3, "polled while it ran: " + seen);
        seen.stream().filter(p -> p.phase() == BackupProgress.Phase.WRITING)
                .forEach(p -> assertEquals(info.records(), p.totalRecords(), "the known total"));
        AuditRecord entry = TestVaults.auditEntries(vault.engine()).stream()
                .filter(r -> r.operation().equals("vault.backup") && "job.kwbak".equals(r.details().get("file")))
                .findFirst().orElseThrow();
        assertEquals("admin", entry.identityName());
        assertEquals("127.0.0.1", entry.sourceAddress());
        assertEquals("console: backup", entry.justification(), "the justification travels with the job");
        assertFalse(seen.toString().contains(CANARY));
    }

    @Test
    void withoutProgressItIsThePlainCallAndFailuresArriveAsTheSameExceptions() throws Exception {
        Session s = login();
        Path plain = out.resolve("plain.kwbak");
        BackupInfo info = remote.backups().backup(s.caller(), plain, null);
        assertEquals(BackupInfo.FOR_UNSEAL, info.protection());
        InvalidRequestException exists = assertThrows(InvalidRequestException.class,
                () -> remote.backups().backup(s.caller(), plain, null, p -> { }));
        assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
        InvalidRequestException shortPass = assertThrows(InvalidRequestException.class,
                () -> remote.backups().backup(s.caller(), out.resolve("short.kwbak"), "short".toCharArray(), p -> { }));
        assertTrue(shortPass.getMessage().contains("at least 12"), shortPass.getMessage());

        remote.identities().createOperator(s.caller(), "auditor2", "auditor passphrase 2".toCharArray(),
                List.of("auditor"));
        Session auditor = remote.auth().login("auditor2", "auditor passphrase 2".toCharArray(), "console");
        Path denied = out.resolve("denied.kwbak");
        assertThrows(AccessDeniedException.class,
                () -> remote.backups().backup(auditor.caller(), denied, null, p -> { }));
        assertFalse(Files.exists(denied));

        // A job is read only with the token that started it.
        HttpClient http = HttpClient.newBuilder().sslContext(PinnedTls.context(home.resolve("tls/ca.pem"), null))
                .build();
        HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create(server.urls().get(0)
                        + "/v1/kw/backup/jobs")).header("X-Vault-Token", s.caller().token())
                .POST(HttpRequest.BodyPublishers.ofString("{\"path\": \"" + out.resolve("raw.kwbak") + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, started.statusCode(), started.body());
        String id = Wire.JSON.readTree(started.body()).path("data").path("id").asText();
        HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create(server.urls().get(0)
                + "/v1/kw/backup/jobs/" + id)).header("X-Vault-Token", auditor.caller().token()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, other.statusCode(), other.body());
        HttpResponse<String> own;
        do {
            Thread.sleep(100);
            own = http.send(HttpRequest.newBuilder(URI.create(server.urls().get(0) + "/v1/kw/backup/jobs/" + id))
                    .header("X-Vault-Token", s.caller().token()).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, own.statusCode(), own.body());
        } while (Wire.JSON.readTree(own.body()).path("data").path("state").asText().equals("running"));
        var data = Wire.JSON.readTree(own.body()).path("data");
        assertEquals("done", data.path("state").asText(), own.body());
        assertEquals(Keyward.inspectBackup(out.resolve("raw.kwbak")).sha256(), data.path("backup").path("sha256").asText());
        assertEquals(1.0, data.path("fraction").asDouble(), 1e-9);
    }
}
