package dev.keyward.vault.server;

import dev.keyward.vault.api.AuditExport;
import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.InclusionProof;
import dev.keyward.vault.api.IdentityService;
import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.api.Operation;
import dev.keyward.vault.api.PolicyService;
import dev.keyward.vault.api.StorageCheck;
import dev.keyward.vault.api.TreeHead;
import dev.keyward.vault.api.Vault;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * Keyward-only routes under {@code /v1/kw/}: the CA certificate, client certificates for machine
 * identities, and policy explain / export / apply. Each service call goes through the guarded door.
 */
final class KeywardRoutes {
    private final Vault vault;
    private final Clock clock;
    private final Supplier<Optional<LocalCa>> ca;
    private final ServiceRoutes services;
    private final BackupJobs backupJobs;
    private final GovernanceRoutes governance;
    private final KeyRoutes keys;
    private final NotificationRoutes notifications;
    private final RotationRoutes rotation;
    private final AlertRoutes alerts;
    private final ApprovalRoutes approvals;

    KeywardRoutes(Vault vault, Clock clock, Supplier<Optional<LocalCa>> ca) {
        this.vault = vault;
        this.clock = clock;
        this.ca = ca;
        this.services = new ServiceRoutes(vault);
        this.backupJobs = new BackupJobs(vault, clock);
        this.governance = new GovernanceRoutes(vault);
        this.keys = new KeyRoutes(vault);
        this.notifications = new NotificationRoutes(vault);
        this.rotation = new RotationRoutes(vault);
        this.alerts = new AlertRoutes(vault);
        this.approvals = new ApprovalRoutes(vault);
    }

    record ExplainBody(String identityType, String identityName, String operation, String path, String sourceAddress,
                       String justification) {
    }

    record ApplyBody(String yaml, Boolean dryRun, String reason) {
    }

    record CertIssueBody(String name, List<String> policies, String owner, String description) {
    }

    record ProofDto(long sequence, String leafHash, List<String> path, AuditJson.HeadDto head) {
    }

    record VerifyBody(String recordedFingerprint) {
    }

    /** Rewrap progress as the routes give it. */
    static Map<String, Object> rewrap(dev.keyward.vault.api.RewrapStatus w) {
        Map<String, Object> d = map();
        d.put("state", w.state().name().toLowerCase(Locale.ROOT));
        d.put("target_term", w.targetTerm());
        d.put("total", w.total());
        d.put("examined", w.examined());
        d.put("rewrapped", w.rewrapped());
        return d;
    }

    record StorageCheckDto(boolean ok, long records, long secrets, List<String> problems, long omitted) {
    }

    record ExportBody(String path) {
    }

    record CredentialCheckBody(String prefix) {
    }

    record CredentialCheckDto(String path, String rotator, String outcome, String errorClass, String error,
                              long millis) {
    }

    record CredentialChecksDto(boolean ok, int checked, int failed, int skipped, List<CredentialCheckDto> checks) {
        static CredentialChecksDto of(List<dev.keyward.vault.api.CredentialCheckService.CredentialCheck> all) {
            List<CredentialCheckDto> l = all.stream().map(c -> new CredentialCheckDto(c.path(), c.rotator(),
                    c.outcome(), c.errorClass(), c.error(), c.millis())).toList();
            int failed = (int) all.stream().filter(c -> c.outcome().equals("failed")).count();
            int skipped = (int) all.stream().filter(c -> c.outcome().equals("skipped")).count();
            return new CredentialChecksDto(failed == 0, all.size(), failed, skipped, l);
        }
    }

    record ExportDto(String path, long entries, AuditJson.HeadDto head) {
    }

    /** keyward backup: a file on the vault host; a passphrase protects it, else the unseal material does. */
    record BackupBody(String path, String passphrase) {
        @Override
        public String toString() {
            return "BackupBody[" + path + ", passphrase=***]";
        }
    }

    record BackupDto(String path, String created, String protection, String sealType, long records, long bytes,
                     String sha256, AuditJson.HeadDto auditHead) {
        static BackupDto of(dev.keyward.vault.api.BackupInfo b) {
            return new BackupDto(b.file(), b.created().toString(), b.protection(), b.sealType(), b.records(),
                    b.bytes(), b.sha256(), b.auditHead() == null ? null : AuditJson.HeadDto.of(b.auditHead(), b.logId()));
        }
    }

    record ExplainDto(boolean allowed, String rule, String policy, int policyVersion, String ruleId,
                      String failedCondition, String reason, String resource, List<String> capability,
                      List<String> policies) {
    }

    record ChangeDto(String kind, String name, String action, List<String> diff) {
    }

    record ApplyDto(boolean dryRun, List<ChangeDto> changes) {
    }

    record IssuedDto(String name, String certificate, String privateKey, String caChain, String expiration,
                     String sha256) {
        @Override
        public String toString() {
            return "IssuedDto[" + name + ", private_key=***]";
        }
    }

    ApiResponse handle(ApiRequest r, String rest, Caller caller) {
        if (rest.startsWith("governance/")) {
            return governance.handle(r, rest.substring("governance/".length()), caller);
        }
        if (NotificationRoutes.owns(rest)) {
            return notifications.handle(r, rest, caller);
        }
        if (rest.startsWith("rotation/") && !rest.equals("rotation/check")) { // rotation/check: credential checks, below
            return rotation.handle(r, rest.substring("rotation/".length()), caller);
        }
        if (rest.equals("alerts") || rest.startsWith("alerts/")) {
            return alerts.handle(r, rest.equals("alerts") ? "" : rest.substring("alerts/".length()), caller);
        }
        if (rest.startsWith("approvals/")) {
            return approvals.handle(r, rest.substring("approvals/".length()), caller);
        }
        String m = r.method();
        boolean post = m.equals("POST") || m.equals("PUT");
        if (rest.startsWith("api/")) {
            return services.handle(r, rest.substring("api/".length()));
        }
        if (rest.equals("backup/jobs") || rest.startsWith("backup/jobs/")) {
            return backupJobs.handle(r, rest.equals("backup/jobs") ? "" : rest.substring("backup/jobs/".length()), caller);
        }
        switch (rest) {
            case "ca" -> {
                require(m.equals("GET"));
                LocalCa c = ca.get().orElseThrow(NotFoundException::new);
                return ApiResponse.ok(VaultApi.envelope(Map.of("certificate", c.certificatePem())));
            }
            case "policy/explain" -> {
                require(post);
                ExplainBody b = VaultApi.body(r, ExplainBody.class);
                if (b.identityType() == null || b.identityName() == null || b.operation() == null) {
                    throw new InvalidRequestException("identity_type, identity_name and operation are required.");
                }
                PolicyService.IdentityRef.Type type;
                try {
                    type = PolicyService.IdentityRef.Type.valueOf(b.identityType().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new InvalidRequestException("identity_type is operator, approle or cert.");
                }
                PolicyService.Explanation x = vault.policies().explain(caller, new PolicyService.ExplainRequest(
                        new PolicyService.IdentityRef(type, b.identityName()), operation(b.operation()), b.path(),
                        new PolicyService.ExplainContext(b.sourceAddress(), null, b.justification(), null, null)));
                List<String> caps = x.capability().stream().map(c -> c.id()).sorted().toList();
                return ApiResponse.ok(VaultApi.envelope(new ExplainDto(x.allowed(), x.rule(), x.policy(),
                        x.policyVersion(), x.ruleId(), x.failedCondition(), x.reason(), x.resource(), caps,
                        x.policies())));
            }
            case "policy/export" -> {
                require(m.equals("GET"));
                return ApiResponse.ok(VaultApi.envelope(Map.of("yaml", vault.policies().exportYaml(caller))));
            }
            case "policy/apply" -> {
                require(post);
                ApplyBody b = VaultApi.body(r, ApplyBody.class);
                if (b.yaml() == null) {
                    throw new InvalidRequestException("yaml is required.");
                }
                PolicyService.ApplyResult res = vault.policies().apply(caller, b.yaml(),
                        Boolean.TRUE.equals(b.dryRun()), b.reason() == null ? "applied over HTTPS" : b.reason());
                List<ChangeDto> changes = new ArrayList<>();
                res.changes().forEach(c -> changes.add(new ChangeDto(c.kind(), c.name(),
                        c.action().name().toLowerCase(Locale.ROOT), c.diff())));
                return ApiResponse.ok(VaultApi.envelope(new ApplyDto(res.dryRun(), changes)));
            }
            case "audit/tree-head" -> {
                if (m.equals("GET")) {
                    TreeHead h = vault.audit().latestHead(caller);
                    return ApiResponse.ok(VaultApi.envelope(AuditJson.HeadDto.of(h, vault.audit().logId(caller))));
                }
                require(post);
                TreeHead h = vault.audit().issueHead(caller);
                return ApiResponse.ok(VaultApi.envelope(AuditJson.HeadDto.of(h, vault.audit().logId(caller))));
            }
            case "audit/checkpoint" -> {
                require(m.equals("GET") || post);
                dev.keyward.vault.api.AuditCheckpoint c = vault.audit().checkpoint(caller);
                Map<String, Object> d = map();
                d.put("origin", c.origin());
                d.put("tree_size", c.treeSize());
                d.put("root_hash", c.rootHash());
                d.put("note", c.note());
                d.put("verifier_key", c.verifierKey());
                return ApiResponse.ok(VaultApi.envelope(d));
            }
            case "audit/proof" -> {
                require(m.equals("GET"));
                long seq = number(r, "sequence", -1);
                if (seq < 0) {
                    throw new InvalidRequestException("sequence is required (a non-negative number).");
                }
                InclusionProof p = vault.audit().inclusionProof(caller, seq, number(r, "tree_size", 0));
                return ApiResponse.ok(VaultApi.envelope(new ProofDto(p.sequence(), p.leafHash(), p.path(),
                        AuditJson.HeadDto.of(p.head()))));
            }
            case "audit/verify" -> {
                require(post);
                VerifyBody b = VaultApi.body(r, VerifyBody.class);
                AuditVerification v = vault.audit().verify(caller, b.recordedFingerprint(), AuditProgress.NONE);
                return ApiResponse.ok(VaultApi.envelope(AuditJson.VerifyDto.of(v, vault.audit().logId(caller))));
            }
            case "audit/export" -> {
                require(post);
                ExportBody b = VaultApi.body(r, ExportBody.class);
                if (b.path() == null || !java.nio.file.Path.of(b.path()).isAbsolute()) {
                    throw new InvalidRequestException("path must be an absolute file path on the vault host.");
                }
                AuditExport x = vault.audit().exportBundle(caller, java.nio.file.Path.of(b.path()), AuditProgress.NONE);
                return ApiResponse.ok(VaultApi.envelope(new ExportDto(x.file().toString(), x.entries(),
                        AuditJson.HeadDto.of(x.head(), vault.audit().logId(caller)))));
            }
            case "backup" -> {
                require(post);
                BackupBody b = VaultApi.body(r, BackupBody.class);
                if (b.path() == null || !java.nio.file.Path.of(b.path()).isAbsolute()) {
                    throw new InvalidRequestException("path must be an absolute file path on the vault host.");
                }
                char[] pass = b.passphrase() == null ? null : b.passphrase().toCharArray();
                return ApiResponse.ok(VaultApi.envelope(BackupDto.of(vault.backups().backup(caller,
                        java.nio.file.Path.of(b.path()), pass))));
            }
            case "key/rewrap" -> {
                if (m.equals("GET")) {
                    return ApiResponse.ok(VaultApi.envelope(rewrap(vault.keys().rewrapStatus(caller))));
                }
                require(post);
                return ApiResponse.ok(VaultApi.envelope(rewrap(vault.keys().startRewrap(caller))));
            }
            case "key/rotate-root", "seal/migrate", "seal/rekey" -> {
                return keys.handle(r, rest, caller);
            }
            case "storage/check" -> {
                require(m.equals("GET") || post);
                StorageCheck c = vault.integrity().checkStorage(caller);
                return ApiResponse.ok(VaultApi.envelope(new StorageCheckDto(c.ok(), c.records(), c.secrets(),
                        c.problems(), c.omitted())));
            }
            case "rotation/check" -> {
                // keyward check credentials: each configured rotator's read-only check (?prefix= or {"prefix"})
                require(m.equals("GET") || post);
                String prefix = r.query().get("prefix");
                if (post && VaultApi.body(r, CredentialCheckBody.class).prefix() != null) {
                    prefix = VaultApi.body(r, CredentialCheckBody.class).prefix();
                }
                return ApiResponse.ok(VaultApi.envelope(CredentialChecksDto.of(
                        vault.credentialChecks().checkCredentials(caller, prefix))));
            }
            case "cert/issue" -> {
                require(post);
                return ApiResponse.ok(VaultApi.envelope(issue(VaultApi.body(r, CertIssueBody.class), caller)));
            }
            default -> throw VaultApi.unsupportedPath();
        }
    }

    /**
     * Issues a client certificate and registers it (pinned by fingerprint) as a certificate identity.
     * Registering goes through the door first: a caller who may not register identities gets no
     * certificate.
     */
    private IssuedDto issue(CertIssueBody b, Caller caller) {
        if (b.name() == null || b.policies() == null) {
            throw new InvalidRequestException("name and policies are required.");
        }
        LocalCa c = ca.get().orElseThrow(NotFoundException::new);
        LocalCa.Issued issued = c.issueClient(b.name(), clock.instant());
        String fp;
        try {
            fp = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(issued.certificate().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        vault.identities().putCertIdentity(caller, new IdentityService.CertIdentitySpec(b.name(), fp, null,
                b.policies(), null, null, List.of(), b.owner(), b.description()));
        return new IssuedDto(b.name(), LocalCa.pem(issued.certificate()), LocalCa.pkcs8Pem(issued.key()),
                c.certificatePem(), VaultApi.time(issued.notAfter()), fp);
    }

    private static long number(ApiRequest r, String name, long fallback) {
        String v = r.query().get(name);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        if (!v.matches("\\d{1,18}")) {
            throw new InvalidRequestException(name + " must be a non-negative number.");
        }
        return Long.parseLong(v);
    }

    static Operation operation(String s) {
        for (Operation o : Operation.values()) {
            if (o.id().equalsIgnoreCase(s) || o.name().equalsIgnoreCase(s)) {
                return o;
            }
        }
        throw new InvalidRequestException("Unknown operation '" + s + "' (e.g. secret.read, secret.write).");
    }

    private static void require(boolean ok) {
        if (!ok) {
            throw VaultApi.methodNotAllowed();
        }
    }

    static Map<String, Object> map() {
        return new LinkedHashMap<>();
    }
}
