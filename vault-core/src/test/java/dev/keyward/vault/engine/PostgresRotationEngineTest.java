package dev.keyward.vault.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.vault.api.AlertService;
import dev.keyward.vault.api.AlertSpec;
import dev.keyward.vault.api.AuditRecord;
import dev.keyward.vault.api.Caller;
import dev.keyward.vault.api.RotationService;
import dev.keyward.vault.api.RotationService.RotationConfig;
import dev.keyward.vault.api.RotationService.RotationRecord;
import dev.keyward.vault.api.RotationService.RotationSchedule;
import dev.keyward.vault.api.RotationService.RotationStatus;
import dev.keyward.vault.api.RotationTrigger;
import dev.keyward.vault.api.SecretData;
import dev.keyward.vault.testing.TcpRelay;
import dev.keyward.vault.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL rotation through the whole engine (guarded door, durable steps, audit) on an
 * injected clock, against the real server of the tests: scheduled runs, the grace period, and
 * failures on the target that roll back, back off and end in "needs attention".
 */
class PostgresRotationEngineTest {
    static final Instant START = Instant.parse("2026-10-01T08:00:00Z");
    static final String APP = "db/orders/app";
    static final String CREDENTIAL = "db/orders/rotator";

    @TempDir
    Path dir;
    MutableClock clock;
    TestVaults.Opened vault;
    RotationService rot;
    RotationFacade facade;
    TestPostgres pg;
    final List<AlertSpec> alerts = new CopyOnWriteArrayList<>();
    final List<String> passwords = new ArrayList<>();
    String rotatorRole;
    String rotatorPassword;

    @BeforeEach
    void setUp() {
        pg = TestPostgres.connect();
        clock = new MutableClock(START);
        vault = TestVaults.initialised(TestVaults.config(dir, clock));
        rot = vault.engine().rotation();
        facade = (RotationFacade) rot;
        facade.job().stop(); // the test drives the passes
        facade.useAlerts(() -> recordingAlerts());
    }

    @AfterEach
    void tearDown() {
        if (vault != null) {
            vault.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    /** Records the alerts rotation raises (the anomaly feature's service is not part of this test). */
    private AlertService recordingAlerts() {
        return (caller, spec) -> {
            alerts.add(spec);
            return "alert-" + alerts.size();
        };
    }

    Caller admin() {
        return TestVaults.login(vault.engine()).caller();
    }

    String password() {
        String p = "pw-" + TestPostgres.uniqueName("x");
        passwords.add(p);
        return p;
    }

    Map<String, String> current() {
        return vault.engine().secrets().read(admin(), APP, 0).data().fields();
    }

    void credential(String... targets) {
        rotatorPassword = password();
        rotatorRole = pg.createRotationRole(rotatorPassword, targets);
        vault.engine().secrets().write(admin(), CREDENTIAL, SecretData.of(Map.of("username", rotatorRole,
                "password", rotatorPassword)), null);
    }

    RotationConfig config(Map<String, String> params, int maxAttempts) {
        return new RotationConfig("postgres", params, new RotationSchedule(Duration.ofDays(1), null, null, null,
                Duration.ofHours(6), null), Duration.ofHours(1), Duration.ofHours(24), true, maxAttempts,
                Duration.ofMinutes(1), null, null, null);
    }

    Map<String, String> alternating(String a, String b) {
        return pg.params(Map.of("mode", "alternating", "username", a, "alternate_username", b,
                "rotation_credential", CREDENTIAL));
    }

    Map<String, String> single(String role) {
        return pg.params(Map.of("username", role, "rotation_credential", CREDENTIAL));
    }

    void tick() {
        facade.rotations().tick();
    }

    static void select1(Connection c) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            assertTrue(rs.next());
        }
    }

    List<AuditRecord> audit(String op) {
        return TestVaults.auditEntries(vault.engine()).stream().filter(r -> r.operation().equals(op)).toList();
    }

    @Test
    void aScheduledRotationRotatesTheRoleAndAnOpenConnectionKeepsWorking() throws Exception {
        String initial = password();
        String a = pg.createRole("app_a", initial, null);
        String b = pg.createRole("app_b", password(), null);
        credential(a, b);
        vault.engine().secrets().write(admin(), APP, SecretData.of(Map.of("username", a, "password", initial)), null);
        rot.configure(admin(), APP, config(alternating(a, b), 3));

        try (Connection open = pg.login(a, initial)) {
            tick();
            assertEquals(initial, current().get("password"), "not due yet");
            clock.advance(Duration.ofDays(1).plusMinutes(1));
            tick();
            Map<String, String> now = current();
            assertEquals(b, now.get("username"), "the new password went to the inactive role");
            assertTrue(pg.canLogin(b, now.get("password")), "the new password logs in");
            select1(open);
            assertTrue(pg.canLogin(a, initial), "the previous value logs in during the grace period");
            RotationRecord run = rot.history(admin(), APP, 1).get(0);
            assertEquals("finished", run.state());
            assertEquals(RotationTrigger.SCHEDULE, run.trigger());

            clock.advance(Duration.ofMinutes(61));
            tick();
            assertEquals("28P01", pg.loginError(a, initial), "after the grace period the old password is refused");
            select1(open);
            assertTrue(pg.canLogin(b, now.get("password")));
            assertFalse(vault.engine().secrets().read(admin(), APP, 1).hasData(), "previous version destroyed");
        }
        for (String op : List.of("rotation.run.start", "rotation.step.pending", "rotation.step.set",
                "rotation.step.test", "rotation.step.finish", "rotation.run.finish", "rotation.grace.revoke")) {
            assertFalse(audit(op).isEmpty(), op + " audited");
        }
        assertNoPassword();
    }

    @Test
    void singleModeRotatesOnTheScheduleAndTheOldPasswordStopsAtOnce() {
        String initial = password();
        String role = pg.createRole("app", initial, null);
        credential(role);
        vault.engine().secrets().write(admin(), APP, SecretData.of(Map.of("username", role, "password", initial)),
                null);
        rot.configure(admin(), APP, config(single(role), 3));
        clock.advance(Duration.ofDays(1).plusMinutes(1));
        tick();
        String now = current().get("password");
        assertNotEquals(initial, now);
        assertTrue(pg.canLogin(role, now));
        assertFalse(pg.canLogin(role, initial));
        assertEquals("finished", rot.status(admin(), APP).lastOutcome());
    }

    /** One kind of failure on the target, set up after the secret is configured. */
    interface Breakage {
        void breakIt(String a, String b);
    }

    private void failuresRollBackBackOffThenNeedAttention(Map<String, String> extraParams, Breakage breakage,
                                                          String errorClass) {
        String initial = password();
        String a = pg.createRole("app_a", initial, null);
        String b = pg.createRole("app_b", password(), null);
        credential(a, b);
        vault.engine().secrets().write(admin(), APP, SecretData.of(Map.of("username", a, "password", initial)), null);
        Map<String, String> params = new HashMap<>(alternating(a, b));
        params.putAll(extraParams);
        rot.configure(admin(), APP, config(params, 3));
        breakage.breakIt(a, b);

        clock.advance(Duration.ofDays(1).plusMinutes(1));
        tick();
        RotationStatus s1 = rot.status(admin(), APP);
        assertEquals("rolled-back", s1.lastOutcome());
        assertEquals(1, s1.attempts());
        assertEquals(clock.instant().plus(Duration.ofMinutes(1)), s1.nextRetryAt(), "first retry after the backoff");
        assertEquals(initial, current().get("password"), "current unchanged");
        assertTrue(pg.canLogin(a, initial), "current still logs in");

        tick();
        assertEquals(1, rot.status(admin(), APP).attempts(), "no retry before the backoff has passed");

        clock.advance(Duration.ofMinutes(1));
        tick();
        RotationStatus s2 = rot.status(admin(), APP);
        assertEquals(2, s2.attempts());
        assertEquals(clock.instant().plus(Duration.ofMinutes(2)), s2.nextRetryAt(), "the backoff doubles");
        assertTrue(pg.canLogin(a, initial));

        clock.advance(Duration.ofMinutes(2));
        tick();
        RotationStatus s3 = rot.status(admin(), APP);
        assertTrue(s3.needsAttention(), "past the bound: needs attention");
        assertNull(s3.nextRetryAt(), "and no more retries");
        assertEquals(initial, current().get("password"));
        assertTrue(pg.canLogin(a, initial));

        clock.advance(Duration.ofMinutes(30));
        tick();
        assertEquals(3, rot.history(admin(), APP, 10).size(), "it stopped retrying");

        List<RotationRecord> runs = rot.history(admin(), APP, 10);
        for (RotationRecord r : runs) {
            assertTrue(r.errorClass().startsWith(errorClass), r.errorClass());
            assertNotNull(r.error());
        }
        assertEquals("needs-attention", runs.get(0).state());
        assertEquals(1, alerts.size(), "one alert");
        assertEquals("rotation.needs-attention", alerts.get(0).detector());
        assertEquals(3, audit("rotation.run.rolled-back").size());
        assertEquals(1, audit("rotation.run.needs-attention").size());
        assertTrue(audit("rotation.run.rolled-back").stream().allMatch(r ->
                r.details().get("error_class").startsWith(errorClass)));
        assertNoPassword();
    }

    @Test
    void aWrongRotationCredentialRollsBackBacksOffAndNeedsAttention() {
        failuresRollBackBackOffThenNeedAttention(Map.of(), (a, b) ->
                vault.engine().secrets().write(admin(), CREDENTIAL, SecretData.of(Map.of("username", rotatorRole,
                        "password", password())), null), "PostgresRotationCredentialRefusedException");
    }

    @Test
    void aLoginRevokedOnTheTargetRollsBackBacksOffAndNeedsAttention() {
        failuresRollBackBackOffThenNeedAttention(Map.of(), (a, b) -> pg.exec("ALTER ROLE " + b + " NOLOGIN"),
                "PostgresLoginRefusedException");
    }

    @Test
    void aStoppedServerRollsBackBacksOffAndNeedsAttention() {
        try (TcpRelay relay = new TcpRelay(pg.host(), pg.port())) {
            failuresRollBackBackOffThenNeedAttention(Map.of("host", "127.0.0.1", "port",
                    Integer.toString(relay.port())), (a, b) -> relay.stop(), "PostgresUnreachableException");
        }
    }

    void assertNoPassword() {
        List<String> all = new ArrayList<>(passwords);
        Map<String, String> cur = current();
        all.add(cur.get("password"));
        for (AuditRecord r : TestVaults.auditEntries(vault.engine())) {
            String text = r.toString() + r.details();
            for (String p : all) {
                assertFalse(text.contains(p), "a password in the audit log: " + r.operation());
            }
        }
        for (AlertSpec a : alerts) {
            for (String p : all) {
                assertFalse(a.toString().contains(p), "a password in an alert");
            }
        }
    }
}
