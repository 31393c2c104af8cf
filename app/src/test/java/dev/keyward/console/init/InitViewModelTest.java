package dev.keyward.console.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.Fx;
import dev.keyward.console.MemoryClipboard;
import dev.keyward.console.MutableClock;
import dev.keyward.console.TestConsoles;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitViewModelTest {
    @TempDir
    Path home;
    private ConsoleViewModel console;
    private InitViewModel vm;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    @BeforeEach
    void setUp() {
        console = TestConsoles.opened(TestConsoles.config(home, MutableClock.now(), new MemoryClipboard()));
        vm = new InitViewModel(console);
    }

    @AfterEach
    void tearDown() {
        console.close();
    }

    @Test
    void freshDirectoryAsksForInit() {
        assertEquals(ConsoleViewModel.Phase.NEEDS_INIT, console.phase());
    }

    @Test
    void mismatchedConfirmationIsRefusedAndArraysAreWiped() {
        char[] unseal = "one passphrase here".toCharArray();
        assertNull(Fx.call(() -> vm.create(unseal, "another passphrase".toCharArray(), "admin",
                "admin passphrase".toCharArray(), "admin passphrase".toCharArray())));
        assertTrue(vm.errorProperty().get().contains("differ"), vm.errorProperty().get());
        assertTrue(new String(unseal).chars().allMatch(c -> c == 0));
    }

    @Test
    void sameUnsealAndLoginPassphraseIsRefused() {
        Fx.run(() -> vm.create("same passphrase 1".toCharArray(), "same passphrase 1".toCharArray(), "admin",
                "same passphrase 1".toCharArray(), "same passphrase 1".toCharArray()));
        assertTrue(vm.errorProperty().get().contains("different"), vm.errorProperty().get());
    }

    @Test
    void validInputCreatesTheVaultAndGoesToUnlock() {
        Fx.run(() -> vm.create(TestConsoles.UNSEAL.toCharArray(), TestConsoles.UNSEAL.toCharArray(), "admin",
                TestConsoles.ADMIN_PASS.toCharArray(), TestConsoles.ADMIN_PASS.toCharArray()));
        Fx.until(() -> console.phase() == ConsoleViewModel.Phase.LOCKED);
        assertTrue(console.vault().lifecycle().status().initialized());
    }

    @Test
    void strengthMeterRisesWithLongerPassphrases() {
        Fx.run(() -> vm.passphraseChanged("abc"));
        double weak = vm.strengthProperty().get();
        String weakLabel = vm.strengthLabelProperty().get();
        Fx.run(() -> vm.passphraseChanged("Correct-Horse-Battery-Staple-42"));
        assertTrue(vm.strengthProperty().get() > weak);
        assertTrue(weakLabel.startsWith("Weak"));
        assertEquals("Strong", vm.strengthLabelProperty().get());
    }

    @Test
    void onlyThePassphraseSealIsOfferedUntilTheOthersExist() {
        assertTrue(vm.available(InitViewModel.SealChoice.PASSPHRASE));
        assertFalse(vm.available(InitViewModel.SealChoice.HSM));
        assertFalse(vm.unavailableReason(InitViewModel.SealChoice.SHAMIR).isEmpty());
    }
}
