package dev.keyward.vault.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.TreeHead;
import java.util.List;

/**
 * The JSON forms of tree heads and verification results, the same for the HTTPS routes and the
 * CLI's offline verification. Member names are snake_case; a head carries its time twice: as
 * RFC 3339 text ({@code timestamp}, for people) and as the integer milliseconds the signed bytes
 * use ({@code timestamp_ms}, for verifiers). See docs/audit-format.md.
 */
public final class AuditJson {
    private AuditJson() {
    }

    /**
     * A signed tree head; {@code logId} (not signed) names the log it belongs to (the hex leaf hash
     * of the log's first entry), where the route knows it, else null.
     */
    public record HeadDto(long treeSize, String rootHash, String timestamp, long timestampMs, String keyId,
                          String algorithm, String signature, String fingerprint, String logId) {
        public static HeadDto of(TreeHead h) {
            return of(h, null);
        }

        public static HeadDto of(TreeHead h, String logId) {
            return new HeadDto(h.treeSize(), h.rootHash(), VaultApi.time(h.timestamp()), h.timestamp().toEpochMilli(),
                    h.keyId(), h.algorithm(), h.signature(), h.fingerprint(), logId);
        }
    }

    /** A verification result (live log or bundle). */
    public record VerifyDto(boolean ok, long entries, long bytes, int headsVerified, HeadDto latest,
                            List<String> problems, List<String> warnings) {
        public static VerifyDto of(AuditVerification v) {
            return of(v, null);
        }

        public static VerifyDto of(AuditVerification v, String logId) {
            return new VerifyDto(v.ok(), v.entries(), v.bytes(), v.headsVerified(),
                    v.latest() == null ? null : HeadDto.of(v.latest(), logId),
                    v.problems().stream().map(Object::toString).toList(), v.warnings());
        }
    }

    /** A verification result as a JSON tree. */
    public static JsonNode verification(AuditVerification v) {
        return Dto.JSON.valueToTree(VerifyDto.of(v));
    }
}
