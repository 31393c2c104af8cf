package dev.keyward.console.defects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.Fx;
import dev.keyward.console.Ui;
import dev.keyward.console.UnlockedWindow;
import dev.keyward.console.common.Screen;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.NotFoundException;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Creating an AppRole with an unknown policy was accepted, and an existing AppRole was silently overwritten. */
class AppRoleTest {
    @TempDir
    Path home;
    UnlockedWindow ui;

    @BeforeEach
    void open() throws Exception {
        ui = UnlockedWindow.open(home);
        ui.show(Screen.IDENTITIES);
    }

    @AfterEach
    void close() {
        ui.close();
    }

    private void create(String name, String policies, String owner) {
        Ui.type(ui.robot, "#newRoleName", name);
        Ui.type(ui.robot, "#newRolePolicies", policies);
        Ui.type(ui.robot, "#newRoleOwner", owner);
        Button create = Fx.call(() -> ui.robot.lookup(".button").queryAll().stream()
                .filter(n -> n instanceof Button b && "Create".equals(b.getText()) && Ui.shown(b))
                .map(n -> (Button) n).findFirst().orElseThrow());
        ui.robot.clickOn(create);
    }

    @Test
    void anUnknownPolicyIsRefusedAndNothingIsCreated() {
        create("ci", "nope", "team-a");
        Label error = ui.find("#error", Label.class);
        Fx.until(() -> !error.getText().isEmpty() || !ui.find("#info", Label.class).getText().isEmpty());
        assertTrue(Fx.call(error::getText).contains("nope"), Fx.call(error::getText));
        assertThrows(NotFoundException.class, () -> ui.vault().identities().readAppRole(ui.admin(), "ci"));
    }

    @Test
    void anExistingAppRoleIsNotOverwritten() {
        ui.vault().identities().putAppRole(ui.admin(), new IdentityService.AppRoleSpec("ci", List.of(), null, null,
                0, List.of(), null, 0, List.of(), "team-a", "the original"));
        create("ci", "", "team-b");
        Label error = ui.find("#error", Label.class);
        Fx.until(() -> !error.getText().isEmpty() || !ui.find("#info", Label.class).getText().isEmpty());
        assertTrue(Fx.call(error::getText).contains("exists"), Fx.call(error::getText));
        assertEquals("team-a", ui.vault().identities().readAppRole(ui.admin(), "ci").spec().owner());
    }

    @Test
    void ttlUseCountAndCidrSettingsAreSavedAndTheRoleCanBeDeleted() throws Exception {
        Ui.type(ui.robot, "#roleTokenTtl", "15m");
        Ui.type(ui.robot, "#roleTokenMaxTtl", "2h");
        Ui.type(ui.robot, "#roleTokenUses", "5");
        Ui.type(ui.robot, "#roleTokenCidrs", "10.0.0.0/8");
        Ui.type(ui.robot, "#roleSecretIdTtl", "1d");
        Ui.type(ui.robot, "#roleSecretIdUses", "3");
        Ui.type(ui.robot, "#roleSecretIdCidrs", "127.0.0.1/32");
        create("deploy", "", "team-c");
        Fx.until(() -> ui.find("#info", Label.class).getText().contains("created"));
        IdentityService.AppRoleSpec spec = ui.vault().identities().readAppRole(ui.admin(), "deploy").spec();
        assertEquals(java.time.Duration.ofMinutes(15), spec.tokenTtl());
        assertEquals(java.time.Duration.ofHours(2), spec.tokenMaxTtl());
        assertEquals(5, spec.tokenNumUses());
        assertEquals(List.of("10.0.0.0/8"), spec.tokenBoundCidrs());
        assertEquals(java.time.Duration.ofDays(1), spec.secretIdTtl());
        assertEquals(3, spec.secretIdNumUses());
        assertEquals(List.of("127.0.0.1/32"), spec.secretIdBoundCidrs());
        Object view = ui.window.main().view(Screen.IDENTITIES);
        var f = view.getClass().getDeclaredField("vm");
        f.setAccessible(true);
        var vm = (dev.keyward.console.identities.IdentitiesViewModel) f.get(view);
        Fx.run(() -> vm.deleteAppRole("deploy"));
        Fx.until(() -> ui.find("#info", Label.class).getText().contains("deleted"));
        assertThrows(NotFoundException.class, () -> ui.vault().identities().readAppRole(ui.admin(), "deploy"));
    }
}
