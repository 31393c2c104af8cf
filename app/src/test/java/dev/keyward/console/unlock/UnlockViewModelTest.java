package dev.keyward.console.unlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.Fx;
import dev.keyward.console.MemoryClipboard;
import dev.keyward.console.MutableClock;
import dev.keyward.console.TestConsoles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnlockViewModelTest {
    @TempDir
    Path home;
    private final MutableClock clock = MutableClock.now();
    private ConsoleViewModel console;
    private UnlockViewModel vm;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    @BeforeEach
    void setUp() {
        console = TestConsoles.unlocked(TestConsoles.config(home, clock, new MemoryClipboard()));
        console.vault().lifecycle().seal(console.caller(null));
        Fx.run(console::lock);
        vm = Fx.call(() -> new UnlockViewModel(console));
        Fx.run(vm::refresh);
        Fx.until(() -> vm.stepProperty().get() == UnlockViewModel.Step.UNSEAL
                && !vm.sealDescriptionProperty().get().isEmpty());
    }

    @AfterEach
    void tearDown() {
        console.close();
    }

    private void unsealWith(String passphrase) {
        Fx.run(() -> vm.unseal(passphrase.toCharArray()));
        Fx.until(() -> !vm.busyProperty().get());
    }

    @Test
    void wrongPassphraseShowsAnErrorThenTheRightOneMovesToLogin() {
        unsealWith("wrong passphrase");
        assertFalse(vm.errorProperty().get().isEmpty());
        assertEquals(UnlockViewModel.Step.UNSEAL, vm.stepProperty().get());
        unsealWith(TestConsoles.UNSEAL);
        assertEquals("", vm.errorProperty().get());
        assertEquals(UnlockViewModel.Step.LOGIN, vm.stepProperty().get());
        Fx.run(() -> vm.login(TestConsoles.ADMIN, TestConsoles.ADMIN_PASS.toCharArray()));
        Fx.until(() -> console.phase() == ConsoleViewModel.Phase.UNLOCKED);
    }

    @Test
    void repeatedFailuresShowTheWaitAndBlockSubmitUntilItPasses() {
        for (int i = 0; i < 4; i++) {
            unsealWith("wrong passphrase " + i);
        }
        assertTrue(vm.waitProperty().get().contains("next one is accepted in"), vm.waitProperty().get());
        assertFalse(vm.canSubmitProperty().get());
        clock.advance(Duration.ofMinutes(6));
        Fx.run(vm::tick);
        assertTrue(vm.canSubmitProperty().get());
        assertEquals("", vm.waitProperty().get());
    }

    @Test
    void submittedArraysAreWiped() {
        char[] p = "some passphrase".toCharArray();
        Fx.run(() -> vm.unseal(p));
        Fx.until(() -> !vm.busyProperty().get());
        assertTrue(new String(p).chars().allMatch(c -> c == 0), Arrays.toString(p));
    }

    @Test
    void waitIsWrittenInSecondsOrMinutes() {
        assertEquals("4 s", UnlockViewModel.formatWait(4));
        assertEquals("2 min 5 s", UnlockViewModel.formatWait(125));
    }
}
