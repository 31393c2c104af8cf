package dev.keyward.vault;

import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultOptions;
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
}
