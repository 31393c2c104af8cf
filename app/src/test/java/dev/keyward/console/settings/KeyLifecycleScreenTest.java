package dev.keyward.console.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.Fx;
import dev.keyward.console.TestConsoles;
import dev.keyward.console.Ui;
import dev.keyward.console.UnlockedWindow;
import dev.keyward.console.common.Screen;
import dev.keyward.vault.api.ApprovalRequiredException;
import dev.keyward.vault.api.GatedOperation;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The settings screen's key buttons on a real vault through the real view: rotate the data key,
 * rewrap with progress to done, rotate the root key (refused without an approval, then done).
 */
class KeyLifecycleScreenTest {
    @TempDir
    Path home;
    UnlockedWindow ui;

    @BeforeEach
    void open() throws Exception {
        ui = UnlockedWindow.open(home, 1024, 900);
        for (int i = 0; i < 30; i++) {
            ui.vault().secrets().write(ui.admin(), "app/s" + i, SecretData.of(Map.of("v", "x" + i)), null);
        }
        ui.show(Screen.SETTINGS);
        Fx.until(() -> Ui.visible(ui.robot, "#rotateDataKeyButton"));
        Fx.until(() -> Ui.text(ui.robot, "#keyTerm").equals("Data key term 1"));
    }

    @AfterEach
    void close() {
        ui.close();
    }

    /** Scrolls the settings page so that the node is on screen, then clicks it. */
    private void click(String query) {
        Node n = ui.find(query, Node.class);
        Fx.run(() -> {
            for (Node p = n.getParent(); p != null; p = p.getParent()) {
                if (p instanceof ScrollPane sp) {
                    sp.setVvalue(sp.getVmax());
                }
            }
        });
        Fx.until(() -> !ui.find(query, Button.class).isDisabled());
        ui.robot.clickOn(query);
    }

    @Test
    void rotateRewrapAndRotateTheRootKeyFromTheSettingsScreen() throws Exception {
        click("#rotateDataKeyButton");
        Fx.until(() -> Ui.text(ui.robot, "#keyTerm").equals("Data key term 2"));
        assertEquals(2, ui.vault().lifecycle().status().keyTerm());

        click("#rewrapButton");
        Fx.until(() -> Ui.text(ui.robot, "#rewrapStatus").startsWith("Rewrap to term 2 done"));
        assertEquals(1.0, Fx.call(() -> ui.find("#rewrapProgress", ProgressBar.class).getProgress()), 1e-9);
        String done = Ui.text(ui.robot, "#rewrapStatus");
        assertTrue(done.contains("re-encrypted"), done);
        assertEquals(ui.vault().keys().rewrapStatus(ui.admin()).total(),
                ui.vault().keys().rewrapStatus(ui.admin()).examined(), "examined never exceeds total: " + done);

        // Root-key rotation asks the approval gate: refused without a grant, the vault's words shown.
        Engine engine = (Engine) ui.vault();
        engine.setApprovalGate((caller, op, resource, change) -> {
            if (op == GatedOperation.ROOT_KEY_ROTATION && caller.approvalId() == null) {
                throw new ApprovalRequiredException("Rotating the root key needs an approval: request r-9 waits.",
                        "r-9");
            }
            return Optional.empty();
        });
        String sealBefore = Files.readString(home.resolve("seal.json"));
        Ui.type(ui.robot, "#rootCredential", TestConsoles.UNSEAL);
        click("#rotateRootButton");
        Fx.until(() -> Ui.text(ui.robot, "#keyMessage").contains("request r-9"));
        assertEquals(sealBefore, Files.readString(home.resolve("seal.json")));
        assertEquals("", Fx.call(() -> ui.find("#rootCredential", javafx.scene.control.PasswordField.class).getText()),
                "the passphrase field is cleared");

        engine.setApprovalGate(dev.keyward.vault.api.ApprovalGate.NONE);
        Ui.type(ui.robot, "#rootCredential", TestConsoles.UNSEAL);
        click("#rotateRootButton");
        Fx.until(() -> Ui.text(ui.robot, "#keyMessage").startsWith("Rotated the root key (passphrase seal)"));
        assertFalse(sealBefore.equals(Files.readString(home.resolve("seal.json"))), "a new root key");
        assertTrue(ui.vault().secrets().read(ui.admin(), "app/s3", 0).data().field("v").equals("x3"));
    }
}
