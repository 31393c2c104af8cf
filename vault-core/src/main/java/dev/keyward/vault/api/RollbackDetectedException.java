package dev.keyward.vault.api;

/**
 * The vault's audit log is older than a tree head already published outside the vault directory:
 * the directory was restored from an older copy or rolled back. Unseal refuses unless the rollback
 * is accepted on purpose ({@code VaultOptions.withAcceptRollback}), which is audited.
 */
public class RollbackDetectedException extends IntegrityException {
    private static final long serialVersionUID = 1L;

    public RollbackDetectedException(String message) {
        super(message);
    }
}
