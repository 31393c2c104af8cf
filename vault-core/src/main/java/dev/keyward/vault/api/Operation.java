package dev.keyward.vault.api;

/**
 * Everything the guarded door can be asked to do. Each audit entry names one; policies grant
 * capabilities that map onto them.
 */
public enum Operation {
    VAULT_INIT("vault.init"),
    VAULT_UNSEAL("vault.unseal"),
    VAULT_SEAL("vault.seal"),
    VAULT_STATUS("vault.status"),
    KEY_ROTATE("key.rotate"),
    KEY_REWRAP("key.rewrap"),
    KEY_STATUS("key.status"),
    ROOT_KEY_ROTATE("key.root.rotate"),
    SEAL_PASSPHRASE_CHANGE("seal.passphrase.change"),
    SEAL_REKEY("seal.rekey"),
    SEAL_MIGRATE("seal.migrate"),
    OPERATOR_LOGIN("operator.login"),
    OPERATOR_LOGOUT("operator.logout"),
    OPERATOR_CREATE("operator.create"),
    TOKEN_LOOKUP("token.lookup"),
    SECRET_READ("secret.read"),
    SECRET_WRITE("secret.write"),
    SECRET_PATCH("secret.patch"),
    SECRET_DELETE("secret.delete"),
    SECRET_UNDELETE("secret.undelete"),
    SECRET_DESTROY("secret.destroy"),
    SECRET_LIST("secret.list"),
    METADATA_READ("metadata.read"),
    METADATA_WRITE("metadata.write"),
    METADATA_DELETE("metadata.delete"),
    KV_CONFIG_READ("kv.config.read"),
    KV_CONFIG_WRITE("kv.config.write"),
    AUDIT_READ("audit.read"),
    OPERATOR_LIST("operator.list"),
    OPERATOR_UPDATE("operator.update"),
    APPROLE_LOGIN("approle.login"),
    APPROLE_WRITE("approle.write"),
    APPROLE_READ("approle.read"),
    APPROLE_DELETE("approle.delete"),
    SECRET_ID_ISSUE("approle.secret-id.issue"),
    SECRET_ID_REVOKE("approle.secret-id.revoke"),
    WRAP_UNWRAP("wrapping.unwrap"),
    CERT_LOGIN("cert.login"),
    CERT_WRITE("cert.write"),
    CERT_READ("cert.read"),
    CERT_DELETE("cert.delete"),
    TOKEN_RENEW("token.renew"),
    TOKEN_REVOKE("token.revoke"),
    TOKEN_LIST("token.list"),
    POLICY_READ("policy.read"),
    POLICY_WRITE("policy.write"),
    POLICY_EXPLAIN("policy.explain"),
    POLICY_EXPORT("policy.export"),
    POLICY_APPLY("policy.apply"),
    ROLE_READ("role.read"),
    ROLE_WRITE("role.write"),
    ENTITLEMENT_REPORT("entitlement.report"),
    /** A leak scan: start, one batch of documents, end (each its own audited call). */
    GOVERNANCE_SCAN("governance.scan"),
    /** An automation's declared boundary against its grants. */
    GOVERNANCE_CHECK("governance.check"),
    /** Records the documented baseline of grants. */
    GOVERNANCE_BASELINE("governance.baseline"),
    /** Adds or revokes an exception for a grant outside the baseline. */
    GOVERNANCE_EXCEPTION("governance.exception"),
    /** Sets the review schedule, opens reviews, attests a grant under review. */
    GOVERNANCE_REVIEW("governance.review"),
    /** The access-review job's run: opens due reviews, closes overdue ones (a system principal's call). */
    GOVERNANCE_REVIEW_SWEEP("governance.review.sweep"),
    /** A compromise drill on a scratch copy (its authorization at the start, its result at the end). */
    GOVERNANCE_DRILL("governance.drill"),
    /** Reads governance records: baseline, exceptions, reviews, reports, drills. */
    GOVERNANCE_READ("governance.read"),
    /** Adds or removes a webhook subscription (propagation of secret changes). */
    WEBHOOK_WRITE("webhook.write"),
    /** Lists webhooks and their delivery status. */
    WEBHOOK_READ("webhook.read"),
    /** Sends a test delivery to a webhook. */
    WEBHOOK_TEST("webhook.test"),
    /** A poll of the secret-change feed (audited when it returns events; each filtered by read access). */
    EVENTS_READ("events.read"),

    /** A secret's rotation config set or replaced. */
    ROTATION_CONFIG_SET("rotation.config.set"),
    /** A secret's rotation config removed. */
    ROTATION_CONFIG_DELETE("rotation.config.delete"),
    /** Reads rotation configs, schedules, previews and history. */
    ROTATION_READ("rotation.read"),
    /** The next scheduled run set by hand. */
    ROTATION_NEXT_SET("rotation.next.set"),
    /** A rotation asked for (by hand, a deployment event, containment, the schedule, an expiry). */
    ROTATION_RUN_START("rotation.run.start"),
    /** A rotation's steps, each recorded before it runs. */
    ROTATION_STEP_PENDING("rotation.step.pending"),
    ROTATION_STEP_SET("rotation.step.set"),
    ROTATION_STEP_TEST("rotation.step.test"),
    ROTATION_STEP_FINISH("rotation.step.finish"),
    /** A rotation finished: the new version is current. */
    ROTATION_RUN_FINISH("rotation.run.finish"),
    /** A rotation failed and was rolled back (the target restored, the pending value dropped). */
    ROTATION_RUN_ROLLED_BACK("rotation.run.rolled-back"),
    /** A rotation stopped retrying: an operator must look. */
    ROTATION_RUN_NEEDS_ATTENTION("rotation.run.needs-attention"),
    /** A rotation waits for its paired secret. */
    ROTATION_RUN_POSTPONED("rotation.run.postponed"),
    /** The previous version's grace ended: revoked on the target, destroyed per the config. */
    ROTATION_GRACE_REVOKE("rotation.grace.revoke"),
    /** A scheduled slot passed while the vault could not run it (its window ended). */
    ROTATION_SLOT_MISSED("rotation.slot.missed"),
    /** Raises an alert (a detector's or another feature's). */
    ALERT_RAISE("alert.raise"),
    /** Lists or shows alerts, containment status, detector configuration. */
    ALERT_READ("alert.read"),
    ALERT_ACK("alert.ack"),
    ALERT_RESOLVE("alert.resolve"),
    ALERT_FALSE_POSITIVE("alert.false-positive"),
    /** Replaces the detector and containment configuration. */
    ALERT_CONFIG("alert.config"),
    /** Containment actions (by the containment job) and their undo (by an operator). */
    CONTAINMENT_REVOKE_TOKENS("containment.revoke-tokens"),
    CONTAINMENT_LOCK("containment.lock"),
    CONTAINMENT_READ_ONLY("containment.read-only"),
    CONTAINMENT_RISK("containment.risk"),
    CONTAINMENT_ROTATE("containment.rotate"),
    CONTAINMENT_SEAL("containment.seal"),
    CONTAINMENT_UNDO("containment.undo"),

    AUDIT_EXPORT("audit.export"),
    /** Unsealing a vault whose audit log is older than a published head, accepted on purpose. */
    ROLLBACK_ACCEPT("audit.rollback.accept"),
    /** keyward check storage: every record opens, indexes and versions agree. */
    STORAGE_CHECK("storage.check"),
    /** An encrypted backup of the vault (keyward backup; scheduled backups). */
    VAULT_BACKUP("vault.backup"),
    /** A vault restored from a backup: the first entry the restored vault writes. */
    VAULT_RESTORE("vault.restore"),
    /** keyward check credentials: each configured rotator's read-only check against its target. */
    ROTATION_CHECK("rotation.check"),
    /** A request a transport refused before it reached a service (see AuditService#recordRefused). */
    REQUEST_REFUSED("request.refused"),
    /** A response kept under a single-use wrapping token. */
    WRAP_WRAP("wrapping.wrap"),
    /** A wrapping token's creation path, time and TTL, read without opening it. */
    WRAP_LOOKUP("wrapping.lookup"),
    /** A wrapping token's content moved under a new wrapping token. */
    WRAP_REWRAP("wrapping.rewrap"),

    /** Approvals: tracks and gates changed. */
    APPROVAL_CONFIG("approval.config"),
    /** Approvals: tracks, gates, requests read. */
    APPROVAL_READ("approval.read"),
    /** A request opened. */
    APPROVAL_REQUEST("approval.request"),
    /** A signed approval. */
    APPROVAL_APPROVE("approval.approve"),
    /** A signed denial. */
    APPROVAL_DENY("approval.deny"),
    /** A request or grant withdrawn. */
    APPROVAL_CANCEL("approval.cancel"),
    /** A gated operation asked the gate (refused when no grant was presented). */
    APPROVAL_GATE("approval.gate"),
    /** A grant consumed by the operation it is bound to. */
    APPROVAL_GRANT_USE("approval.grant.use"),
    /** A pending request or a grant ran out of time (the expiry sweep). */
    APPROVAL_GRANT_EXPIRE("approval.grant.expire"),
    /** A just-in-time elevation started. */
    APPROVAL_ELEVATION_START("approval.elevation.start"),
    /** A just-in-time elevation ended (by its user, or at expiry by the sweep). */
    APPROVAL_ELEVATION_END("approval.elevation.end"),
    /** A soft gate bypassed with a reason. */
    APPROVAL_BREAK_GLASS("approval.break-glass"),
    /** An operator's signing key created or replaced. */
    APPROVAL_KEY("approval.key");

    private final String id;

    Operation(String id) {
        this.id = id;
    }

    /** The stable name used in audit entries and policies. */
    public String id() {
        return id;
    }
}
