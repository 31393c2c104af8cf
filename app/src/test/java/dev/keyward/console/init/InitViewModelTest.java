package dev.keyward.console.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.Fx;
import dev.keyward.console.MemoryClipboard;
import dev.keyward.console.MutableClock;
import dev.keyward.console.SoftHsmToken;
import dev.keyward.console.TestConsoles;
import dev.keyward.console.settings.SettingsViewModel;
import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.VaultStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
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
    private final MemoryClipboard clipboard = new MemoryClipboard();

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    @BeforeEach
    void setUp() {
        console = TestConsoles.opened(TestConsoles.config(home, MutableClock.now(), clipboard));
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
        Fx.run(() -> vm.passphraseChanged("password"));
        Fx.until(() -> vm.strengthLabelProperty().get().startsWith("Too weak"));
        double weak = vm.strengthProperty().get();
        assertTrue(vm.strengthLabelProperty().get().contains("common password"), vm.strengthLabelProperty().get());
        Fx.run(() -> vm.passphraseChanged("Correct-Horse-Battery-Staple-42"));
        Fx.until(() -> vm.strengthLabelProperty().get().startsWith("Strong"));
        assertTrue(vm.strengthProperty().get() > weak);
    }

    @Test
    void aWeakButNotHopelessPassphraseNeedsAnExplicitConfirmation() {
        Fx.run(() -> vm.passphraseChanged("Summer2024!"));
        Fx.until(() -> vm.weakProperty().get());
        Fx.run(() -> vm.create("Summer2024!".toCharArray(), "Summer2024!".toCharArray(), "admin",
                TestConsoles.ADMIN_PASS.toCharArray(), TestConsoles.ADMIN_PASS.toCharArray()));
        Fx.until(() -> !vm.errorProperty().get().isEmpty());
        assertTrue(vm.errorProperty().get().contains("anyway"), vm.errorProperty().get());
        assertFalse(dev.keyward.vault.Keyward.initialized(home));
        Fx.run(() -> vm.acceptWeakProperty().set(true));
        Fx.run(() -> vm.create("Summer2024!".toCharArray(), "Summer2024!".toCharArray(), "admin",
                TestConsoles.ADMIN_PASS.toCharArray(), TestConsoles.ADMIN_PASS.toCharArray()));
        Fx.until(() -> dev.keyward.vault.Keyward.initialized(home));
    }

    @Test
    void shamirSharesAreShownOnceAndTheWizardFinishesOnlyAfterOneIsTypedBack() {
        Fx.run(() -> vm.createShamir(3, 2, "admin", TestConsoles.ADMIN_PASS.toCharArray(),
                TestConsoles.ADMIN_PASS.toCharArray()));
        Fx.until(() -> vm.pageProperty().get() == InitViewModel.Page.SHARES);
        List<String> shares = List.copyOf(vm.shares());
        assertEquals(3, shares.size());
        assertEquals(3, Set.copyOf(shares).size());
        assertEquals(ConsoleViewModel.Phase.NEEDS_INIT, console.phase());

        Fx.run(() -> vm.copyShare(0));
        assertEquals(shares.get(0), clipboard.current().orElseThrow());

        assertFalse(Fx.call(() -> vm.finish(shares.get(2).toCharArray(), true)), "finish before the confirm page");
        Fx.run(vm::sharesStored);
        assertEquals(InitViewModel.Page.CONFIRM, vm.pageProperty().get());
        assertEquals(3, vm.confirmIndex());
        char[] wrong = shares.get(0).toCharArray();
        assertFalse(Fx.call(() -> vm.finish(wrong, true)));
        assertTrue(vm.errorProperty().get().contains("not share 3"), vm.errorProperty().get());
        assertTrue(new String(wrong).chars().allMatch(c -> c == 0));
        assertFalse(Fx.call(() -> vm.finish((shares.get(2) + "\n").toCharArray(), false)));
        assertTrue(vm.errorProperty().get().contains("stored"), vm.errorProperty().get());

        assertTrue(Fx.call(() -> vm.finish((" " + shares.get(2) + "\n").toCharArray(), true)));
        assertTrue(vm.shares().isEmpty());
        assertTrue(clipboard.current().isEmpty(), "the copied share left the clipboard");
        Fx.until(() -> console.phase() == ConsoleViewModel.Phase.LOCKED);
        VaultStatus st = console.vault().lifecycle().status();
        assertEquals("shamir", st.sealType());
        assertEquals(2, st.threshold());
        assertEquals(3, st.shares());
    }

    @Test
    void shamirThresholdAboveTheShareCountIsRefused() {
        assertNull(Fx.call(() -> vm.createShamir(3, 4, "admin", TestConsoles.ADMIN_PASS.toCharArray(),
                TestConsoles.ADMIN_PASS.toCharArray())));
        assertTrue(vm.errorProperty().get().contains("at most the number of shares"), vm.errorProperty().get());
        assertFalse(console.vault().lifecycle().status().initialized());
    }

    @Test
    void hsmFieldsAreCheckedBeforeAnyConnection() {
        assertNull(Fx.call(() -> vm.testConnection("libsofthsm2.so", "", "keyward-root", "1234".toCharArray())));
        assertTrue(vm.hsmResultProperty().get().startsWith("PKCS#11 library:"), vm.hsmResultProperty().get());
        assertTrue(vm.checkSlot("twelve").isPresent());
        assertTrue(vm.checkSlot("").isEmpty());
        assertTrue(vm.checkKeyLabel("bad label").isPresent());
        char[] pin = "12".toCharArray();
        assertNull(Fx.call(() -> vm.createHsm("/nonexistent/lib.so", "", "keyward-root", pin, "admin",
                TestConsoles.ADMIN_PASS.toCharArray(), TestConsoles.ADMIN_PASS.toCharArray())));
        assertTrue(vm.errorProperty().get().startsWith("PKCS#11 library:"), vm.errorProperty().get());
        assertTrue(new String(pin).chars().allMatch(c -> c == 0));
    }

    @Test
    void hsmTestConnectionTellsAWrongPinFromARightOneThenInitUsesTheToken() {
        SoftHsmToken hsm = SoftHsmToken.get();
        String label = SoftHsmToken.uniqueLabel();
        String lib = hsm.library().toString();
        String slot = Long.toString(hsm.slot());
        Fx.run(() -> vm.testConnection(lib, slot, label, "9999".toCharArray()));
        Fx.until(() -> !vm.testingProperty().get());
        assertFalse(vm.hsmOkProperty().get());
        assertTrue(vm.hsmResultProperty().get().startsWith("Connection failed"), vm.hsmResultProperty().get());
        assertEquals(ConsoleViewModel.Phase.NEEDS_INIT, console.phase(), "a failed test does not leave the wizard");

        Fx.run(() -> vm.testConnection(lib, slot, label, SoftHsmToken.PIN.toCharArray()));
        Fx.until(() -> !vm.testingProperty().get());
        assertTrue(vm.hsmOkProperty().get(), vm.hsmResultProperty().get());
        assertTrue(vm.hsmResultProperty().get().contains("will generate it"), vm.hsmResultProperty().get());

        Fx.run(() -> vm.createHsm(lib, slot, label, SoftHsmToken.PIN.toCharArray(), "admin",
                TestConsoles.ADMIN_PASS.toCharArray(), TestConsoles.ADMIN_PASS.toCharArray()));
        Fx.until(() -> console.phase() == ConsoleViewModel.Phase.LOCKED);
        assertEquals("pkcs11", console.vault().lifecycle().status().sealType());
        String settingsView = SettingsViewModel.describeHsm(Keyward.hsmSeal(home),
                console.vault().lifecycle().status());
        assertTrue(settingsView.contains("Root key label: " + label), settingsView);
        // chosen by slot id in the wizard, recorded by the token's label and serial
        assertTrue(settingsView.contains("Token: '" + SoftHsmToken.LABEL + "' (serial "), settingsView);
        assertTrue(settingsView.contains("Audit signing key label: " + label + "-audit-signing"), settingsView);

        Fx.run(() -> vm.testConnection(lib, slot, label, SoftHsmToken.PIN.toCharArray()));
        Fx.until(() -> !vm.testingProperty().get());
        assertTrue(vm.hsmResultProperty().get().contains("init will use it"), vm.hsmResultProperty().get());
    }
}
