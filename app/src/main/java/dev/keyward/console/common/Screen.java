package dev.keyward.console.common;

/** Every screen of the console, with its FXML file (same name and package as its View and ViewModel). */
public enum Screen {
    INIT("init/Init.fxml", "Set up"),
    UNLOCK("unlock/Unlock.fxml", "Unlock"),
    MAIN("main/Main.fxml", "Keyward"),
    DASHBOARD("dashboard/Dashboard.fxml", "Dashboard"),
    SECRETS("secrets/Secrets.fxml", "Secrets"),
    SECRET_EDITOR("secrets/SecretEditor.fxml", "Secret"),
    POLICIES("policies/Policies.fxml", "Policies"),
    IDENTITIES("identities/Identities.fxml", "Identities"),
    AUDIT("audit/Audit.fxml", "Audit"),
    APPROVALS("approvals/Approvals.fxml", "Approvals"),
    ROTATION("rotation/Rotation.fxml", "Rotation"),
    ALERTS("alerts/Alerts.fxml", "Alerts"),
    BACKUP("backup/Backup.fxml", "Backup"),
    RESTORE("backup/Restore.fxml", "Restore"),
    SETTINGS("settings/Settings.fxml", "Settings");

    private final String fxml;
    private final String title;

    Screen(String fxml, String title) {
        this.fxml = fxml;
        this.title = title;
    }

    /** The FXML resource, relative to the package {@code dev.keyward.console}. */
    public String fxml() {
        return "/dev/keyward/console/" + fxml;
    }

    /** A title safe to show in the window title bar (never data). */
    public String title() {
        return title;
    }
}
