package dev.keyward.vault;

import dev.keyward.vault.api.AuditProgress;
import dev.keyward.vault.api.AuditVerification;
import dev.keyward.vault.api.HsmProbe;
import dev.keyward.vault.api.Pkcs11SealSpec;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultOptions;
import dev.keyward.vault.audit.BundleVerifier;
import dev.keyward.vault.engine.Engine;
import dev.keyward.vault.engine.EngineConfig;
import dev.keyward.vault.seal.Pkcs11SealProvider;
import dev.keyward.vault.seal.SealConfigStore;
import java.nio.file.Files;
import java.nio.file.Path;

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

    /**
     * Whether {@code home} holds an initialised vault, judged from its seal configuration file
     * alone: no database is opened and nothing is locked. For choosing a first screen quickly;
     * {@code open(...).lifecycle().status()} is the authority.
     */
    public static boolean initialized(Path home) {
        return Files.isRegularFile(home.resolve(SealConfigStore.FILE));
    }

    /**
     * Tests a PKCS#11 token before init: loads the library, logs in with the PIN, looks the key
     * labels up and logs out. Creates nothing. A refused PIN throws
     * {@link dev.keyward.vault.api.AuthenticationFailedException}; a library or token that does not
     * answer throws {@link dev.keyward.vault.api.HsmUnavailableException}. Does not close the spec.
     */
    public static HsmProbe testHsm(Pkcs11SealSpec spec) {
        return Pkcs11SealProvider.probe(spec);
    }
}
