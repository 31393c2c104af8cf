package dev.keyward.console.identities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.Fx;
import dev.keyward.console.MemoryClipboard;
import dev.keyward.console.MutableClock;
import dev.keyward.console.TestConsoles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentitiesViewModelTest {
    @TempDir
    Path home;
    private ConsoleViewModel console;
    private IdentitiesViewModel vm;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    @BeforeEach
    void setUp() {
        console = TestConsoles.unlocked(TestConsoles.config(home, MutableClock.now(), new MemoryClipboard()));
        vm = Fx.call(() -> new IdentitiesViewModel(console));
        Fx.run(vm::reload);
        Fx.until(() -> vm.operators().size() == 1);
    }

    @AfterEach
    void tearDown() {
        console.close();
    }

    @Test
    void createAppRoleThenIssueASecretIdShownOnceAndNotPrinted() {
        Fx.run(() -> vm.createAppRole("ci-deploy", "", "platform"));
        Fx.until(() -> vm.appRoles().size() == 1);
        AtomicReference<IdentitiesViewModel.IssuedSecretId> shown = new AtomicReference<>();
        Fx.run(() -> vm.issueSecretId("ci-deploy", null, shown::set));
        Fx.until(() -> shown.get() != null);
        assertNotNull(shown.get().secretId());
        assertFalse(shown.get().toString().contains(shown.get().secretId()));
        assertFalse(vm.infoProperty().get().contains(shown.get().secretId()));
    }

    @Test
    void wrappedSecretIdComesAsASingleUseToken() {
        Fx.run(() -> vm.createAppRole("ci-deploy", "", "platform"));
        Fx.until(() -> vm.appRoles().size() == 1);
        AtomicReference<IdentitiesViewModel.IssuedSecretId> shown = new AtomicReference<>();
        Fx.run(() -> vm.issueSecretId("ci-deploy", Duration.ofMinutes(5), shown::set));
        Fx.until(() -> shown.get() != null);
        assertNull(shown.get().secretId());
        assertNotNull(shown.get().wrappingToken());
    }

    @Test
    void invalidRoleNameIsRefusedBeforeAnyCall() {
        Fx.run(() -> vm.createAppRole("bad name!", "", null));
        assertFalse(vm.errorProperty().get().isEmpty());
    }

    @Test
    void revokingTheSessionTokenListsOneTokenLess() {
        Fx.until(() -> !vm.tokens().isEmpty());
        int before = vm.tokens().size();
        String other = console.vault().auth().login(TestConsoles.ADMIN, TestConsoles.ADMIN_PASS.toCharArray(), "x")
                .accessor();
        Fx.run(vm::reload);
        Fx.until(() -> vm.tokens().size() == before + 1);
        Fx.run(() -> vm.revokeToken(other));
        Fx.until(() -> vm.tokens().size() == before);
        assertTrue(vm.tokens().stream().noneMatch(t -> t.accessor().equals(other)));
    }

    @Test
    void policyNamesAreSplitOnCommasAndSpaces() {
        assertEquals(List.of("a", "b", "c"), IdentitiesViewModel.names("a, b  c"));
    }
}
