package dev.keyward.console.common;

import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How the console is set up: the vault directory, the clock (injectable for tests), the KDF cost
 * for new vaults and operators, and the clipboard.
 */
public record ConsoleConfig(Path home, Clock clock, Argon2Parameters kdf, Supplier<ClipboardAccess> clipboard,
                            Function<VaultOptions, Vault> opener) {
    public ConsoleConfig {
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(kdf, "kdf");
        Objects.requireNonNull(clipboard, "clipboard");
        Objects.requireNonNull(opener, "opener");
    }

    public ConsoleConfig(Path home, Clock clock, Argon2Parameters kdf, Supplier<ClipboardAccess> clipboard) {
        this(home, clock, kdf, clipboard, Keyward::open);
    }

    /** The same console opening its vault through {@code f} (tests wrap the real vault). */
    public ConsoleConfig withOpener(Function<VaultOptions, Vault> f) {
        return new ConsoleConfig(home, clock, kdf, clipboard, f);
    }

    public static ConsoleConfig defaults(Path home) {
        return new ConsoleConfig(home, Clock.systemUTC(), Argon2Parameters.DEFAULT, FxClipboard::new);
    }
}
