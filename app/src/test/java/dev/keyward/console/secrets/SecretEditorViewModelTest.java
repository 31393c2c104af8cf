package dev.keyward.console.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.Fx;
import dev.keyward.console.MemoryClipboard;
import dev.keyward.console.MutableClock;
import dev.keyward.console.TestConsoles;
import dev.keyward.vault.api.SecretData;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretEditorViewModelTest {
    @TempDir
    Path home;
    private ConsoleViewModel console;
    private SecretEditorViewModel vm;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    @BeforeEach
    void setUp() {
        console = TestConsoles.unlocked(TestConsoles.config(home, MutableClock.now(), new MemoryClipboard()));
        vm = Fx.call(() -> new SecretEditorViewModel(console));
    }

    @AfterEach
    void tearDown() {
        console.close();
    }

    @Test
    void formProblemsAreReportedOneAtATime() {
        Fx.run(() -> vm.pathProperty().set("a//b"));
        assertTrue(vm.validate().orElseThrow().startsWith("Path:"));
        Fx.run(() -> {
            vm.pathProperty().set("a/b");
            vm.addField();
        });
        assertEquals("Every field needs a name.", vm.validate().orElseThrow());
        Fx.run(() -> vm.fields().get(1).nameProperty().set("value"));
        assertEquals("The field name value is used twice.", vm.validate().orElseThrow());
        Fx.run(() -> {
            vm.fields().get(1).nameProperty().set("user");
            vm.expiresProperty().set("next week");
        });
        assertTrue(vm.validate().orElseThrow().startsWith("Expiry:"));
        Fx.run(() -> vm.expiresProperty().set("2027-01-31"));
        assertTrue(vm.validate().isEmpty());
    }

    @Test
    void createWritesFieldsAndMetadataAndRefusesAnExistingPath() {
        AtomicReference<String> saved = new AtomicReference<>();
        Fx.run(() -> {
            vm.pathProperty().set("team/new");
            vm.fields().get(0).valueProperty().set("v1");
            vm.ownerProperty().set("platform");
            vm.criticalityProperty().set("high");
            vm.save(saved::set);
        });
        Fx.until(() -> saved.get() != null);
        var c = console.caller(null);
        assertEquals(SecretData.of(Map.of("value", "v1")), console.vault().secrets().read(c, "team/new", 0).data());
        assertEquals("platform", console.vault().secrets().readMetadata(c, "team/new").customMetadata().get("owner"));
        SecretEditorViewModel again = Fx.call(() -> new SecretEditorViewModel(console));
        Fx.run(() -> {
            again.pathProperty().set("team/new");
            again.save(p -> { });
        });
        Fx.until(() -> !again.errorProperty().get().isEmpty());
        assertTrue(again.errorProperty().get().contains("already exists"));
    }

    @Test
    void editDetectsAConcurrentChange() {
        var c = console.caller(null);
        console.vault().secrets().write(c, "team/x", SecretData.of(Map.of("value", "1")), null);
        Fx.run(() -> vm.load("team/x"));
        Fx.until(() -> "1".equals(vm.fields().isEmpty() ? null : vm.fields().get(0).valueProperty().get()));
        console.vault().secrets().write(c, "team/x", SecretData.of(Map.of("value", "2")), null);
        Fx.run(() -> {
            vm.fields().get(0).valueProperty().set("3");
            vm.save(p -> { });
        });
        Fx.until(() -> !vm.errorProperty().get().isEmpty());
        assertEquals("2", console.vault().secrets().read(c, "team/x", 0).data().field("value"));
        assertFalse(vm.errorProperty().get().contains("3"));
    }
}
