package dev.keyward.vault.server;

import com.fasterxml.jackson.annotation.JsonProperty;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.util.List;
import java.util.Map;

/**
 * The records on the wire: Vault's JSON shapes with snake_case names. Domain records never reach
 * the HTTP boundary; these do. Every envelope key is always written, {@code null} when empty.
 */
public final class Dto {
    private Dto() {
    }

    /** The one mapper of the HTTP boundary: snake_case, nulls written, unknown fields ignored. */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT) // {"versions":[1.5]} is not version 1
            .build();

    static {
        // A string where a number or boolean belongs is a wrong type, not something to guess at.
        JSON.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        JSON.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        // A number or boolean where a string belongs (a password, a custom metadata value) is refused too.
        JSON.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        JSON.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        JSON.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        JSON.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }

    // ------------------------------------------------------------------ responses

    public record Envelope(String requestId, String leaseId, boolean renewable, long leaseDuration, Object data,
                           WrapInfo wrapInfo, List<String> warnings, Auth auth) {
        public static Envelope data(String requestId, Object data) {
            return new Envelope(requestId, "", false, 0, data, null, null, null);
        }

        public static Envelope auth(String requestId, Auth auth) {
            return new Envelope(requestId, "", false, 0, null, null, null, auth);
        }

        public static Envelope wrapped(WrapInfo info) {
            return new Envelope("", "", false, 0, null, info, null, null);
        }
    }

    public record Auth(String clientToken, String accessor, List<String> policies, List<String> tokenPolicies,
                       List<String> identityPolicies, Map<String, String> metadata, long leaseDuration,
                       boolean renewable, String entityId, String tokenType, boolean orphan, Object mfaRequirement,
                       int numUses) {
        @Override
        public String toString() {
            return "Auth[client_token=***, accessor=" + accessor + ", policies=" + policies + "]";
        }
    }

    public record WrapInfo(String token, String accessor, long ttl, String creationTime, String creationPath) {
        @Override
        public String toString() {
            return "WrapInfo[token=***, accessor=" + accessor + ", ttl=" + ttl + "]";
        }
    }

    /** A 403 of a gated call: the errors, and the approval request waiting (null when none could be opened). */
    public record ApprovalRequired(List<String> errors, String approvalRequestId) {
    }

    public record Errors(List<String> errors) {
    }

    public record VersionMeta(String createdTime, Map<String, String> customMetadata, String deletionTime,
                              boolean destroyed, int version) {
    }

    public record KvRead(Map<String, String> data, VersionMeta metadata) {
        @Override
        public String toString() {
            return "KvRead[values hidden, metadata=" + metadata + "]";
        }
    }

    public record VersionInfo(String createdTime, String deletionTime, boolean destroyed) {
    }

    public record KvMetadata(boolean casRequired, String createdTime, int currentVersion,
                             Map<String, String> customMetadata, String deleteVersionAfter, int maxVersions,
                             int oldestVersion, String updatedTime, Map<String, VersionInfo> versions) {
    }

    public record KvConfigDto(int maxVersions, boolean casRequired, String deleteVersionAfter) {
    }

    public record Keys(List<String> keys) {
    }

    public record MountOptions(String version) {
    }

    public record Mount(String type, String description, String accessor, MountOptions options, Map<String, Object> config,
                        boolean local, boolean sealWrap) {
    }

    public record UiMount(String path, String type, String description, MountOptions options) {
    }

    /** sys/health; {@code storageError} (Keyward's own member) says why storage fails, null while it works. */
    public record Health(boolean initialized, boolean sealed, boolean standby, boolean performanceStandby,
                         long serverTimeUtc, String version, String clusterName, String clusterId,
                         String storageError) {
    }

    /** sys/seal-status; {@code sealedReason} (Keyward's own member) says why it sealed, null when unsealed or not known. */
    public record SealStatus(String type, boolean initialized, boolean sealed, int t, int n, int progress,
                             String nonce, String version, String buildDate, boolean migration,
                             boolean recoverySeal, String storageType, String clusterName, String clusterId,
                             String sealedReason) {
    }

    public record TokenLookup(String accessor, long creationTime, long creationTtl, String displayName,
                              String entityId, String expireTime, long explicitMaxTtl, String id, String issueTime,
                              Map<String, String> meta, int numUses, boolean orphan, String path,
                              List<String> policies, boolean renewable, long ttl, String type) {
        @Override
        public String toString() {
            return "TokenLookup[id=***, accessor=" + accessor + ", display_name=" + displayName + "]";
        }
    }

    // ------------------------------------------------------------------ requests

    public record KvOptions(Integer cas) {
    }

    /** {@code data} is checked field by field: values must be strings. */
    public record KvWrite(JsonNode data, KvOptions options) {
    }

    public record Versions(List<Integer> versions) {
    }

    public record MetadataWrite(Integer maxVersions, Boolean casRequired, JsonNode deleteVersionAfter,
                                Map<String, String> customMetadata) {
    }

    public record ConfigWrite(Integer maxVersions, Boolean casRequired, JsonNode deleteVersionAfter) {
    }

    /** {@code token_label} / {@code token_serial}: an HSM seal's token, when not the one seal.json names. */
    public record Unseal(String key, Boolean reset, @JsonProperty("token_label") String tokenLabel,
                         @JsonProperty("token_serial") String tokenSerial) {
        @Override
        public String toString() {
            return "Unseal[key=***]";
        }
    }

    public record Password(String password) {
        @Override
        public String toString() {
            return "Password[***]";
        }
    }

    public record UnwrapRequest(String token) {
        @Override
        public String toString() {
            return "UnwrapRequest[***]";
        }
    }

    public record RenewRequest(JsonNode increment) {
    }

    /** auth/token/lookup, renew and revoke: the token the call is about, in the body. */
    public record TokenRequest(String token, JsonNode increment) {
        @Override
        public String toString() {
            return "TokenRequest[token=***]";
        }
    }

    public record AppRoleLogin(String roleId, String secretId) {
        @Override
        public String toString() {
            return "AppRoleLogin[role_id=" + roleId + ", secret_id=***]";
        }
    }

    public record CertLogin(String name) {
    }

    public record SecretIdRequest(JsonNode ttl, Integer numUses, List<String> cidrList, Map<String, String> metadata) {
    }
}
