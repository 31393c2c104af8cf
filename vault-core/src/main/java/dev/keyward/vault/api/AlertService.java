package dev.keyward.vault.api;

/**
 * Alerts: raised by the anomaly detectors and by other features, delivered to the console, a
 * JSON-lines file, syslog and signed webhooks, and worked through by operators. Every call goes
 * through the guarded door and is audited.
 */
public interface AlertService {

    /** Raises an alert (audited, stored, delivered); returns its id. */
    String raise(Caller caller, AlertSpec spec);
}
