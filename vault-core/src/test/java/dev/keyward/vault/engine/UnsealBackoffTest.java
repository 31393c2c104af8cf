package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AuthenticationFailedException;
import dev.keyward.vault.api.UnsealCredential;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The count of failed unseal attempts survives a restart: restarting the service does not reset the backoff. */
class UnsealBackoffTest {
    @TempDir
    Path home;

    private static AuthenticationFailedException wrong(Engine e) {
        return assertThrows(AuthenticationFailedException.class,
                () -> e.unseal(UnsealCredential.passphrase("not the passphrase".toCharArray()), "test"));
    }

    @Test
    void theBackoffGoesOnAfterARestart() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        TestVaults.initialised(TestVaults.config(home, clock)).close();
        try (Engine e = Engine.open(TestVaults.config(home, clock))) {
            wrong(e);
            wrong(e);
            assertTrue(wrong(e).getMessage().contains("wait 1 s"), "the third starts the backoff");
        }
        assertTrue(Files.exists(home.resolve(UnsealAttempts.FILE)));
        try (Engine e = Engine.open(TestVaults.config(home, clock))) {
            AuthenticationFailedException blocked = assertThrows(AuthenticationFailedException.class,
                    () -> TestVaults.unseal(e));
            assertTrue(blocked.getMessage().contains("Too many failed unseal attempts"), blocked.getMessage());
            clock.advance(Duration.ofSeconds(2));
            assertTrue(wrong(e).getMessage().contains("wait 2 s"), "the fourth in a row, counted across the restart");
            clock.advance(Duration.ofSeconds(3));
            TestVaults.unseal(e);
        }
        assertTrue(Files.notExists(home.resolve(UnsealAttempts.FILE)), "a successful unseal clears the count");
    }
}
