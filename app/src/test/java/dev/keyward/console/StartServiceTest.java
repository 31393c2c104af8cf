package dev.keyward.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.remote.PinnedTls;
import dev.keyward.vault.remote.ServiceLauncher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * With no service running, the console opens the vault itself and offers to start one: "Unseal
 * as a service" starts keyward serve with the typed passphrase on its standard input, attaches to
 * it, and the vault stays served after the console closes. A wrong passphrase is said, and the
 * console is back where it was.
 */
@ExtendWith(ApplicationExtension.class)
class StartServiceTest {
    @TempDir
    Path home;
    private ConsoleWindow window;
    private int port;

    @Start
    void start(Stage stage) throws Exception {
        ServeProcess.init(home);
        port = ServeProcess.freePort();
        Files.writeString(home.resolve("keyward.properties"), "port = " + port + "\n");
        window = new ConsoleWindow(new ConsoleViewModel(TestConsoles.config(home, MutableClock.now(),
                new MemoryClipboard())), stage);
        window.start();
    }

    @AfterEach
    void stopService() throws Exception {
        for (ProcessHandle p : services()) {
            p.destroy();
            p.onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private List<ProcessHandle> services() {
        return ProcessHandle.current().descendants().filter(p -> arguments(p).containsAll(List.of("serve", "--home",
                home.toString()))).toList();
    }

    /** A process's whole command line (ProcessHandle.Info cuts long ones short). */
    private static List<String> arguments(ProcessHandle p) {
        try {
            return List.of(new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).split("\0"));
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    @Test
    void theConsoleStartsTheServiceAttachesAndTheVaultStaysServedAfterItCloses(FxRobot robot) throws Exception {
        Fx.until(() -> window.viewModel().ready());
        assertEquals(ConsoleViewModel.Mode.EMBEDDED, window.viewModel().mode());
        Fx.until(() -> Ui.visible(robot, "#serveButton"));
        assertTrue(Ui.text(robot, "#serviceHint").contains("Unseal as a service"), Ui.text(robot, "#serviceHint"));

        // A wrong passphrase: the service refuses it and ends; the console says so and is embedded again.
        Ui.type(robot, "#unsealPassphrase", "not the passphrase");
        robot.clickOn("#serveButton");
        Fx.until(() -> !Ui.text(robot, "#error").isEmpty());
        assertTrue(Ui.text(robot, "#error").contains("keyward serve stopped"), Ui.text(robot, "#error"));
        assertFalse(Ui.text(robot, "#error").contains("not the passphrase"));
        Fx.until(() -> window.viewModel().ready() && Ui.visible(robot, "#serveButton"));
        assertEquals(ConsoleViewModel.Mode.EMBEDDED, window.viewModel().mode());
        assertTrue(services().isEmpty(), "no service is left running");

        // The right one: the service starts, the console attaches and asks only for the operator login.
        Ui.type(robot, "#unsealPassphrase", TestConsoles.UNSEAL);
        robot.clickOn("#serveButton");
        Fx.until(() -> window.viewModel().mode() == ConsoleViewModel.Mode.ATTACHED, Duration.ofMinutes(2));
        Fx.until(() -> Ui.visible(robot, "#operatorPassphrase"));
        Ui.type(robot, "#operatorPassphrase", TestConsoles.ADMIN_PASS);
        robot.clickOn("#loginButton");
        Ui.waitPhase(window.viewModel(), ConsoleViewModel.Phase.UNLOCKED);
        assertTrue(Ui.text(robot, "#mode").contains("Attached to keyward serve at https://127.0.0.1:" + port),
                Ui.text(robot, "#mode"));

        // The credential went on standard input: not on the service's command line, not in its log.
        ProcessHandle service = services().stream().findFirst().orElseThrow(() -> new AssertionError("no keyward serve runs"));
        assertFalse(String.join(" ", arguments(service)).contains(TestConsoles.UNSEAL));
        assertFalse(Files.readString(home.resolve(ServiceLauncher.LOG)).contains(TestConsoles.UNSEAL));
        assertFalse(new String(Files.readAllBytes(Path.of("/proc", Long.toString(service.pid()), "environ")),
                java.nio.charset.StandardCharsets.UTF_8).contains(TestConsoles.UNSEAL), "nor in its environment");

        Fx.run(() -> window.stage().close());
        window.viewModel().close();
        HttpClient http = HttpClient.newBuilder().sslContext(PinnedTls.context(home.resolve("tls/ca.pem"), null))
                .build();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
                + "/v1/sys/health")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(service.isAlive(), "the service outlives the console");
    }
}
