package dev.keyward.console.bench;

import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.InitRequest;
import dev.keyward.vault.api.PassphraseSealSpec;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultOptions;
import java.nio.file.Path;

/** Creates an initialised (sealed) vault directory for the start-up measurement. Not a test. */
public final class StartupVault {
    private StartupVault() {
    }

    public static void main(String[] args) {
        try (Vault v = Keyward.open(VaultOptions.at(Path.of(args[0])));
             InitRequest req = new InitRequest(new PassphraseSealSpec("bench unseal passphrase".toCharArray(),
                     Argon2Parameters.insecureForTests()), "admin", "bench admin passphrase".toCharArray(),
                     Argon2Parameters.insecureForTests())) {
            v.lifecycle().init(req);
        }
    }
}
