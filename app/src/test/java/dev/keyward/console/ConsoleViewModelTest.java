package dev.keyward.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.main.MainViewModel;
import dev.keyward.console.settings.SettingsViewModel;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsoleViewModelTest {
    @TempDir
    Path home;
    private final MutableClock clock = MutableClock.now();

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    @Test
    void aVaultOwnedByAnotherProcessIsExplainedInPlainWords() {
        try (Vault other = Keyward.open(VaultOptions.at(home))) {
            ConsoleViewModel console = TestConsoles.opened(TestConsoles.config(home, clock, new MemoryClipboard()));
            try {
                assertEquals(ConsoleViewModel.Phase.IN_USE, console.phase());
                String text = console.problemProperty().get();
                assertTrue(text.startsWith("Another Keyward process"), text);
                assertTrue(text.contains(home.toString()));
            } finally {
                console.close();
            }
        }
    }

    @Test
    void idleConsoleLocksItselfAfterTheTimeout() {
        ConsoleViewModel console = TestConsoles.unlocked(TestConsoles.config(home, clock, new MemoryClipboard()));
        try {
            Duration lock = console.settings().autoLock();
            clock.advance(lock.minusSeconds(1));
            Fx.run(console::tick);
            assertEquals(ConsoleViewModel.Phase.UNLOCKED, console.phase());
            Fx.run(console::touch);
            clock.advance(lock.minusSeconds(1));
            Fx.run(console::tick);
            assertEquals(ConsoleViewModel.Phase.UNLOCKED, console.phase(), "input resets the idle timer");
            clock.advance(Duration.ofSeconds(1));
            Fx.run(console::tick);
            assertEquals(ConsoleViewModel.Phase.LOCKED, console.phase());
            assertNull(console.sessionProperty().get());
        } finally {
            console.close();
        }
    }

    @Nested
    class Main {
        @Test
        void sealNowSealsTheVaultAndStatusBarSaysSo() {
            ConsoleViewModel console = TestConsoles.unlocked(TestConsoles.config(home, clock, new MemoryClipboard()));
            try {
                MainViewModel vm = Fx.call(() -> new MainViewModel(console));
                Fx.until(() -> vm.sealStateProperty().get().startsWith("Unsealed"));
                assertEquals("admin", vm.operatorProperty().get());
                Fx.run(vm::sealNow);
                Fx.until(() -> vm.sealStateProperty().get().startsWith("Sealed"));
                assertTrue(console.vault().lifecycle().status().sealed());
                assertEquals(ConsoleViewModel.Phase.LOCKED, console.phase());
            } finally {
                console.close();
            }
        }

        @Test
        void lockEndsTheSessionButLeavesTheVaultUnsealed() {
            ConsoleViewModel console = TestConsoles.unlocked(TestConsoles.config(home, clock, new MemoryClipboard()));
            try {
                MainViewModel vm = Fx.call(() -> new MainViewModel(console));
                Fx.run(vm::lock);
                assertEquals(ConsoleViewModel.Phase.LOCKED, console.phase());
                assertTrue(!console.vault().lifecycle().status().sealed());
            } finally {
                console.close();
            }
        }
    }

    @Nested
    class Settings {
        @Test
        void autoLockIsValidatedAndSaved() throws Exception {
            ConsoleViewModel console = TestConsoles.opened(TestConsoles.config(home, clock, new MemoryClipboard()));
            try {
                SettingsViewModel vm = new SettingsViewModel(console);
                vm.autoLockMinutesProperty().set(0);
                assertTrue(!vm.apply());
                vm.autoLockMinutesProperty().set(12);
                vm.themeProperty().set(dev.keyward.console.common.ConsoleSettings.Theme.DARK);
                assertTrue(vm.apply());
                assertEquals(Duration.ofMinutes(12), console.settings().autoLock());
                assertTrue(Files.readString(home.resolve("keyward.properties")).contains("console.theme = dark"));
                assertEquals(Duration.ofMinutes(12),
                        dev.keyward.console.common.ConsoleSettings.load(home).autoLock());
            } finally {
                console.close();
            }
        }
    }
}
