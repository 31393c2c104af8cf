package dev.keyward.vault.api;

/** What started a rotation; recorded with every run and in its audit entries. */
public enum RotationTrigger {
    /** The secret's schedule came due. */
    SCHEDULE,
    /** An operator asked for it (console, CLI, API), with a reason. */
    MANUAL,
    /** A pipeline's deployment event ({@code POST /v1/kw/rotation/<path>/trigger}). */
    DEPLOYMENT,
    /** Containment: the credential is suspected to be compromised. */
    COMPROMISE,
    /** The secret's {@code expires_at} is within the configured lead time. */
    EXPIRY;

    /** The spelling in audit entries and on the wire, e.g. {@code compromise}. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
