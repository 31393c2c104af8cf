package dev.keyward.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.console.common.Screen;
import dev.keyward.console.secrets.SecretsView;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.AuditQuery;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.Capability;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.Policy;
import dev.keyward.vault.api.PolicyConditions;
import dev.keyward.vault.api.PolicyRule;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.ServiceLocation;
import dev.keyward.vault.api.Session;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.remote.PinnedTls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A real {@code keyward serve} owns the vault; the console attaches to it, logs in, edits a secret,
 * locks and closes, while a pipeline reads the same secret over HTTPS the whole time.
 */
@ExtendWith(ApplicationExtension.class)
class AttachTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path home;
    static ServeProcess serve;
    static Vault admin;
    static Session adminSession;
    static String roleId;
    static String secretId;
    private ConsoleWindow window;

    @BeforeAll
    static void serve() throws Exception {
        ServeProcess.init(home);
        serve = ServeProcess.start(home);
        ServiceLocation where = Keyward.locateService(home).orElseThrow();
        assertEquals(serve.address(), where.address());
        admin = Keyward.attach(where);
        adminSession = admin.auth().login(TestConsoles.ADMIN, TestConsoles.ADMIN_PASS.toCharArray(), null);
        var c = adminSession.caller();
        admin.policies().put(c, new Policy("app-read", "the pipeline reads its config", List.of(PolicyRule.grant(
                "secret/app/*", EnumSet.of(Capability.READ), PolicyConditions.NONE, "ci-team", "deploys read config",
                Instant.now().plus(Duration.ofDays(30))))), "test");
        admin.identities().putAppRole(c, IdentityService.AppRoleSpec.of("pipeline", List.of("app-read")));
        roleId = admin.identities().roleId(c, "pipeline");
        secretId = admin.identities().issueSecretId(c, "pipeline", IdentityService.SecretIdSpec.defaults()).secretId();
        admin.secrets().write(c, "app/config", SecretData.of(Map.of("value", "v1")), null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (admin != null) {
            admin.close();
        }
        if (serve != null) {
            serve.close();
        }
    }

    @Start
    void start(Stage stage) {
        window = new ConsoleWindow(new ConsoleViewModel(TestConsoles.config(home, MutableClock.now(),
                new MemoryClipboard())), stage);
        window.start();
    }

    /** A CI job: AppRole login once, then reads its secret over HTTPS until told to stop. */
    static final class Pipeline extends Thread {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger reads = new AtomicInteger();
        final List<String> failures = new CopyOnWriteArrayList<>();
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        private final HttpClient http = HttpClient.newBuilder().sslContext(PinnedTls.context(
                home.resolve("tls/ca.pem"), null)).version(HttpClient.Version.HTTP_1_1).build();

        Pipeline() {
            super("pipeline");
            setDaemon(true);
        }

        private JsonNode call(String method, String path, String token, String body) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(serve.address() + path))
                    .timeout(Duration.ofSeconds(10)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (token != null) {
                b.header("X-Vault-Token", token);
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(method + " " + path + " -> " + r.statusCode() + " " + r.body());
            }
            return JSON.readTree(r.body());
        }

        @Override
        public void run() {
            try {
                String token = call("POST", "/v1/auth/approle/login", null, JSON.writeValueAsString(Map.of(
                        "role_id", roleId, "secret_id", secretId))).at("/auth/client_token").asText();
                while (!stop.get()) {
                    try {
                        seen.add(call("GET", "/v1/secret/data/app/config", token, null).at("/data/data/value")
                                .asText());
                        reads.incrementAndGet();
                    } catch (Exception e) {
                        failures.add(e.getMessage());
                    }
                    Thread.sleep(25);
                }
            } catch (Exception e) {
                failures.add("login: " + e.getMessage());
            }
        }
    }

    private void login(FxRobot robot) {
        Fx.until(() -> window.viewModel().ready());
        Fx.until(() -> Ui.visible(robot, "#operatorPassphrase"));
        Ui.type(robot, "#operatorPassphrase", TestConsoles.ADMIN_PASS);
        robot.clickOn("#loginButton");
        Ui.waitPhase(window.viewModel(), ConsoleViewModel.Phase.UNLOCKED);
    }

    @Test
    void consoleAttachesEditsLocksAndClosesWhileAPipelineKeepsReading(FxRobot robot) throws Exception {
        Pipeline pipeline = new Pipeline();
        pipeline.start();
        Fx.until(() -> pipeline.reads.get() > 3 || !pipeline.failures.isEmpty());

        // The service already unsealed the vault: the console asks only for the operator login.
        login(robot);
        assertEquals(ConsoleViewModel.Mode.ATTACHED, window.viewModel().mode());
        assertTrue(Ui.text(robot, "#mode").contains("Attached to keyward serve at " + serve.address()),
                Ui.text(robot, "#mode"));

        // Edit the secret through the console's editor.
        Fx.run(() -> window.main().viewModel().navigate(Screen.SECRETS));
        SecretsView secrets = (SecretsView) window.main().view(Screen.SECRETS);
        @SuppressWarnings("unchecked")
        TableView<dev.keyward.console.secrets.SecretRow> table = robot.lookup("#table").queryAs(TableView.class);
        Fx.until(() -> !table.getItems().isEmpty());
        Fx.run(() -> table.getSelectionModel().select(table.getItems().stream()
                .filter(r -> r.path().equals("app/config")).findFirst().orElseThrow()));
        Fx.until(() -> "app/config".equals(robot.lookup("#selectedPath").queryAs(Label.class).getText()));
        Fx.until(() -> secrets.viewModel().fields().size() == 1);
        robot.clickOn("#editButton");
        Fx.until(() -> robot.lookup("#fieldValue0").tryQuery().map(n -> !((javafx.scene.control.TextInputControl) n)
                .getText().isEmpty()).orElse(false));
        Ui.type(robot, "#fieldValue0", "v2");
        robot.clickOn("#saveSecret");
        Fx.until(() -> pipeline.seen.contains("v2"));

        // Lock, log in again, close: the pipeline never notices.
        robot.clickOn("#lockButton");
        Ui.waitPhase(window.viewModel(), ConsoleViewModel.Phase.LOCKED);
        int beforeRelogin = pipeline.reads.get();
        Fx.until(() -> pipeline.reads.get() > beforeRelogin + 3);
        login(robot);
        Fx.run(() -> window.stage().close());
        window.viewModel().close();
        int afterClose = pipeline.reads.get();
        Fx.until(() -> pipeline.reads.get() > afterClose + 10);
        pipeline.stop.set(true);
        pipeline.join(10_000);

        assertEquals(List.of(), pipeline.failures);
        assertEquals(Set.of("v1", "v2"), pipeline.seen);
        assertTrue(serve.alive(), "keyward serve still runs");

        // The console's reads are in the service's audit log under the operator, from loopback.
        List<AuditRecord> entries = admin.audit().query(adminSession.caller(), new AuditQuery(null, null, "admin",
                "secret/app/config", "secret.read", null, -1, 500)).entries();
        assertTrue(entries.stream().anyMatch(r -> "console: edit".equals(r.justification())
                && "127.0.0.1".equals(r.sourceAddress()) && "ALLOW".equals(r.decision())), entries.toString());
        long logouts = admin.audit().query(adminSession.caller(), new AuditQuery(null, null, "admin", null,
                "operator.logout", null, -1, 500)).entries().size();
        assertTrue(logouts >= 2, "lock and close each end the console's session: " + logouts);
        WaitForAsyncUtils.waitForFxEvents();
    }
}
