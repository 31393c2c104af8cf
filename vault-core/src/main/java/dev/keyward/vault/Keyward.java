package dev.keyward.vault;

import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultOptions;
import dev.keyward.vault.audit.BundleVerifier;
import dev.keyward.vault.engine.Engine;
import dev.keyward.vault.engine.EngineConfig;

/** Opens a vault directory. The one entry point for the console, the server and the CLI. */
public final class Keyward {
    /** Keyward's version, as reported by status calls. */
    public static final String VERSION = "0.1.0";

    private Keyward() {
    }

    /** Opens (and owns) the vault directory; it comes up sealed, or uninitialised. */
    public static Vault open(VaultOptions options) {
        return Engine.open(EngineConfig.defaults(options));
    }

    /**
     * Verifies an exported audit evidence bundle offline: no vault, no unseal material. Pass the
     * fingerprint of a tree head recorded earlier (or null) to also detect a cut or replaced log.
     * Never throws for a damaged bundle: the result lists what is wrong.
     */
    public static AuditVerification verifyAuditBundle(java.nio.file.Path bundle, String recordedFingerprint,
                                                      AuditProgress progress) {
        return BundleVerifier.verify(bundle, recordedFingerprint, progress == null ? AuditProgress.NONE : progress);
    }
}
