package dev.keyward.console.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.ConsoleWindow;
import dev.keyward.console.Fx;
import dev.keyward.console.MemoryClipboard;
import dev.keyward.console.MutableClock;
import dev.keyward.console.TestConsoles;
import dev.keyward.console.common.Screen;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.RotationService;
import dev.keyward.vault.api.RotationService.RotationConfig;
import dev.keyward.vault.api.RotationService.RotationSchedule;
import dev.keyward.vault.api.RotationService.RotationStatus;
import dev.keyward.vault.api.RotationTrigger;
import dev.keyward.vault.api.SecretData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;

/** The Rotation screen through the real window: the schedule table with badges, Run now with a reason, history. */
class RotationScreenTest {
    @TempDir
    Path home;
    @TempDir
    Path work;
    private ConsoleWindow window;
    private ConsoleViewModel console;
    private final FxRobot robot = new FxRobot();

    @BeforeEach
    void open() throws Exception {
        Fx.start();
        console = TestConsoles.unlocked(TestConsoles.config(home, MutableClock.now(), new MemoryClipboard()));
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
    void theScheduleTableShowsBadgesAndRunNowWithAReasonRotates() throws Exception {
        RotationService rot = console.vault().rotation();
        Caller admin = console.caller(null);
        console.vault().secrets().write(admin, "app/db", SecretData.of(Map.of("password", "canary-console-1")), null);
        rot.configure(admin, "app/db", new RotationConfig("generated", Map.of(), new RotationSchedule(
                Duration.ofDays(30), null, null, null, null, null), null, null, true, null, null, null, null, null));
        Path hook = work.resolve("hook.sh");
        Files.writeString(hook, "#!/bin/sh\ncat > /dev/null\nexit 2\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
        rot.configure(admin, "app/broken", new RotationConfig("hook", Map.of("command", hook.toString()), null, null,
                null, true, 1, null, null, null, null));
        rot.rotateNow(admin, "app/broken", RotationTrigger.MANUAL, "first try");
        Fx.until(() -> rot.status(admin, "app/broken").needsAttention());

        Fx.run(() -> window.main().viewModel().navigate(Screen.ROTATION));
        @SuppressWarnings("unchecked")
        TableView<RotationStatus> table = robot.lookup("#scheduleTable").queryAs(TableView.class);
        Fx.until(() -> table.getItems().size() == 2);
        Label badges = robot.lookup("#badges").queryAs(Label.class);
        Fx.until(() -> badges.getText().contains("1 needs attention"));
        assertEquals("needs attention", Fx.call(() -> RotationViewModel.flags(table.getItems().stream()
                .filter(s -> s.path().equals("app/broken")).findFirst().orElseThrow())));

        int row = Fx.call(() -> table.getItems().indexOf(table.getItems().stream()
                .filter(s -> s.path().equals("app/db")).findFirst().orElseThrow()));
        Fx.run(() -> table.getSelectionModel().select(row));
        robot.clickOn("#runNowButton");
        Label error = robot.lookup("#error").queryAs(Label.class);
        Fx.until(() -> error.getText().contains("A reason is required"));
        robot.clickOn("#reason").write("rotate from the console");
        robot.clickOn("#runNowButton");
        TableView<?> history = robot.lookup("#historyTable").queryAs(TableView.class);
        Fx.until(() -> rot.history(admin, "app/db", 1).stream().anyMatch(r -> r.state().equals("finished")));
        robot.clickOn("Reload");
        Fx.until(() -> history.getItems().size() == 1 && history.getItems().get(0).toString().contains("finished"));
        assertEquals("rotate from the console", rot.history(admin, "app/db", 1).get(0).reason());
        assertTrue(Fx.call(() -> table.getItems().stream().anyMatch(s -> s.path().equals("app/db")
                && "finished".equals(s.lastOutcome()))));
    }
}
