package dev.keyward.vault.engine;

import dev.keyward.vault.api.VaultOptions;
import dev.keyward.vault.audit.AuditSink;
import dev.keyward.vault.audit.JsonLinesFileSink;
import dev.keyward.vault.audit.MerkleAuditLog;
import dev.keyward.vault.policy.Authorizer;
import dev.keyward.vault.policy.PolicyAuthorizer;
import dev.keyward.vault.seal.SealRegistry;
import java.util.Objects;

/**
 * How the engine is wired: the public options plus the pluggable parts (seal providers, the
 * authorizer, the audit sink). Later features replace the defaults here, in one place.
 */
public record EngineConfig(VaultOptions options, SealRegistry seals, Authorizer authorizer,
                           AuditSink auditSink) {
    public EngineConfig {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(seals, "seals");
        Objects.requireNonNull(authorizer, "authorizer");
        Objects.requireNonNull(auditSink, "auditSink");
    }

    /** The default parts; with {@link VaultOptions#auditFile()} the log also goes to that JSON-lines file. */
    public static EngineConfig defaults(VaultOptions options) {
        MerkleAuditLog log = new MerkleAuditLog();
        AuditSink sink = options.auditFile() == null ? log : new JsonLinesFileSink(log, options.auditFile());
        return new EngineConfig(options, SealRegistry.defaults(), new PolicyAuthorizer(), sink);
    }

    public EngineConfig withAuditSink(AuditSink sink) {
        return new EngineConfig(options, seals, authorizer, sink);
    }

    public EngineConfig withAuthorizer(Authorizer a) {
        return new EngineConfig(options, seals, a, auditSink);
    }

    public EngineConfig withSeals(SealRegistry s) {
        return new EngineConfig(options, s, authorizer, auditSink);
    }
}
