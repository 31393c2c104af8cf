package dev.keyward.console.policies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.Fx;
import dev.keyward.console.MemoryClipboard;
import dev.keyward.console.MutableClock;
import dev.keyward.console.TestConsoles;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.PolicyService.IdentityRef;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoliciesViewModelTest {
    @TempDir
    Path home;
    private ConsoleViewModel console;
    private PoliciesViewModel vm;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    @BeforeEach
    void setUp() {
        console = TestConsoles.unlocked(TestConsoles.config(home, MutableClock.now(), new MemoryClipboard()));
        vm = Fx.call(() -> new PoliciesViewModel(console));
        Fx.run(vm::reload);
        Fx.until(() -> vm.yamlProperty().get().startsWith("keyward: 1") && !vm.policies().isEmpty());
    }

    @AfterEach
    void tearDown() {
        console.close();
    }

    @Test
    void malformedYamlReportsItsLineAndColumn() {
        Fx.run(() -> vm.yamlProperty().set("keyward: 1\npolicies:\n  - name: ci\n    rules:\n      - path: secret/*\n"
                + "     capabilities: [read]\n"));
        Fx.run(vm::validate);
        Fx.until(() -> vm.errorLineProperty().get() > 0);
        assertEquals(6, vm.errorLineProperty().get());
        assertTrue(vm.yamlMessageProperty().get().startsWith("Line 6, column"));
    }

    @Test
    void exportedDocumentValidatesWithNoChanges() {
        Fx.run(vm::validate);
        Fx.until(() -> !vm.yamlMessageProperty().get().isEmpty());
        assertEquals("Valid. Applying it would change nothing.", vm.yamlMessageProperty().get());
    }

    @Test
    void applyNeedsAReason() {
        Fx.run(() -> vm.apply(" "));
        assertTrue(vm.yamlMessageProperty().get().startsWith("Say why"));
    }

    @Test
    void explainNamesTheDecidingRule() {
        Fx.run(() -> vm.explain(IdentityRef.Type.OPERATOR, "admin", Operation.SECRET_READ, "team/x"));
        Fx.until(() -> !vm.explanationProperty().get().isEmpty());
        assertTrue(vm.explanationProperty().get().startsWith("ALLOWED by policy:admin"), vm.explanationProperty().get());
    }

    @Test
    void builtInPolicyHasAHistory() {
        Fx.run(() -> vm.select("admin"));
        Fx.until(() -> !vm.history().isEmpty());
        assertEquals("admin", vm.history().get(0).name());
    }
}
