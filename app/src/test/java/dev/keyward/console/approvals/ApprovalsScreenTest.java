package dev.keyward.console.approvals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.ConsoleWindow;
import dev.keyward.console.Fx;
import dev.keyward.console.MemoryClipboard;
import dev.keyward.console.MutableClock;
import dev.keyward.console.TestConsoles;
import dev.keyward.console.common.Screen;
import dev.keyward.vault.api.ApprovalService;
import dev.keyward.vault.api.ApprovalService.Gate;
import dev.keyward.vault.api.ApprovalService.Request;
import dev.keyward.vault.api.ApprovalService.RequestSpec;
import dev.keyward.vault.api.ApprovalService.Threshold;
import dev.keyward.vault.api.ApprovalService.Track;
import dev.keyward.vault.api.Caller;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;

/** The approvals inbox through the real window: the badge, the request with its diff, a signed approval. */
class ApprovalsScreenTest {
    @TempDir
    Path home;
    private ConsoleWindow window;
    private ConsoleViewModel console;
    private final FxRobot robot = new FxRobot();
    private String requestId;

    @BeforeEach
    void open() throws Exception {
        Fx.start();
        console = TestConsoles.unlocked(TestConsoles.config(home, MutableClock.now(), new MemoryClipboard()));
        Caller admin = console.caller(null);
        ApprovalService ap = console.vault().approvals();
        console.vault().identities().createOperator(admin, "dave", "dave's passphrase 1".toCharArray(),
                List.of("security-engineer"));
        ap.putTrack(admin, new Track("security", List.of(TestConsoles.ADMIN), List.of()));
        ap.putGate(admin, new Gate("policies", "policy-apply", "*", List.of(new Threshold("security", 1)), 1, false,
                null, null));
        Caller dave = console.vault().auth().login("dave", "dave's passphrase 1".toCharArray(), Caller.LOCAL).caller();
        Request r = ap.request(dave, RequestSpec.of("policy-apply", "policies",
                "policy ci\n+  - path: secret/ci/*\n+    capabilities: [read]", "the CI needs its config"));
        requestId = r.id();
        FxToolkit.setupStage(Stage::hide);
        window = Fx.call(() -> {
            ConsoleWindow w = new ConsoleWindow(console, new Stage());
            w.start();
            return w;
        });
        Fx.until(() -> window.main() != null);
    }

    @AfterEach
    void close() {
        Fx.run(() -> window.stage().close());
        window.viewModel().close();
    }

    @Test
    void aWaitingRequestShowsItsDiffAndIsApprovedWithASignature() {
        Label badge = robot.lookup("#approvalsBadge").queryAs(Label.class);
        Fx.until(() -> "1".equals(badge.getText()) && badge.isVisible());

        Fx.run(() -> window.main().viewModel().navigate(Screen.APPROVALS));
        @SuppressWarnings("unchecked")
        TableView<Request> waiting = robot.lookup("#waitingTable").queryAs(TableView.class);
        Fx.until(() -> waiting.getItems().size() == 1);
        Fx.run(() -> waiting.getSelectionModel().select(0));
        TextArea details = robot.lookup("#details").queryAs(TextArea.class);
        Fx.until(() -> details.getText().contains("+  - path: secret/ci/*"));
        assertTrue(details.getText().contains("Requested by dave"), details.getText());
        assertTrue(details.getText().contains("the CI needs its config"), details.getText());

        robot.clickOn("#approveButton");
        Label error = robot.lookup("#error").queryAs(Label.class);
        Fx.until(() -> error.getText().contains("passphrase"));

        robot.clickOn("#reason").write("reviewed the diff");
        robot.clickOn("#passphrase").write(TestConsoles.ADMIN_PASS);
        robot.clickOn("#approveButton");
        Label info = robot.lookup("#info").queryAs(Label.class);
        Fx.until(() -> info.getText().contains("now approved"));
        assertEquals("", Fx.call(() -> robot.lookup("#passphrase").queryAs(javafx.scene.control.PasswordField.class)
                .getText()), "the passphrase field is wiped");
        Fx.until(() -> waiting.getItems().isEmpty() && !badge.isVisible());
        Request done = console.vault().approvals().show(console.caller(null), requestId);
        assertEquals("approved", done.status());
        assertEquals(TestConsoles.ADMIN, done.votes().get(0).approver());
        assertTrue(done.votes().get(0).signature().length() > 80, "an Ed25519 signature, base64");
    }
}
