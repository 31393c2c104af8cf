package dev.keyward.console.main;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.audit.AuditView;
import dev.keyward.console.audit.AuditViewModel;
import dev.keyward.console.common.Screen;
import dev.keyward.console.common.ScreenView;
import dev.keyward.console.dashboard.DashboardView;
import dev.keyward.console.dashboard.DashboardViewModel;
import dev.keyward.console.identities.IdentitiesView;
import dev.keyward.console.identities.IdentitiesViewModel;
import dev.keyward.console.policies.PoliciesView;
import dev.keyward.console.policies.PoliciesViewModel;
import dev.keyward.console.secrets.SecretsView;
import dev.keyward.console.secrets.SecretsViewModel;
import dev.keyward.console.settings.SettingsView;
import dev.keyward.console.settings.SettingsViewModel;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.feather.Feather;

/**
 * The sidebar, in order: each entry is a screen, its icon and how its View and ViewModel are made.
 * A new screen (rotation, approvals, alerts, backup) is one entry here, plus its FXML in
 * {@link Screen}.
 */
public enum Nav {
    DASHBOARD(Screen.DASHBOARD, Feather.ACTIVITY, c -> new DashboardView(new DashboardViewModel(c))),
    SECRETS(Screen.SECRETS, Feather.KEY, c -> new SecretsView(new SecretsViewModel(c), c)),
    POLICIES(Screen.POLICIES, Feather.SHIELD, c -> new PoliciesView(new PoliciesViewModel(c))),
    IDENTITIES(Screen.IDENTITIES, Feather.USERS, c -> new IdentitiesView(new IdentitiesViewModel(c))),
    AUDIT(Screen.AUDIT, Feather.FILE_TEXT, c -> new AuditView(new AuditViewModel(c))),
    APPROVALS(Screen.APPROVALS, Feather.CHECK_SQUARE, c -> new dev.keyward.console.approvals.ApprovalsView(
            new dev.keyward.console.approvals.ApprovalsViewModel(c, dev.keyward.console.approvals.ApprovalsBadge.of(c)))),
    ROTATION(Screen.ROTATION, Feather.REFRESH_CW, c -> new dev.keyward.console.rotation.RotationView(
            new dev.keyward.console.rotation.RotationViewModel(c))),
    ALERTS(Screen.ALERTS, Feather.ALERT_TRIANGLE, c -> new dev.keyward.console.alerts.AlertsView(
            new dev.keyward.console.alerts.AlertsViewModel(c))),
    BACKUP(Screen.BACKUP, Feather.ARCHIVE, c -> new dev.keyward.console.backup.BackupView(
            new dev.keyward.console.backup.BackupViewModel(c))),
    SETTINGS(Screen.SETTINGS, Feather.SETTINGS, c -> new SettingsView(new SettingsViewModel(c)));

    private final Screen screen;
    private final Ikon icon;
    private final Function<ConsoleViewModel, ScreenView> factory;

    Nav(Screen screen, Ikon icon, Function<ConsoleViewModel, ScreenView> factory) {
        this.screen = screen;
        this.icon = icon;
        this.factory = factory;
    }

    public Screen screen() {
        return screen;
    }

    public Ikon icon() {
        return icon;
    }

    /** Builds the screen's View (and its ViewModel) the first time it is shown. */
    public ScreenView create(ConsoleViewModel console) {
        return factory.apply(console);
    }

    public static Optional<Nav> of(Screen s) {
        return Arrays.stream(values()).filter(n -> n.screen == s).findFirst();
    }

    /** The sidebar's screens, in order. */
    public static List<Screen> screens() {
        return Arrays.stream(values()).map(Nav::screen).toList();
    }
}
