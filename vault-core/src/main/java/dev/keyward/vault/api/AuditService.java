package dev.keyward.vault.api;

import java.nio.file.Path;
import java.util.List;

/**
 * The tamper-evident audit log: review, signed tree heads, proofs, verification and export.
 * Every call goes through the guarded door and is itself audited. Offline verification of an
 * exported bundle needs no vault: {@code dev.keyward.vault.Keyward.verifyAuditBundle}.
 */
public interface AuditService {

    /** Entries matching the query, ordered by sequence. */
    AuditPage query(Caller caller, AuditQuery query);

    /** The latest signed tree head (its fingerprint is what operators record). */
    TreeHead latestHead(Caller caller);

    /** Signed heads with a tree size greater than {@code afterSize}, oldest first, at most {@code limit}. */
    List<TreeHead> heads(Caller caller, long afterSize, int limit);

    /** Signs a head over every entry now in the log (including this call's own entry). */
    TreeHead issueHead(Caller caller);

    /**
     * Signs a head over every entry now in the log (as {@link #issueHead}) and returns it as a C2SP
     * checkpoint (c2sp.org/tlog-checkpoint), which standard transparency-log verifiers check.
     */
    AuditCheckpoint checkpoint(Caller caller);

    /** Inclusion proof of entry {@code sequence} in the signed head of size {@code treeSize} (0 = latest head). */
    InclusionProof inclusionProof(Caller caller, long sequence, long treeSize);

    /** Consistency proof between the signed heads of sizes {@code fromSize} and {@code toSize} (0 = latest head). */
    ConsistencyProof consistencyProof(Caller caller, long fromSize, long toSize);

    /**
     * Recomputes the whole live log: entries, Merkle tree, every signed head. With a
     * {@code recordedFingerprint} (nullable) it also checks that this head is in the log.
     */
    AuditVerification verify(Caller caller, String recordedFingerprint, AuditProgress progress);

    /** Issues a head, then writes entries, heads and public keys to {@code file} (must not exist). */
    AuditExport exportBundle(Caller caller, Path file, AuditProgress progress);

    /**
     * The log's identity: the hex leaf hash of its first entry (the vault's init), stable for the
     * vault's life. Clients that keep the newest head they have seen key it by this.
     */
    String logId(Caller caller);

    /** HMAC-SHA256 of a token under the vault's audit key, as it appears in {@code credentialHmac}. */
    String hmac(Caller caller, String value);

    /**
     * Writes a request that a transport refused before it reached a service to the durable log,
     * as operation {@code request.refused}: resource {@code "METHOD /path"}, decision DENY, outcome
     * FAILURE, errorClass {@code "HTTP <status>"}, rule the reason (with the count when the entry
     * stands for several requests), the identity of the presented token if it is a live token,
     * and the token's HMAC. For the vault's own transports; it needs no credential and changes
     * nothing but the log. Never throws: returns false when the entry could not be written (the
     * vault is sealed, or the write failed); the transport's answer is the refusal either way.
     */
    boolean recordRefused(RefusedRequest request);
}
