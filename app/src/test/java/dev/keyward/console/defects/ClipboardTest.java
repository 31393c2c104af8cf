package dev.keyward.console.defects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.Fx;
import dev.keyward.console.Ui;
import dev.keyward.console.UnlockedWindow;
import dev.keyward.console.common.Screen;
import dev.keyward.console.secrets.FieldRow;
import dev.keyward.console.secrets.SecretRow;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.SecretData;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.TableView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lock and Seal clear the clipboard when it still holds a value the console copied (secret values, secret_ids). */
class ClipboardTest {
    private static final String CANARY = "clipboard-canary-1c9e";
    @TempDir
    Path home;
    UnlockedWindow ui;

    @BeforeEach
    void open() throws Exception {
        ui = UnlockedWindow.open(home);
        ui.vault().secrets().write(ui.admin(), "team/api", SecretData.of(Map.of("value", CANARY)), null);
        ui.vault().identities().putAppRole(ui.admin(), IdentityService.AppRoleSpec.of("ci", List.of()));
    }

    @AfterEach
    void close() {
        ui.close();
    }

    @SuppressWarnings("unchecked")
    private void copySecretValue() {
        ui.show(Screen.SECRETS);
        TableView<SecretRow> table = ui.find("#table", TableView.class);
        Fx.until(() -> !table.getItems().isEmpty());
        Fx.run(() -> table.getSelectionModel().select(0));
        TableView<FieldRow> fields = ui.find("#fieldTable", TableView.class);
        Fx.until(() -> fields.getItems().size() == 1);
        Fx.run(() -> fields.getSelectionModel().select(0));
        ui.robot.clickOn("#copyButton");
        Fx.until(() -> ui.clipboard.current().map(CANARY::equals).orElse(false));
    }

    @SuppressWarnings("unchecked")
    private String copySecretId() {
        ui.show(Screen.IDENTITIES);
        TableView<IdentityService.AppRoleInfo> roles = ui.find("#roleTable", TableView.class);
        Fx.until(() -> !roles.getItems().isEmpty());
        Fx.run(() -> roles.getSelectionModel().select(0));
        ui.robot.clickOn(button("Issue secret_id"));
        Fx.until(() -> ui.dialog() != null);
        String before = ui.clipboard.current().orElse("");
        ui.robot.clickOn(button("Copy secret_id"));
        Fx.until(() -> !ui.clipboard.current().orElse("").equals(before));
        if (ui.dialog() != null) {
            Optional<Node> close = Fx.call(() -> ui.robot.lookup(".button").queryAll().stream()
                    .filter(n -> n instanceof Button b && b.getText().equals("Close")).findFirst());
            close.ifPresent(ui.robot::clickOn);
        }
        Fx.until(() -> ui.dialog() == null);
        return ui.clipboard.current().orElseThrow();
    }

    private Button button(String startsWith) {
        return Fx.call(() -> ui.robot.lookup(".button").queryAll().stream()
                .filter(n -> n instanceof Button b && b.getText() != null && b.getText().startsWith(startsWith)
                        && Ui.shown(b))
                .map(n -> (Button) n).findFirst().orElseThrow(() -> new AssertionError("no button " + startsWith)));
    }

    @Test
    void lockClearsACopiedSecretValue() {
        copySecretValue();
        ui.robot.clickOn("#lockButton");
        Ui.waitPhase(ui.console(), ConsoleViewModel.Phase.LOCKED);
        Fx.until(() -> ui.clipboard.current().isEmpty());
    }

    @Test
    void lockClearsACopiedSecretId() {
        String secretId = copySecretId();
        assertTrue(secretId.length() > 20, secretId);
        ui.robot.clickOn("#lockButton");
        Ui.waitPhase(ui.console(), ConsoleViewModel.Phase.LOCKED);
        Fx.until(() -> ui.clipboard.current().isEmpty());
    }

    @Test
    void aCopiedSecretIdLeavesTheClipboardAfterTheTimeout() {
        copySecretId();
        ui.clock.advance(ui.console().settings().clipboardFor().plusSeconds(1));
        Fx.until(() -> ui.clipboard.current().isEmpty());
    }

    @Test
    void sealClearsACopiedSecretValue() {
        copySecretValue();
        Fx.run(ui.console()::sealNow);
        Fx.until(() -> ui.clipboard.current().isEmpty());
    }

    @Test
    void lockLeavesWhatTheUserCopiedSince() {
        copySecretValue();
        ui.clipboard.put("something the user copied elsewhere");
        Fx.run(ui.console()::lock);
        Ui.waitPhase(ui.console(), ConsoleViewModel.Phase.LOCKED);
        assertEquals("something the user copied elsewhere", ui.clipboard.current().orElseThrow());
    }
}
