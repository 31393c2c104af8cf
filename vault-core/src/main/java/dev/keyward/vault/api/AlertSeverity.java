package dev.keyward.vault.api;

/** How bad an alert is; containment is configured per detector and severity. */
public enum AlertSeverity {
    INFO, LOW, MEDIUM, HIGH, CRITICAL;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
