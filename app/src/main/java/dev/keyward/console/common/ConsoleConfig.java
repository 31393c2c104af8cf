package dev.keyward.console.common;

import dev.keyward.vault.Keyward;
import dev.keyward.vault.api.Argon2Parameters;
import dev.keyward.vault.api.ServiceLocation;
import dev.keyward.vault.api.Vault;
import dev.keyward.vault.api.VaultOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How the console is set up: the vault directory, the clock (injectable for tests), the KDF cost
 * for new vaults and operators, the clipboard, and how it reaches the vault: attached to the
 * running service ({@code locator} says where it should listen, {@code attacher} connects), else
 * embedded ({@code opener} opens the directory itself).
 */
public record ConsoleConfig(Path home, Clock clock, Argon2Parameters kdf, Supplier<ClipboardAccess> clipboard,
                            Function<VaultOptions, Vault> opener,
                            Function<Path, Optional<ServiceLocation>> locator,
                            Function<ServiceLocation, Vault> attacher) {
    public ConsoleConfig {
        Objects.requireNonNull(home, "home");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(kdf, "kdf");
        Objects.requireNonNull(clipboard, "clipboard");
        Objects.requireNonNull(opener, "opener");
        Objects.requireNonNull(locator, "locator");
        Objects.requireNonNull(attacher, "attacher");
    }

    public ConsoleConfig(Path home, Clock clock, Argon2Parameters kdf, Supplier<ClipboardAccess> clipboard) {
        this(home, clock, kdf, clipboard, Keyward::open, Keyward::locateService, Keyward::attach);
    }

    /** The same console opening its vault through {@code f} (tests wrap the real vault). */
    public ConsoleConfig withOpener(Function<VaultOptions, Vault> f) {
        return new ConsoleConfig(home, clock, kdf, clipboard, f, locator, attacher);
    }

    /** The same console attaching through {@code f} (tests wrap the remote vault). */
    public ConsoleConfig withAttacher(Function<ServiceLocation, Vault> f) {
        return new ConsoleConfig(home, clock, kdf, clipboard, opener, locator, f);
    }

    /** The same console never looking for a running service (embedded only). */
    public ConsoleConfig embeddedOnly() {
        return new ConsoleConfig(home, clock, kdf, clipboard, opener, h -> Optional.empty(), attacher);
    }

    public static ConsoleConfig defaults(Path home) {
        return new ConsoleConfig(home, Clock.systemUTC(), Argon2Parameters.DEFAULT, FxClipboard::new);
    }
}
