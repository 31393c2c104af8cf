package dev.keyward.vault.rotation.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.InvalidRequestException;
import dev.keyward.vault.api.NotFoundException;
import dev.keyward.vault.rotation.RotationContext;
import dev.keyward.vault.rotation.postgres.PostgresTargetException.Failure;
import dev.keyward.vault.testing.TcpRelay;
import dev.keyward.vault.testing.TestPostgres;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The postgres rotator against the real PostgreSQL server of the tests (TestPostgres): the steps
 * are driven here the way the rotation engine drives them (generate, set, test, restore on a
 * failure, finish, revoke the previous value after the grace period).
 */
class PostgresRotatorTest {
    private static final String CREDENTIAL_PATH = "db/rotator";

    private final PostgresRotator rotator = new PostgresRotator();
    private final Map<String, Map<String, String>> vault = new HashMap<>();
    /** Every password a test used, to prove none appears in an error message. */
    private final List<String> canaries = new ArrayList<>();
    private TestPostgres pg;
    private String rotatorRole;
    private String rotatorPassword;
    /** What the restore after the last failed rotate() threw, or null when it worked. */
    private PostgresTargetException restoreFailure;

    @BeforeEach
    void server() {
        pg = TestPostgres.connect();
    }

    @AfterEach
    void drop() {
        if (pg != null) {
            pg.close();
        }
    }

    private String password() {
        String p = PostgresRotator.randomPassword(24);
        canaries.add(p);
        return p;
    }

    private void rotationCredentialFor(String... targets) {
        rotatorPassword = password();
        rotatorRole = pg.createRotationRole(rotatorPassword, targets);
        vault.put(CREDENTIAL_PATH, Map.of("username", rotatorRole, "password", rotatorPassword));
    }

    private RotationContext ctx(Map<String, String> params, Map<String, String> current) {
        return new RotationContext("db/app", params, current, path -> {
            Map<String, String> v = vault.get(path);
            if (v == null) {
                throw new NotFoundException("no secret at " + path);
            }
            return v;
        }, Clock.systemUTC(), Duration.ofSeconds(10));
    }

    private Map<String, String> singleParams(String role) {
        return pg.params(Map.of("mode", "single", "username", role, "rotation_credential", CREDENTIAL_PATH));
    }

    private Map<String, String> alternatingParams(String a, String b) {
        return pg.params(Map.of("mode", "alternating", "username", a, "alternate_username", b,
                "rotation_credential", CREDENTIAL_PATH));
    }

    /** generate, set, test; on a failure in set or test, restore and rethrow (as the engine does). */
    private Map<String, String> rotate(Map<String, String> params, Map<String, String> current) {
        RotationContext c = ctx(params, current);
        rotator.validate(params);
        Map<String, String> pending = rotator.generate(c);
        canaries.add(pending.get("password"));
        try {
            rotator.set(c, pending);
            rotator.test(c, pending);
        } catch (PostgresTargetException e) {
            assertNoPassword(e);
            restoreFailure = null;
            try {
                rotator.restore(c, current, pending);
            } catch (PostgresTargetException r) {
                assertNoPassword(r);
                restoreFailure = r;
            }
            throw e;
        }
        return pending;
    }

    private void assertNoPassword(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            for (String c : canaries) {
                assertFalse(m.contains(c), "an error message carries a password: " + m);
            }
        }
    }

    private static void select1(Connection c) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            assertTrue(rs.next());
        }
    }

    @Nested
    class SingleMode {
        String role;
        String initial;
        Map<String, String> current;

        @BeforeEach
        void role() {
            initial = password();
            role = pg.createRole("app", initial, null);
            rotationCredentialFor(role);
            current = Map.of("username", role, "password", initial, "note", "kept");
        }

        @Test
        void theNewPasswordLogsInAndTheOldOneNoLonger() {
            Map<String, String> pending = rotate(singleParams(role), current);
            assertEquals(role, pending.get("username"));
            assertNotEquals(initial, pending.get("password"));
            assertEquals(32, pending.get("password").length());
            assertEquals("kept", pending.get("note"), "fields the rotator does not own are carried over");
            assertTrue(pg.canLogin(role, pending.get("password")));
            assertEquals("28P01", pg.loginError(role, initial));
            rotator.check(ctx(singleParams(role), pending), pending);
        }

        @Test
        void theServerStoresAScramVerifierTheDriverComputed() throws Exception {
            Map<String, String> pending = rotate(singleParams(role), current);
            try (Connection c = pg.login(TestPostgres.USER, TestPostgres.PASSWORD);
                 var ps = c.prepareStatement("SELECT rolpassword FROM pg_authid WHERE rolname = ?")) {
                ps.setString(1, role);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    String stored = rs.getString(1);
                    assertTrue(stored.startsWith("SCRAM-SHA-256$"), "stored as a SCRAM verifier");
                    assertFalse(stored.contains(pending.get("password")));
                }
            }
        }

        @Test
        void everyGenerateIsFresh() {
            RotationContext c = ctx(singleParams(role), current);
            assertNotEquals(rotator.generate(c).get("password"), rotator.generate(c).get("password"));
        }

        @Test
        void restoreBringsBackTheCurrentPassword() {
            RotationContext c = ctx(singleParams(role), current);
            Map<String, String> pending = rotator.generate(c);
            rotator.set(c, pending);
            assertTrue(pg.canLogin(role, pending.get("password")));
            rotator.restore(c, current, pending);
            assertTrue(pg.canLogin(role, initial));
            assertFalse(pg.canLogin(role, pending.get("password")));
            // Steps are safe to repeat after a crash.
            rotator.restore(c, current, pending);
            assertTrue(pg.canLogin(role, initial));
        }

        @Test
        void wrongRotationCredentialRollsBackAndCurrentStillLogsIn() {
            vault.put(CREDENTIAL_PATH, Map.of("username", rotatorRole, "password", password()));
            PostgresTargetException e = assertThrows(PostgresTargetException.class,
                    () -> rotate(singleParams(role), current));
            assertNull(restoreFailure, "the restore after the failure worked: " + restoreFailure);
            assertEquals(Failure.ROTATION_CREDENTIAL_REFUSED, e.failure());
            assertEquals("PostgresRotationCredentialRefusedException", e.getClass().getSimpleName(),
                    "the audit log's error_class names the cause");
            assertTrue(e.getMessage().contains("login refused for the rotation credential"), e.getMessage());
            assertTrue(pg.canLogin(role, initial));
            // A rotator that did not see the failed set (a restart) restores for real, which needs the credential.
            RotationContext c = ctx(singleParams(role), current);
            Map<String, String> pending = rotator.generate(c);
            assertThrows(PostgresTargetException.class, () -> rotator.set(c, pending));
            assertThrows(PostgresTargetException.class, () -> new PostgresRotator().restore(c, current, pending));
            rotator.restore(c, current, pending);
        }

        @Test
        void rotationCredentialWithItsLoginRevokedRollsBack() {
            pg.exec("ALTER ROLE " + rotatorRole + " NOLOGIN");
            PostgresTargetException e = assertThrows(PostgresTargetException.class,
                    () -> rotate(singleParams(role), current));
            assertNull(restoreFailure, "the restore after the failure worked: " + restoreFailure);
            assertEquals(Failure.ROTATION_CREDENTIAL_REFUSED, e.failure());
            assertTrue(pg.canLogin(role, initial));
        }

        @Test
        void rotationCredentialWithoutPermissionRollsBack() {
            String weakPassword = password();
            String weak = pg.createRole("weak", weakPassword, null);
            vault.put(CREDENTIAL_PATH, Map.of("username", weak, "password", weakPassword));
            PostgresTargetException e = assertThrows(PostgresTargetException.class,
                    () -> rotate(singleParams(role), current));
            assertNull(restoreFailure, "the restore after the failure worked: " + restoreFailure);
            assertEquals(Failure.PERMISSION_DENIED, e.failure());
            assertTrue(pg.canLogin(role, initial));
            PostgresTargetException check = assertThrows(PostgresTargetException.class,
                    () -> rotator.check(ctx(singleParams(role), current), current));
            assertEquals(Failure.PERMISSION_DENIED, check.failure());
        }

        @Test
        void missingRotationCredentialSecretIsNamed() {
            vault.remove(CREDENTIAL_PATH);
            PostgresTargetException e = assertThrows(PostgresTargetException.class,
                    () -> rotate(singleParams(role), current));
            assertNull(restoreFailure, "the restore after the failure worked: " + restoreFailure);
            assertEquals(Failure.BAD_CREDENTIAL_SECRET, e.failure());
            assertTrue(e.getMessage().contains(CREDENTIAL_PATH), e.getMessage());
            assertTrue(pg.canLogin(role, initial));
        }

        @Test
        void serverStoppedBeforeSetRollsBack() throws Exception {
            try (TcpRelay relay = new TcpRelay(pg.host(), pg.port())) {
                Map<String, String> params = new HashMap<>(singleParams(role));
                params.put("host", "127.0.0.1");
                params.put("port", Integer.toString(relay.port()));
                relay.stop();
                long t0 = System.nanoTime();
                PostgresTargetException e = assertThrows(PostgresTargetException.class, () -> rotate(params, current));
                assertNull(restoreFailure, "the restore after the failure worked: " + restoreFailure);
                assertEquals(Failure.UNREACHABLE, e.failure());
                assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
                assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos());
                assertTrue(pg.canLogin(role, initial));
            }
        }

        @Test
        void serverStoppedBetweenSetAndTestIsRestoredWhenItIsBack() {
            try (TcpRelay relay = new TcpRelay(pg.host(), pg.port())) {
                Map<String, String> params = new HashMap<>(singleParams(role));
                params.put("host", "127.0.0.1");
                params.put("port", Integer.toString(relay.port()));
                RotationContext c = ctx(params, current);
                Map<String, String> pending = rotator.generate(c);
                canaries.add(pending.get("password"));
                rotator.set(c, pending);
                relay.stop();
                PostgresTargetException test = assertThrows(PostgresTargetException.class, () -> rotator.test(c, pending));
                assertEquals(Failure.UNREACHABLE, test.failure());
                PostgresTargetException restore = assertThrows(PostgresTargetException.class,
                        () -> rotator.restore(c, current, pending));
                assertEquals(Failure.UNREACHABLE, restore.failure());
                assertNoPassword(test);
                assertNoPassword(restore);
                relay.start();
                rotator.restore(c, current, pending); // the engine retries the restore
                assertTrue(pg.canLogin(role, initial));
                assertFalse(pg.canLogin(role, pending.get("password")));
            }
        }

        @Test
        void aPortNothingListensOnIsUnreachable() throws Exception {
            int free;
            try (ServerSocket s = new ServerSocket(0)) {
                free = s.getLocalPort();
            }
            Map<String, String> params = new HashMap<>(singleParams(role));
            params.put("port", Integer.toString(free));
            PostgresTargetException e = assertThrows(PostgresTargetException.class,
                    () -> rotator.check(ctx(params, current), current));
            assertEquals(Failure.UNREACHABLE, e.failure());
            assertTrue(pg.canLogin(role, initial));
        }

        @Test
        void aServerThatNeverAnswersTimesOut() throws Exception {
            try (ServerSocket silent = new ServerSocket(0)) {
                Thread acceptor = new Thread(() -> {
                    List<java.net.Socket> held = new ArrayList<>();
                    try {
                        while (true) {
                            held.add(silent.accept());
                        }
                    } catch (java.io.IOException e) {
                        // closed
                    }
                });
                acceptor.setDaemon(true);
                acceptor.start();
                Map<String, String> params = new HashMap<>(singleParams(role));
                params.put("port", Integer.toString(silent.getLocalPort()));
                params.put("connect_timeout", "1");
                long t0 = System.nanoTime();
                PostgresTargetException e = assertThrows(PostgresTargetException.class,
                        () -> rotator.check(ctx(params, current), current));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(e.failure() == Failure.UNREACHABLE || e.failure() == Failure.TIMEOUT, e.failure().name());
                assertTrue(ms < 5000, "gave up after " + ms + " ms");
            }
        }

        @Test
        void checkFailsWhenTheCurrentPasswordNoLongerLogsIn() {
            pg.exec("ALTER ROLE " + role + " PASSWORD '" + password() + "'");
            PostgresTargetException e = assertThrows(PostgresTargetException.class,
                    () -> rotator.check(ctx(singleParams(role), current), current));
            assertEquals(Failure.LOGIN_REFUSED, e.failure());
            assertTrue(e.getMessage().contains(role));
            assertNoPassword(e);
        }

        @Test
        void aRoleNameThatNeedsQuotingIsRotated() {
            String odd = pg.createRoleNamed("Kwt.Odd-" + TestPostgres.uniqueName("q") + "$x", initial, null);
            rotationCredentialFor(odd);
            Map<String, String> cur = Map.of("username", odd, "password", initial);
            Map<String, String> pending = rotate(singleParams(odd), cur);
            assertTrue(pg.canLogin(odd, pending.get("password")));
            assertFalse(pg.canLogin(odd, initial));
        }

        @Test
        void aSecretNamingAnotherRoleIsRefusedAndNothingChanges() {
            Map<String, String> foreign = Map.of("username", rotatorRole, "password", "x");
            RotationContext c = ctx(singleParams(role), current);
            PostgresTargetException e = assertThrows(PostgresTargetException.class, () -> rotator.set(c, foreign));
            assertEquals(Failure.BAD_CREDENTIAL_SECRET, e.failure());
            assertTrue(pg.canLogin(rotatorRole, rotatorPassword));
        }

        @Test
        void theRotationCredentialMayNotBeTheRotatedRole() {
            vault.put(CREDENTIAL_PATH, Map.of("username", role, "password", initial));
            PostgresTargetException e = assertThrows(PostgresTargetException.class,
                    () -> rotate(singleParams(role), current));
            assertEquals(Failure.BAD_CREDENTIAL_SECRET, e.failure());
            assertTrue(pg.canLogin(role, initial));
        }
    }

    @Nested
    class AlternatingMode {
        String a;
        String b;
        String initial;
        Map<String, String> current;

        @BeforeEach
        void roles() {
            initial = password();
            a = pg.createRole("app_a", initial, null);
            b = pg.createRole("app_b", password(), null);
            rotationCredentialFor(a, b);
            current = Map.of("username", a, "password", initial);
        }

        @Test
        void connectionsOfTheActiveRoleKeepWorkingThroughRotations() throws Exception {
            Map<String, String> params = alternatingParams(a, b);
            try (Connection openA = pg.login(a, initial)) {
                select1(openA);
                Map<String, String> first = rotate(params, current);
                assertEquals(b, first.get("username"), "the new password goes to the inactive role");
                select1(openA);
                // Finished: first is current, the old value is previous and still logs in (grace period).
                assertTrue(pg.canLogin(a, initial));
                assertTrue(pg.canLogin(b, first.get("password")));
                try (Connection openB = pg.login(b, first.get("password"))) {
                    // The grace period ends: the previous role's password is revoked.
                    rotator.revokePrevious(ctx(params, first), current, first);
                    assertEquals("28P01", pg.loginError(a, initial));
                    select1(openA); // an open session is not cut by the revocation
                    assertTrue(pg.canLogin(b, first.get("password")));
                    // The next rotation goes back to a; b's session keeps working.
                    Map<String, String> second = rotate(params, first);
                    assertEquals(a, second.get("username"));
                    select1(openB);
                    assertTrue(pg.canLogin(a, second.get("password")));
                    assertTrue(pg.canLogin(b, first.get("password")));
                    rotator.revokePrevious(ctx(params, second), first, second);
                    assertFalse(pg.canLogin(b, first.get("password")));
                    select1(openB);
                    rotator.check(ctx(params, second), second);
                }
            }
        }

        @Test
        void loginRevokedOnTheInactiveRoleRollsBackAndCurrentStillLogsIn() throws Exception {
            pg.exec("ALTER ROLE " + b + " NOLOGIN");
            try (Connection openA = pg.login(a, initial)) {
                PostgresTargetException e = assertThrows(PostgresTargetException.class,
                        () -> rotate(alternatingParams(a, b), current));
                assertNull(restoreFailure, "the restore after the failure worked: " + restoreFailure);
                assertEquals(Failure.LOGIN_REFUSED, e.failure());
                assertTrue(e.getMessage().contains(b), e.getMessage());
                select1(openA);
                assertTrue(pg.canLogin(a, initial));
            }
        }

        @Test
        void restoreLeavesTheCurrentRoleAloneAndRevokesThePending() {
            Map<String, String> params = alternatingParams(a, b);
            RotationContext c = ctx(params, current);
            Map<String, String> pending = rotator.generate(c);
            rotator.set(c, pending);
            rotator.restore(c, current, pending);
            assertTrue(pg.canLogin(a, initial));
            assertFalse(pg.canLogin(b, pending.get("password")));
        }

        @Test
        void revokePreviousNeverTouchesTheCurrentRole() {
            Map<String, String> params = alternatingParams(a, b);
            rotator.revokePrevious(ctx(params, current), current, current);
            assertTrue(pg.canLogin(a, initial));
        }

        @Test
        void theFirstRotationOfAnEmptySecretStartsWithTheFirstRole() {
            Map<String, String> pending = rotate(alternatingParams(a, b), Map.of());
            assertEquals(a, pending.get("username"));
            assertTrue(pg.canLogin(a, pending.get("password")));
        }

        @Test
        void aCurrentValueNamingAnotherRoleIsRefused() {
            Map<String, String> foreign = Map.of("username", rotatorRole, "password", rotatorPassword);
            assertThrows(PostgresTargetException.class, () -> rotator.generate(ctx(alternatingParams(a, b), foreign)));
            assertTrue(pg.canLogin(rotatorRole, rotatorPassword));
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "mode=sometimes|mode",
        "username=a\"; DROP ROLE x; --|username",
        "host=db?socketFactory=x|host",
        "port=0|port",
        "port=ten|port",
        "color=blue|color",
        "mode=alternating|alternate_username",
        "rotation_credential=a/../b|rotation_credential",
        "sslmode=maybe|sslmode",
        "database=x/y|database",
        "password_length=8|password_length",
        "connect_timeout=0|connect_timeout",
    })
    void badParametersAreRefusedNamingTheParameter(String change, String named) {
        Map<String, String> params = new HashMap<>(Map.of("host", "127.0.0.1", "username", "app",
                "rotation_credential", CREDENTIAL_PATH));
        String[] kv = change.split("=", 2);
        params.put(kv[0], kv[1]);
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> rotator.validate(params));
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }

    @Test
    void goodParametersPass() {
        rotator.validate(Map.of("host", "db.example.internal", "port", "6432", "database", "app",
                "mode", "alternating", "username", "app_a", "alternate_username", "app_b",
                "rotation_credential", "db/rotator", "sslmode", "verify-full"));
        rotator.validate(Map.of("host", "::1", "username", "app", "rotation_credential", "db/rotator"));
        assertNull(PostgresParams.parse(Map.of("host", "h", "username", "u", "rotation_credential", "c"))
                .alternateUsername());
    }

    @Test
    void toStringsCarryNoPassword() {
        RotationContext c = new RotationContext("p", Map.of(), Map.of("password", "canary-xyz"), x -> Map.of(),
                Clock.systemUTC(), Duration.ofSeconds(1));
        assertFalse(c.toString().contains("canary-xyz"));
    }
}
