package dev.keyward.vault.api;

/** Checks of the vault's own integrity. Every call goes through the guarded door and is audited. */
public interface IntegrityService {

    /**
     * Checks every stored record: each opens under its binding (nothing was altered or moved and
     * no key was damaged), every folder index entry leads to a record, every secret's metadata and
     * version records agree, and no record has a key no feature uses. The audit log's own records
     * are checked by {@link AuditService#verify}.
     */
    StorageCheck checkStorage(Caller caller);
}
