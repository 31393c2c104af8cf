package dev.keyward.vault.api;

/**
 * An open vault directory: the one guarded door for the console, the HTTPS endpoint and the
 * CLI. Obtain one with {@code dev.keyward.vault.Keyward.open}. Closing it seals it.
 */
public interface Vault extends AutoCloseable {

    LifecycleService lifecycle();

    AuthService auth();

    SecretsService secrets();

    /** Barrier-sealed records for the vault's own transports (TLS material); system use only. */
    SealedBlobs sealedBlobs();

    /** Key rotation, rewrap, root-key rotation, passphrase change, rekey and seal migration. */
    KeyService keys();
    IdentityService identities();

    PolicyService policies();

    /** Governance: leak scan, boundary checks, exceptions, access reviews, the compliance report. */
    GovernanceService governance();

    /** Rotation: configs, schedules, runs (staged, audited), history. */
    RotationService rotation();

    /** Credential checks for CI: each configured rotator's read-only check against its target. */
    CredentialCheckService credentialChecks();

    /** The tamper-evident audit log: review, signed heads, proofs, verification, export. */
    AuditService audit();

    /** Approvals: requests, signed reviews, grants, just-in-time elevation, break-glass. */
    ApprovalService approvals();
    /** Alerts and containment: anomaly detectors' and other features' alerts, worked through by operators. */
    AlertService alerts();

    /** Checks of the vault's own storage (keyward check storage). */
    IntegrityService integrity();

    /** Encrypted backups of the running vault (keyward backup); see docs/backup.md. */
    default BackupService backups() {
        throw new UnsupportedOperationException("this vault takes no backups");
    }

    /** Propagation of secret changes: webhooks and the change feed that watchers poll. */
    default NotificationService notifications() {
        throw new UnsupportedOperationException("this vault has no change notifications");
    }

    @Override
    void close();
}
