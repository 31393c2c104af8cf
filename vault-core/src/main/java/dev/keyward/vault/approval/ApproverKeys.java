package dev.keyward.vault.approval;

import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.ApprovalService.SigningKey;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.identity.OperatorRecord;
import dev.keyward.vault.storage.StorageTx;
import java.time.Instant;
import java.util.List;

/**
 * Approvers' Ed25519 signing keys (vault-held, sealed with the operator's passphrase, or
 * registered by the operator) under {@code appr/k/}, and who created each automation identity
 * (who may therefore not approve its elevation) under {@code appr/c/}.
 */
public final class ApproverKeys {
    private final ApprovalRecords records;

    ApproverKeys(ApprovalRecords records) {
        this.records = records;
    }

    public Signing.KeyRec key(StorageTx tx, String operatorId) {
        return records.get(tx, records.id(Approvals.KEYS, "key", operatorId), Signing.KeyRec.class);
    }

    /** Creates an operator's vault-held key (at operator creation, or on first use). */
    public Signing.KeyRec createKey(StorageTx tx, OperatorRecord op, char[] passphrase, Instant now) {
        Argon2Parameters kdf = new Argon2Parameters(op.passphrase().memoryKiB(), op.passphrase().iterations(),
                op.passphrase().parallelism());
        Signing.KeyRec k = Signing.create(op.id(), op.name(), passphrase, kdf, now);
        records.put(tx, records.id(Approvals.KEYS, "key", op.id()), k);
        return k;
    }

    /** The key, created from the passphrase when the operator has none (it must be their login passphrase). */
    public Signing.KeyRec keyOrCreate(StorageTx tx, OperatorRecord op, char[] passphrase, Instant now) {
        Signing.KeyRec k = key(tx, op.id());
        if (k != null) {
            return k;
        }
        if (passphrase == null || !op.passphrase().matches(passphrase)) {
            throw new AccessDeniedException("The passphrase is not yours: your signing key is created from your passphrase.");
        }
        return createKey(tx, op, passphrase, now);
    }

    public Signing.KeyRec registerKey(StorageTx tx, OperatorRecord op, String publicKey, char[] passphrase,
                                      Instant now) {
        if (passphrase == null || !op.passphrase().matches(passphrase)) {
            throw new AccessDeniedException("Replacing your signing key needs your passphrase.");
        }
        String raw = Signing.parsePublicKey(publicKey);
        Signing.KeyRec prev = key(tx, op.id());
        Signing.KeyRec k = prev == null
                ? new Signing.KeyRec(op.id(), op.name(), raw, Signing.keyId(java.util.Base64.getDecoder().decode(raw)),
                null, 0, 0, 0, null, now, List.of())
                : prev.replacedBy(raw, now);
        records.put(tx, records.id(Approvals.KEYS, "key", op.id()), k);
        return k;
    }

    public static SigningKey view(Signing.KeyRec k) {
        return new SigningKey(k.operator(), k.keyId(), k.publicKey(), k.vaultHeld(), k.createdAt());
    }

    public void recordCreator(StorageTx tx, String identity, String createdBy, Instant now) {
        String key = records.id(Approvals.CREATORS, "creator", identity);
        if (tx.get(key) == null) {
            records.put(tx, key, new Approvals.Creator(identity, createdBy, now));
        }
    }

    public String creatorOf(StorageTx tx, String identity) {
        Approvals.Creator c = records.get(tx, records.id(Approvals.CREATORS, "creator", identity), Approvals.Creator.class);
        return c == null ? null : c.createdBy();
    }
}
