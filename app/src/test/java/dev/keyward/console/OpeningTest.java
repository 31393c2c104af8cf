package dev.keyward.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.InitRequest;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultOptions;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Button;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** An initialised vault directory shows the unlock screen before the vault is open. */
@ExtendWith(ApplicationExtension.class)
class OpeningTest {
    @TempDir
    static Path home;
    private final CountDownLatch release = new CountDownLatch(1);
    private ConsoleWindow window;

    @Start
    void start(Stage stage) throws Exception {
        try (Vault v = Keyward.open(VaultOptions.at(home));
             InitRequest req = new InitRequest(new PassphraseSealSpec(TestConsoles.UNSEAL.toCharArray(),
                     Argon2Parameters.insecureForTests()), TestConsoles.ADMIN, TestConsoles.ADMIN_PASS.toCharArray(),
                     Argon2Parameters.insecureForTests())) {
            v.lifecycle().init(req);
        }
        // The real vault, opened only once the test lets it (standing in for a slow disk or CPU).
        var config = TestConsoles.config(home, MutableClock.now(), new MemoryClipboard()).withOpener(o -> {
            try {
                if (!release.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("not released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return Keyward.open(o);
        });
        window = new ConsoleWindow(new ConsoleViewModel(config), stage);
        window.start();
    }

    @AfterEach
    void close() {
        release.countDown();
        WaitForAsyncUtils.waitForFxEvents();
        window.viewModel().close();
    }

    @Test
    void unlockScreenComesFirstAndItsButtonWaitsForTheVault(FxRobot robot) {
        assertEquals(ConsoleViewModel.Phase.LOCKED, Fx.call(() -> window.viewModel().phase()));
        assertFalse(Fx.call(() -> window.viewModel().ready()));
        assertTrue(Fx.call(() -> robot.lookup("#openingBox").query().isVisible()));
        assertTrue(Fx.call(() -> robot.lookup("#unsealButton").queryAs(Button.class).isDisabled()));

        release.countDown();
        Fx.until(() -> window.viewModel().ready());
        Fx.until(() -> !robot.lookup("#openingBox").query().isVisible());
        assertFalse(Fx.call(() -> robot.lookup("#unsealButton").queryAs(Button.class).isDisabled()));
        assertEquals("Unseal passphrase", Fx.call(() -> robot.lookup("#credentialLabel")
                .queryAs(javafx.scene.control.Label.class).getText()));
    }
}
