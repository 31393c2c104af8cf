package dev.keyward.console.dashboard;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.Fx;
import dev.keyward.console.MemoryClipboard;
import dev.keyward.console.MutableClock;
import dev.keyward.console.TestConsoles;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardViewModelTest {
    @TempDir
    Path home;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    @Test
    void tilesShowSealStateAndWarnAboutTestKdfParameters() {
        ConsoleViewModel console = TestConsoles.unlocked(TestConsoles.config(home, MutableClock.now(),
                new MemoryClipboard()));
        try {
            DashboardViewModel vm = Fx.call(() -> new DashboardViewModel(console));
            Fx.run(vm::refresh);
            Fx.until(() -> vm.sealProperty().get().startsWith("Unsealed"));
            assertTrue(vm.keysProperty().get().startsWith("Data-key term"));
            assertTrue(vm.warningProperty().get().contains("below Keyward's minimum"));
        } finally {
            console.close();
        }
    }
}
