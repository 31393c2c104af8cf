package dev.keyward.console.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.console.ConsoleViewModel;
import dev.keyward.console.Fx;
import dev.keyward.console.MemoryClipboard;
import dev.keyward.console.MutableClock;
import dev.keyward.console.TestConsoles;
import dev.keyward.vault.api.AccessDeniedException;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.api.Session;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardViewModelTest {
    @TempDir
    Path home;
    // Half past an hour, so that the two activity bursts fall into clearly separate buckets.
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.HOURS)
            .minus(Duration.ofHours(3)).plus(Duration.ofMinutes(30)));
    private ConsoleViewModel console;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    @BeforeEach
    void setUp() {
        console = TestConsoles.unlocked(TestConsoles.config(home, clock, new MemoryClipboard()));
    }

    @AfterEach
    void tearDown() {
        console.close();
    }

    @Test
    void tilesShowSealStateAndWarnAboutTestKdfParameters() {
        DashboardViewModel vm = Fx.call(() -> new DashboardViewModel(console));
        Fx.run(vm::refresh);
        Fx.until(() -> vm.sealProperty().get().startsWith("Unsealed"));
        assertTrue(vm.keysProperty().get().startsWith("Data-key term"));
        assertTrue(vm.warningProperty().get().contains("below Keyward's minimum"));
    }

    @Test
    void chartsCountAllowedAndDeniedRequestsPerHourIdentityAndPath() {
        Instant first = clock.instant();
        Caller admin = console.caller(null);
        for (int i = 0; i < 3; i++) {
            console.vault().secrets().write(admin, "team/db", SecretData.of(Map.of("v", "x" + i)), null);
        }
        console.vault().secrets().write(admin, "team/api", SecretData.of(Map.of("v", "y")), null);
        console.vault().identities().createOperator(admin, "reviewer", "reviewer passphrase 1".toCharArray(),
                List.of("auditor"));

        // Two hours later an auditor tries to read secret values three times and is denied each time.
        clock.advance(Duration.ofHours(2));
        Session reviewer = console.vault().auth().login("reviewer", "reviewer passphrase 1".toCharArray(),
                Caller.LOCAL);
        for (int i = 0; i < 3; i++) {
            assertThrows(AccessDeniedException.class,
                    () -> console.vault().secrets().read(reviewer.caller(), "team/db", 0));
        }
        Session again = console.vault().auth().login(TestConsoles.ADMIN, TestConsoles.ADMIN_PASS.toCharArray(),
                Caller.LOCAL);
        Fx.run(() -> console.loggedIn(again));

        DashboardViewModel vm = Fx.call(() -> new DashboardViewModel(console));
        Fx.run(vm::loadActivity);
        Fx.until(() -> vm.activityProperty().get() != null);
        Activity a = vm.activityProperty().get();

        assertEquals(DashboardViewModel.HOURS, a.hours().size());
        Activity.Hour last = a.hours().get(a.hours().size() - 1);
        Activity.Hour earlier = a.hours().get(a.hours().size() - 3);
        assertEquals(first.truncatedTo(ChronoUnit.HOURS), earlier.start());
        assertTrue(earlier.allowed() >= 5, "4 writes and an operator created: " + earlier);
        assertEquals(0, earlier.denied());
        assertEquals(3, last.denied(), last.toString());
        assertTrue(last.undecided() >= 2, "two logins (authentication, no policy decision): " + last);
        assertEquals(0, a.hours().get(a.hours().size() - 2).total());
        assertEquals(a.entries(), a.hours().stream().mapToLong(Activity.Hour::total).sum());

        assertEquals(List.of(new Activity.Count("reviewer", 3)), a.deniedByIdentity());
        assertEquals("secret/team/db", a.topPaths().get(0).name());
        // 3 writes and 3 denied reads, and the metadata read of the console's catalog after each login
        long catalogReads = a.topPaths().get(0).count() - 6;
        assertTrue(catalogReads >= 0 && catalogReads <= 2, "3 writes, 3 denied reads, up to 2 catalog reads: "
                + a.topPaths());
        long api = a.topPaths().stream().filter(c -> c.name().equals("secret/team/api")).findFirst().orElseThrow()
                .count();
        assertTrue(api >= 1 && api <= 3, "one write, and up to 2 catalog reads: " + api);
        assertTrue(vm.activityNoteProperty().get().startsWith(a.entries() + " audit entries"));
    }

    @Test
    void entriesOutsideTheWindowAreNotCounted() {
        Instant now = Instant.parse("2026-01-02T10:15:00Z");
        var old = record(0, Instant.parse("2026-01-01T10:59:59Z"), "ALLOW", "a", "p");
        var inFirst = record(1, Instant.parse("2026-01-01T11:00:00Z"), "DENY", null, "p");
        var inLast = record(2, Instant.parse("2026-01-02T10:14:00Z"), "NONE", "b", null);
        Activity a = Activity.of(List.of(old, inFirst, inLast), now, 24, 5, false);
        assertEquals(2, a.entries());
        assertEquals(1, a.hours().get(0).denied());
        assertEquals(1, a.hours().get(23).undecided());
        assertEquals(List.of(new Activity.Count(Activity.UNKNOWN, 1)), a.deniedByIdentity());
        assertEquals(List.of(new Activity.Count("p", 1)), a.topPaths());
    }

    private static dev.keyward.vault.api.AuditRecord record(long seq, Instant t, String decision, String who,
                                                             String path) {
        return new dev.keyward.vault.api.AuditRecord(seq, t, "r" + seq, null, who, "token", "local", "secret.read",
                path, decision, null, null, null, "SUCCESS", null, null);
    }
}
